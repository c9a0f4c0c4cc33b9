package dev.interlace.server;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;

import dev.interlace.core.engine.DefaultStreamEntries;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Entries by ID over HTTP on DuckDB, each test walking the Redis command it mirrors: {@code XRANGE},
 * {@code XREVRANGE}, a single entry, {@code XLEN}, {@code XDEL}, {@code XTRIM}, {@code XINFO STREAM} and
 * {@code XREAD} across streams, as a long poll with {@code block_ms}. Streams are filled with explicit IDs
 * ({@code Interlace-Entry-Id}) so that each test names the IDs it expects; each test has streams of its own.
 */
@TestPropertySource(properties = { "interlace.streams.ent_range.description=XRANGE",
		"interlace.streams.ent_delete.description=XDEL", "interlace.streams.ent_trim.description=XTRIM",
		"interlace.streams.ent_info.description=XINFO", "interlace.streams.ent_read_a.description=XREAD",
		"interlace.streams.ent_read_b.description=XREAD", "interlace.streams.ent_wait.description=XREAD BLOCK",
		"interlace.streams.ent_errors.description=errors", "interlace.streams.ent_empty.description=never written",
		"interlace.streams.ent_guarded.auth.type=bearer", "interlace.streams.ent_guarded.auth.token=guarded-1" })
class EntriesApiIntegrationTests extends ApiIntegrationTestSupport {

	private static final String ENTRY_ID = "Interlace-Entry-Id";

	@Autowired
	DefaultStreamEntries entries;

	@LocalServerPort
	int port;

	/** An encoded URI ("%2B" for "+", which a query reads as a space), sent as it is rather than encoded again. */
	private java.net.URI absolute(String uri) {
		return java.net.URI.create("http://localhost:" + this.port + uri);
	}

	private void add(String stream, String id) {
		this.client.post()
			.uri("/api/v1/streams/" + stream)
			.contentType(MediaType.APPLICATION_JSON)
			.header(ENTRY_ID, id)
			.bodyValue("{\"n\":\"" + id + "\"}")
			.exchange()
			.expectStatus()
			.is2xxSuccessful();
	}

	/** Adds 1-1, 1-2, 2-1, 2-2, ... up to {@code ms}-2. */
	private void fill(String stream, int ms) {
		for (int m = 1; m <= ms; m++) {
			add(stream, m + "-1");
			add(stream, m + "-2");
		}
	}

	private Map<String, Object> get(String uri) {
		return StreamsApi.okJson(this.client.get().uri(absolute(uri)).exchange());
	}

	@SuppressWarnings("unchecked")
	private static List<String> ids(Map<String, Object> answer) {
		return ((List<Map<String, Object>>) answer.get("entries")).stream().map((e) -> (String) e.get("id")).toList();
	}

	private static String entries(String stream) {
		return "/api/v1/streams/" + stream + "/entries";
	}

	// XRANGE key - + / start end / incomplete IDs / ( exclusive / COUNT.
	@Test
	void rangeReadsForwardWithRedisBounds() {
		fill("ent_range", 3);
		String path = entries("ent_range");
		assertThat(ids(get(path))).containsExactly("1-1", "1-2", "2-1", "2-2", "3-1", "3-2");
		assertThat(ids(get(path + "?start=1-2&end=3-1"))).containsExactly("1-2", "2-1", "2-2", "3-1");
		// XRANGE key 2 2: an incomplete ID is 2-0 as a start and 2-<max> as an end.
		assertThat(ids(get(path + "?start=2&end=2"))).containsExactly("2-1", "2-2");
		// XRANGE key (1-2 + COUNT 2: exclusive start, then paging.
		assertThat(ids(get(path + "?start=(1-2&count=2"))).containsExactly("2-1", "2-2");
		assertThat(ids(get(path + "?start=-&end=(2-1"))).containsExactly("1-1", "1-2");
		// XRANGE key + -: empty, not an error.
		assertThat(ids(get(path + "?start=%2B&end=-"))).isEmpty();
		Map<String, Object> first = get(path + "?count=1");
		@SuppressWarnings("unchecked")
		Map<String, Object> entry = ((List<Map<String, Object>>) first.get("entries")).get(0);
		assertThat(entry).containsEntry("rowid", 1);
		assertThat((Map<String, Object>) entry.get("data")).containsEntry("n", "1-1");
	}

	// XREVRANGE key + - COUNT n; a single entry (XRANGE key id id); XLEN.
	@Test
	void reverseRangeSingleEntryAndLength() {
		String path = entries("ent_info");
		fill("ent_info", 2);
		assertThat(ids(get(path + "/reverse?count=3"))).containsExactly("2-2", "2-1", "1-2");
		assertThat(ids(get(path + "/reverse?end=2-1&start=(1-1"))).containsExactly("2-1", "1-2");
		assertThat(get(path + "/2-1")).containsEntry("id", "2-1").containsEntry("rowid", 3);
		assertProblem(this.client.get().uri(path + "/9-9").exchange(), HttpStatus.NOT_FOUND, "RESOURCE_NOT_FOUND");
		assertThat(get(path + "/length")).containsEntry("length", 4);
	}

