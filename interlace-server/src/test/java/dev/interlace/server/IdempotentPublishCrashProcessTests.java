package dev.interlace.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import dev.interlace.core.store.postgres.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keyed publishes of the packaged server killed with SIGKILL while they run, on DuckDB and on PostgreSQL. After the
 * restart, every key sent is sent again with the same events:
 * <ul>
 * <li>a key whose publish was answered 202 has all its rows, and its repeat is a replay answering the same body;</li>
 * <li>a key whose publish the kill cut off has all its rows and its repeat is a replay, or has no row and its repeat
 * stores (is no replay): the key is stored exactly when the rows are, never one without the other;</li>
 * <li>afterwards every key has its rows once.</li>
 * </ul>
 */
class IdempotentPublishCrashProcessTests {

	static final String STREAM = "crash_keyed";

	static final int PUBLISHERS = 3;

	/** Events per publish: enough that a kill often lands inside a publish's transaction. */
	static final int EVENTS = 500;

	private static final JsonMapper JSON = JsonMapper.shared();

	@TempDir
	Path work;

	private final HttpClient client = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	@Test
	void duckDbStoresAKeyExactlyWhenItsRowsSurviveAKill() throws Exception {
		run("duckdb", List.of("--interlace.connections.default.path=" + this.work.resolve("interlace.duckdb")));
	}

	@Test
	void postgresStoresAKeyExactlyWhenItsRowsSurviveAKill() throws Exception {
		TestPostgres postgres = TestPostgres.shared();
		String database = postgres.createDatabase();
		run("postgres", List.of("--spring.datasource.url=" + postgres.jdbcUrl(database),
				"--spring.datasource.username=" + postgres.username(), "--spring.datasource.password=unused"));
	}

	/** One keyed publish as its client saw it: the answer's body, or {@code null} when the kill cut it off. */
	record Sent(String key, String body, boolean answered, String answer) {
	}

	private void run(String name, List<String> storeArguments) throws Exception {
		Path log = Path.of("target", "process-tests", "IdempotentPublishCrashProcessTests-" + name + ".log")
			.toAbsolutePath();
		ServerProcess.deleteLog(log);
		List<String> arguments = new ArrayList<>(storeArguments);
		arguments.add("--spring.config.additional-location=file:" + ServerProcess.resource("process-streams.yml"));
		Queue<Sent> sent = new ConcurrentLinkedQueue<>();
		Queue<String> errors = new ConcurrentLinkedQueue<>();
		try (ServerProcess server = ServerProcess.start(this.work, log, arguments)) {
			AtomicBoolean running = new AtomicBoolean(true);
			List<Thread> clients = new ArrayList<>();
			for (int client = 0; client < PUBLISHERS; client++) {
				int id = client;
				clients.add(new Thread(() -> publish(server.base(), id, running, sent, errors), "publisher-" + id));
			}
			clients.forEach(Thread::start);
			ServerProcess.sleep(Duration.ofMillis(3_000));
			server.kill();
			running.set(false);
			for (Thread client : clients) {
				client.join(60_000);
				assertThat(client.isAlive()).as(client.getName() + " still running").isFalse();
			}
		}
		assertThat(errors).isEmpty();
		assertThat(sent).filteredOn(Sent::answered).as("publishes answered before the kill").isNotEmpty();
		try (ServerProcess server = ServerProcess.start(this.work, log, arguments)) {
			Map<String, List<Long>> before = rowidsByKey(server.base(), "verifier-1");
			for (Sent publish : sent) {
				List<Long> rowids = before.getOrDefault(publish.key(), List.of());
				assertThat(rowids.size()).as("rows of key %s", publish.key()).isIn(0, EVENTS);
				if (publish.answered()) {
					assertThat(rowids).as("rows of answered key %s", publish.key()).hasSize(EVENTS);
				}
				HttpResponse<String> repeat = send(server.base(), publish.key(), publish.body());
				assertThat(repeat.statusCode()).as("%s: %s", publish.key(), repeat.body()).isEqualTo(202);
				boolean replayed = repeat.headers().firstValue("Idempotent-Replayed").isPresent();
				// The key exists exactly when its rows do.
				assertThat(replayed).as("replay of key %s with %d rows", publish.key(), rowids.size())
					.isEqualTo(!rowids.isEmpty());
				if (publish.answered()) {
					assertThat(repeat.body()).isEqualTo(publish.answer());
				}
				if (replayed) {
					assertThat(((Number) JSON.readValue(repeat.body(), Map.class).get("first_rowid")).longValue())
						.isEqualTo(rowids.get(0));
				}
			}
			Map<String, List<Long>> after = rowidsByKey(server.base(), "verifier-2");
			assertThat(after.keySet()).containsExactlyInAnyOrderElementsOf(sent.stream().map(Sent::key).toList());
			assertThat(after.values()).allSatisfy((rowids) -> assertThat(rowids).hasSize(EVENTS));
			long cutOff = sent.stream().filter((publish) -> !publish.answered()).count();
			System.out.printf("[%s] %d keyed publishes, %d cut off by the kill, %d of those stored%n", name,
					sent.size(), cutOff, sent.stream()
						.filter((publish) -> !publish.answered() && !before.getOrDefault(publish.key(), List.of())
							.isEmpty())
						.count());
		}
	}

	private void publish(String base, int client, AtomicBoolean running, Queue<Sent> sent, Queue<String> errors) {
		for (int n = 0; running.get(); n++) {
			String key = "c" + client + "-" + n;
			StringBuilder body = new StringBuilder("[");
			for (int i = 0; i < EVENTS; i++) {
				body.append((i > 0) ? "," : "").append("{\"k\":\"").append(key).append("\",\"i\":").append(i).append('}');
			}
			String json = body.append(']').toString();
			try {
				HttpResponse<String> answer = send(base, key, json);
				if (answer.statusCode() != 202) {
					errors.add(key + ": " + answer.statusCode() + " " + answer.body());
					return;
				}
				sent.add(new Sent(key, json, true, answer.body()));
			}
			catch (UncheckedIOException ex) {
				if (!(ex.getCause() instanceof ConnectException)) {
					// Cut off: the server may have stored it or not.
					sent.add(new Sent(key, json, false, null));
				}
				return;
			}
		}
	}

	private HttpResponse<String> send(String base, String key, String json) {
		HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/v1/streams/" + STREAM))
			.timeout(HttpJson.REQUEST_TIMEOUT)
			.header("Content-Type", "application/json")
			.header("Idempotency-Key", key)
			.POST(HttpRequest.BodyPublishers.ofString(json))
			.build();
		try {
			return this.client.send(request, HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/** Reads every row through a consumer of its own, and returns the rowids of each key in order. */
	private static Map<String, List<Long>> rowidsByKey(String base, String verifier) {
		HttpJson http = new HttpJson(base);
		Map<String, List<Long>> rowids = new LinkedHashMap<>();
		while (true) {
			HttpJson.Answer batch = http.consume(STREAM, verifier, 10_000);
			assertThat(batch.status()).as("%s", batch).isEqualTo(200);
			List<Map<String, Object>> events = batch.events();
			if (events.isEmpty()) {
				return rowids;
			}
			long last = 0;
			for (Map<String, Object> event : events) {
				last = ((Number) event.get("_interlace_rowid")).longValue();
				rowids.computeIfAbsent((String) event.get("k"), (key) -> new ArrayList<>()).add(last);
			}
			assertThat(http.ack(STREAM, verifier, last).status()).isEqualTo(200);
		}
	}

}
