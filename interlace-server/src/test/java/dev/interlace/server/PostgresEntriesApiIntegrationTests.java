package dev.interlace.server;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.interlace.core.engine.DefaultStreamEntries;
import dev.interlace.server.InterlaceServerTest.Database;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Entries by ID over HTTP on PostgreSQL: the Redis commands of {@link EntriesApiIntegrationTests} once more on the
 * other backend, {@code XREAD BLOCK} woken by a publish through PostgreSQL's commit notifications included.
 */
@InterlaceServerTest(database = Database.POSTGRESQL)
@ActiveProfiles("pg")
@TestPropertySource(properties = { "interlace.streams.pg_ent_a.description=entries",
		"interlace.streams.pg_ent_b.description=entries, read while waiting" })
class PostgresEntriesApiIntegrationTests {

	@Autowired
	WebTestClient client;

	@Autowired
	DefaultStreamEntries entries;

	private void add(String stream, String id) {
		this.client.post()
			.uri("/api/v1/streams/" + stream)
			.contentType(MediaType.APPLICATION_JSON)
			.header("Interlace-Entry-Id", id)
			.bodyValue("{\"n\":\"" + id + "\"}")
			.exchange()
			.expectStatus()
			.is2xxSuccessful();
	}

	private Map<String, Object> get(String uri) {
		return StreamsApi.okJson(this.client.get().uri(uri).exchange());
	}

	private Map<String, Object> post(String uri, String body) {
		return StreamsApi.okJson(
				this.client.post().uri(uri).contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange());
	}

	@SuppressWarnings("unchecked")
	private static List<String> ids(Map<String, Object> answer) {
		return ((List<Map<String, Object>>) answer.get("entries")).stream().map((e) -> (String) e.get("id")).toList();
	}

	// XRANGE, XREVRANGE, XDEL, XTRIM MAXLEN and MINID, XLEN and XINFO STREAM, one after the other on one stream.
	@Test
	void rangesDeletesTrimsAndInfo() {
		for (int ms = 1; ms <= 4; ms++) {
			add("pg_ent_a", ms + "-1");
			add("pg_ent_a", ms + "-2");
		}
		String path = "/api/v1/streams/pg_ent_a/entries";
		assertThat(ids(get(path + "?start=(1-2&end=3&count=3"))).containsExactly("2-1", "2-2", "3-1");
		assertThat(ids(get(path + "/reverse?end=(4-1&count=2"))).containsExactly("3-2", "3-1");
		assertThat(get(path + "/2-2")).containsEntry("id", "2-2");
		assertThat(StreamsApi.okJson(this.client.delete().uri(path + "?ids=1-1,2-2,9-9").exchange()))
			.containsEntry("deleted", 2);
		assertThat(post(path + "/trim", "{\"maxlen\":5,\"approximate\":true}")).containsEntry("trimmed", 0);
		assertThat(post(path + "/trim", "{\"maxlen\":5}")).containsEntry("trimmed", 1);
		assertThat(post(path + "/trim", "{\"minid\":\"3-2\"}")).containsEntry("trimmed", 2);
		assertThat(ids(get(path))).containsExactly("3-2", "4-1", "4-2");
		assertThat(get(path + "/length")).containsEntry("length", 3);
		assertThat(get(path + "/info")).containsEntry("length", 3)
			.containsEntry("last_generated_id", "4-2")
			.containsEntry("max_deleted_entry_id", "2-2")
			.containsEntry("entries_added", 8)
			.containsEntry("recorded_first_entry_id", "3-2")
			.containsEntry("groups", 0);
	}

	// XREAD BLOCK ms STREAMS a b $ $ on PostgreSQL: the long poll answers once a publish commits.
	@Test
	@SuppressWarnings("unchecked")
	void blockingReadIsWokenByAPublish() throws Exception {
		CompletableFuture<Map<String, Object>> answer = new CompletableFuture<>();
		new Thread(() -> {
			try {
				answer.complete(StreamsApi.okJson(this.client.mutate()
					.responseTimeout(Duration.ofSeconds(90))
					.build()
					.get()
					.uri("/api/v1/entries?streams=pg_ent_a,pg_ent_b&after=$,$&block_ms=60000")
					.exchange()));
			}
			catch (Throwable ex) {
				answer.completeExceptionally(ex);
			}
		}).start();
		long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		while (this.entries.waiting() == 0 && System.nanoTime() < until) {
			Thread.sleep(10);
		}
		assertThat(this.entries.waiting()).isEqualTo(1);
		add("pg_ent_b", "900-1");
		Map<String, Object> read = answer.get(30, TimeUnit.SECONDS);
		assertThat((List<Map<String, Object>>) read.get("streams")).singleElement().satisfies((stream) -> {
			assertThat(stream).containsEntry("stream", "pg_ent_b");
			assertThat(ids(stream)).containsExactly("900-1");
		});
	}

}