	// XDEL key id...: counts the existing; the last ID stays; max-deleted-entry-id rises (XINFO STREAM).
	@Test
	void deleteByQueryAndBody() {
		fill("ent_delete", 2);
		String path = entries("ent_delete");
		assertThat(StreamsApi.okJson(this.client.delete().uri(path + "?ids=1-1,9-9&ids=1-1").exchange()))
			.containsEntry("deleted", 1);
		assertThat(StreamsApi.okJson(this.client.post()
			.uri(path + "/delete")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"ids\":[\"2-2\"]}")
			.exchange())).containsEntry("deleted", 1);
		assertThat(ids(get(path))).containsExactly("1-2", "2-1");
		Map<String, Object> info = get(path + "/info");
		assertThat(info).containsEntry("length", 2)
			.containsEntry("last_generated_id", "2-2")
			.containsEntry("max_deleted_entry_id", "2-2")
			.containsEntry("entries_added", 4)
			.containsEntry("recorded_first_entry_id", "1-2");
	}

	// XTRIM key MAXLEN n, MAXLEN ~ n (whole granules of 100), MINID id; LIMIT only with ~.
	@Test
	void trimByMaxLenAndMinId() {
		fill("ent_trim", 3);
		String path = entries("ent_trim") + "/trim";
		// 6 entries, keep 4 approximately: not a whole granule of 100 beyond, nothing goes (Redis: no whole node).
		assertThat(trim(path, "{\"maxlen\":4,\"approximate\":true}")).containsEntry("trimmed", 0);
		assertThat(trim(path, "{\"maxlen\":4}")).containsEntry("trimmed", 2);
		assertThat(trim(path, "{\"minid\":\"3-1\"}")).containsEntry("trimmed", 2);
		assertThat(ids(get(entries("ent_trim")))).containsExactly("3-1", "3-2");
		assertThat(get(entries("ent_trim") + "/info")).containsEntry("last_generated_id", "3-2")
			.containsEntry("max_deleted_entry_id", "0-0");
		assertProblem(this.client.post().uri(path).contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"maxlen\":1,\"limit\":10}").exchange(), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
		assertProblem(this.client.post().uri(path).contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"maxlen\":1,\"minid\":\"1-1\"}").exchange(), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
		assertProblem(this.client.post().uri(path).contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"maxlen\":-1}").exchange(), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
		assertProblem(this.client.post().uri(path).contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"minid\":\"x\"}").exchange(), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
	}

	private Map<String, Object> trim(String path, String body) {
		return StreamsApi.okJson(this.client.post().uri(path).contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body).exchange());
	}

	// XINFO STREAM on an empty stream, then with a group; FULL adds the first entries and the groups described.
	@Test
	@SuppressWarnings("unchecked")
	void infoDescribesTheStreamAndItsGroups() {
		Map<String, Object> empty = get(entries("ent_read_b") + "/info");
		assertThat(empty).containsEntry("length", 0)
			.containsEntry("first_entry", null)
			.containsEntry("last_entry", null)
			.containsEntry("last_generated_id", "0-0")
			.containsEntry("recorded_first_entry_id", "0-0")
			.containsEntry("groups", 0)
			.doesNotContainKey("entries");
		add("ent_errors", "5-5");
		add("ent_errors", "6-6");
		post("/api/v1/streams/ent_errors/groups", "{\"name\":\"g\",\"start\":\"0\"}").expectStatus().isCreated();
		Map<String, Object> full = get(entries("ent_errors") + "/info?full=true&count=1");
		assertThat(full).containsEntry("groups", 1).containsEntry("length", 2);
		assertThat((Map<String, Object>) full.get("first_entry")).containsEntry("id", "5-5");
		assertThat((Map<String, Object>) full.get("last_entry")).containsEntry("id", "6-6");
		assertThat(ids(full)).containsExactly("5-5");
		// XINFO STREAM FULL COUNT 0: every entry (here up to 10,000).
		assertThat(ids(get(entries("ent_errors") + "/info?full=true&count=0"))).containsExactly("5-5", "6-6");
		assertThat((List<Map<String, Object>>) full.get("group_details")).singleElement()
			.satisfies((group) -> assertThat(group).containsEntry("name", "g").containsEntry("lag", 2));
	}

	// XREAD COUNT n STREAMS a b id1 id2: entries after each ID, n per stream, only the streams that have some.
	@Test
	@SuppressWarnings("unchecked")
	void readAcrossStreamsAfterIds() {
		fill("ent_read_a", 2);
		Map<String, Object> read = get("/api/v1/entries?streams=ent_read_a,ent_empty&after=1-1,0&count=2");
		List<Map<String, Object>> streams = (List<Map<String, Object>>) read.get("streams");
		assertThat(streams).singleElement().satisfies((stream) -> {
			assertThat(stream).containsEntry("stream", "ent_read_a");
			assertThat(ids(stream)).containsExactly("1-2", "2-1");
		});
		// "$" without block_ms: nothing is newer than the last ID.
		assertThat((List<?>) get("/api/v1/entries?streams=ent_read_a&after=$").get("streams")).isEmpty();
	}

	// XREAD BLOCK ms STREAMS a b $ $: a long poll, answered when a publish lands in any of its streams.
	@Test
	@SuppressWarnings("unchecked")
	void blockingReadIsALongPollWokenByAPublish() throws Exception {
		CompletableFuture<Map<String, Object>> answer = new CompletableFuture<>();
		new Thread(() -> {
			try {
				answer.complete(StreamsApi.okJson(this.client.mutate()
					.responseTimeout(Duration.ofSeconds(90))
					.build()
					.get()
					.uri("/api/v1/entries?streams=ent_read_b,ent_wait&after=$,$&block_ms=60000")
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
		assertThat(answer).isNotDone();
		add("ent_wait", "77-7");
		Map<String, Object> read = answer.get(30, TimeUnit.SECONDS);
		assertThat((List<Map<String, Object>>) read.get("streams")).singleElement().satisfies((stream) -> {
			assertThat(stream).containsEntry("stream", "ent_wait");
			assertThat(ids(stream)).containsExactly("77-7");
		});
		// A short wait with nothing coming answers empty.
		assertThat((List<?>) get("/api/v1/entries?streams=ent_wait&after=$&block_ms=100").get("streams")).isEmpty();
	}

	// Malformed IDs and bounds, over-limit counts and waits, unknown streams: 400 and 404 problems, never 500.
	@Test
	void clientMistakesAreProblems() {
		String path = entries("ent_errors");
		for (String uri : List.of(path + "?start=abc", path + "?end=1-2-3", path + "?start=(%2B",
				path + "?end=(-", path + "?count=0", path + "?count=10001", path + "?count=x",
				path + "/reverse?start=99999999999999999999", path + "/1-x", path + "/info?full=maybe",
				"/api/v1/entries?streams=ent_errors&after=1-x", "/api/v1/entries?streams=ent_errors",
				"/api/v1/entries?streams=ent_errors,ent_wait&after=0", "/api/v1/entries?streams=ent_errors&after=0&block_ms=60001",
				"/api/v1/entries?streams=ent_errors&after=0&count=10001", "/api/v1/entries?after=0",
				"/api/v1/entries?streams=ent_errors,ent_errors&after=0,0")) {
			assertProblem(this.client.get().uri(absolute(uri)).exchange(), HttpStatus.BAD_REQUEST,
					"INVALID_REQUEST");
		}
		assertProblem(this.client.delete().uri(path + "?ids=1-1,nope").exchange(), HttpStatus.BAD_REQUEST,
				"INVALID_REQUEST");
		assertProblem(this.client.delete().uri(path).exchange(), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
		StringBuilder tooMany = new StringBuilder("{\"ids\":[");
		for (int i = 0; i <= 10_000; i++) {
			tooMany.append((i > 0) ? "," : "").append("\"1\"");
		}
		assertProblem(this.client.post().uri(path + "/delete").contentType(MediaType.APPLICATION_JSON)
			.bodyValue(tooMany.append("]}").toString()).exchange(), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
		assertProblem(this.client.get().uri(entries("nope")).exchange(), HttpStatus.NOT_FOUND, "RESOURCE_NOT_FOUND");
		assertProblem(this.client.get().uri("/api/v1/entries?streams=ent_errors,nope&after=0,0").exchange(),
				HttpStatus.NOT_FOUND, "RESOURCE_NOT_FOUND");
	}

	// Without an admin token: a protected stream among those a read names refuses it; its credentials delete.
	@Test
	void withoutAnAdminTokenAProtectedStreamGuardsReadsOfSeveralStreamsAndItsDeletes() {
		String read = "/api/v1/entries?streams=ent_empty,ent_guarded&after=0,0";
		assertProblem(this.client.get().uri(read).exchange(), HttpStatus.UNAUTHORIZED, "UNAUTHORIZED");
		this.client.get().uri(read).headers((headers) -> headers.setBearerAuth("guarded-1")).exchange()
			.expectStatus().isOk();
		assertProblem(this.client.delete().uri(entries("ent_guarded") + "?ids=1-1").exchange(),
				HttpStatus.UNAUTHORIZED, "UNAUTHORIZED");
		assertThat(StreamsApi.okJson(this.client.delete().uri(entries("ent_guarded") + "?ids=1-1")
			.headers((headers) -> headers.setBearerAuth("guarded-1")).exchange())).containsEntry("deleted", 0);
	}

}
