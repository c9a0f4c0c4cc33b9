package dev.interlace.server;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;

import dev.interlace.core.engine.DefaultStreams;
import dev.interlace.core.store.postgres.TestPostgres;
import dev.interlace.server.streams.SubscribeController;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A PostgreSQL outage under a running server: while the database is down every data request is answered quickly
 * with 503 and {@code Retry-After} (no hang, no 500); once it is back the same server serves again by itself, and
 * live subscribers connected before and after the outage receive the new events.
 */
class PostgresOutageIntegrationTests {

	static final String STREAM = "pg_outage";

	/** Longest any answer may take while the database is down: the pool waits 2 s for a connection at most. */
	static final Duration ANSWER_BOUND = Duration.ofSeconds(5);

	static final Duration OUTAGE = Duration.ofSeconds(4);

	static final Duration RECOVERY = Duration.ofSeconds(30);

	@Test
	void outageAnswers503FastAndTheSameServerServesAgainOnceTheDatabaseIsBack() throws Exception {
		try (TestPostgres postgres = TestPostgres.dedicated()) {
			String database = postgres.createDatabase();
			try (ConfigurableApplicationContext server = start(postgres, database)) {
				HttpJson http = HttpJson.of(server);
				Subscriber before = Subscriber.open(server);
				await().atMost(RECOVERY).until(() -> subscribers(server) == 1);

				HttpJson.Answer first = http.publish(STREAM, "{\"phase\":\"before\"}");
				assertThat(first.status()).as("%s", first).isEqualTo(202);
				HttpJson.Answer consumed = http.consume(STREAM, "reader", 10);
				assertThat(consumed.events()).hasSize(1);
				assertThat(http.ack(STREAM, "reader", first.longValue("last_rowid")).status()).isEqualTo(200);

				postgres.stop();
				long outageStart = System.nanoTime();
				int rounds = 0;
				while (rounds < 2 || System.nanoTime() - outageStart < OUTAGE.toNanos()) {
					assertUnavailable("publish", () -> http.publish(STREAM, "{\"phase\":\"outage\"}"));
					assertUnavailable("consume", () -> http.consume(STREAM, "reader", 10));
					assertUnavailable("ack", () -> http.ack(STREAM, "reader", first.longValue("last_rowid")));
					assertUnavailable("describe", () -> http.get("/api/v1/streams/" + STREAM));
					assertUnavailable("list", () -> http.get("/api/v1/streams"));
					rounds++;
				}
				assertThat(before.failures).as("subscriber connected before the outage").isEmpty();

				postgres.restart();
				AtomicLong recovered = new AtomicLong();
				await().atMost(RECOVERY).pollInterval(Duration.ofMillis(250)).until(() -> {
					HttpJson.Answer answer = http.publish(STREAM, "{\"phase\":\"after\"}");
					assertThat(answer.status()).as("while recovering: %s", answer).isIn(202, 503);
					if (answer.status() == 202) {
						recovered.set(answer.longValue("last_rowid"));
						return true;
					}
					return false;
				});

				Subscriber after = Subscriber.open(server);
				await().atMost(RECOVERY).until(() -> subscribers(server) == 2);
				HttpJson.Answer last = http.publish(STREAM, "{\"phase\":\"later\"}");
				assertThat(last.status()).as("%s", last).isEqualTo(202);
				long lastRowid = last.longValue("last_rowid");

				await().atMost(RECOVERY).until(() -> before.ids.contains(lastRowid) && after.ids.contains(lastRowid));
				assertThat(before.ids).as("subscriber connected before the outage")
					.containsExactly(first.longValue("last_rowid"), recovered.get(), lastRowid);
				assertThat(after.ids).as("subscriber connected after the outage").containsExactly(lastRowid);
				assertThat(before.failures).isEmpty();
				assertThat(after.failures).isEmpty();

				List<Map<String, Object>> rest = http.consume(STREAM, "reader", 10).events();
				assertThat(rest).extracting((event) -> event.get("phase")).containsExactly("after", "later");
				assertThat(http.ack(STREAM, "reader", lastRowid).status()).isEqualTo(200);
				before.disposable.dispose();
				after.disposable.dispose();
			}
		}
	}

	private static void assertUnavailable(String request, Supplier<HttpJson.Answer> call) {
		HttpJson.Answer answer = call.get();
		assertThat(answer.status()).as("%s during the outage: %s", request, answer).isEqualTo(503);
		assertThat(answer.elapsed()).as("%s during the outage: %s", request, answer).isLessThan(ANSWER_BOUND);
		assertThat(MediaType.parseMediaType(answer.contentType()).isCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
			.as("%s content type: %s", request, answer)
			.isTrue();
		// The breaker's open duration (interlace.resilience.circuit-breaker.open-duration, 2 s by default).
		assertThat(answer.retryAfter()).as("%s Retry-After", request).isEqualTo("2");
		assertThat(answer.json()).containsEntry("status", 503)
			.containsEntry("code", "SERVICE_UNAVAILABLE")
			.containsEntry("retry_after", 2);
		assertThat(answer.body()).doesNotContain("Exception", "jdbc:", "postgres");
	}

	static ConfigurableApplicationContext start(TestPostgres postgres, String database) {
		return new SpringApplicationBuilder(InterlaceServerApplication.class).run("--server.port=0",
				"--spring.datasource.url=" + postgres.jdbcUrl(database),
				"--spring.datasource.username=" + postgres.username(), "--spring.datasource.password=unused",
				"--spring.profiles.active=pg", "--spring.main.banner-mode=off");
	}

	private static int subscribers(ConfigurableApplicationContext server) {
		return server.getBean(DefaultStreams.class).subscriberCount(STREAM);
	}

	/**
	 * A live SSE subscriber of {@link #STREAM}, recording the rowids it receives.
	 */
	private record Subscriber(List<Long> ids, ConcurrentLinkedQueue<Throwable> failures, Disposable disposable) {

		static Subscriber open(ConfigurableApplicationContext server) {
			List<Long> ids = new CopyOnWriteArrayList<>();
			ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
			Disposable disposable = WebClient.create(HttpJson.baseUrl(server))
				.get()
				.uri("/api/v1/streams/{name}/subscribe", STREAM)
				.accept(MediaType.TEXT_EVENT_STREAM)
				.retrieve()
				.bodyToFlux(StreamsApi.SSE)
				.filter((event) -> SubscribeController.EVENT.equals(event.event()))
				.subscribe((event) -> ids.add(Long.parseLong(event.id())), failures::add,
						() -> failures.add(new IllegalStateException("event stream ended")));
			return new Subscriber(ids, failures, disposable);
		}

	}

}
