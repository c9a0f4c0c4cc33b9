package dev.interlace.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.http.HttpStatus;
import org.springframework.test.web.reactive.server.EntityExchangeResult;

import dev.interlace.core.engine.DefaultStreams;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keyed publishes over HTTP on DuckDB: {@code Idempotency-Key} on {@code POST /api/v1/streams/{name}}, as Stripe
 * and the IETF draft {@code draft-ietf-httpapi-idempotency-key-header} have it (Redis 7.2's XADD has no idempotency
 * of its own). A repeat is answered with the original 202 body and {@code Idempotent-Replayed: true}.
 */
class IdempotentPublishIntegrationTests extends ApiIntegrationTestSupport {

	private static final String KEY = "Idempotency-Key";

	private static final String REPLAYED = "Idempotent-Replayed";

	@AfterEach
	void rejectedRequestsStoredNothing() {
		assertThat(rowCount("api_rejects")).isZero();
	}

	@Test
	void aRepeatedKeyIsAnsweredWithTheOriginalBodyAndStoresNothing() {
		long before = rowCount("api_idem");
		EntityExchangeResult<String> first = keyed("api_idem", "[{\"n\":1},{\"n\":2}]", "order-7");
		assertThat(first.getStatus()).isEqualTo(HttpStatus.ACCEPTED);
		assertThat(first.getResponseHeaders().getFirst(REPLAYED)).isNull();
		assertThat(first.getResponseBody()).contains("\"rows_received\":2");
		EntityExchangeResult<String> repeat = keyed("api_idem", "[{\"n\":1},{\"n\":2}]", "order-7");
		assertThat(repeat.getStatus()).isEqualTo(HttpStatus.ACCEPTED);
		assertThat(repeat.getResponseHeaders().getFirst(REPLAYED)).isEqualTo("true");
		assertThat(repeat.getResponseBody()).isEqualTo(first.getResponseBody());
		assertThat(rowCount("api_idem")).isEqualTo(before + 2);
	}

	@Test
	void concurrentRepeatsStoreOnceAndAllGetTheSameBody() throws Exception {
		long before = rowCount("api_idem");
		int requests = 8;
		ExecutorService pool = Executors.newFixedThreadPool(requests);
		CountDownLatch start = new CountDownLatch(1);
		List<EntityExchangeResult<String>> results = new ArrayList<>();
		try {
			List<Future<EntityExchangeResult<String>>> sent = new ArrayList<>();
			for (int i = 0; i < requests; i++) {
				sent.add(pool.submit(() -> {
					start.await();
					return keyed("api_idem", "{\"n\":42}", "concurrent-http");
				}));
			}
			start.countDown();
			for (Future<EntityExchangeResult<String>> each : sent) {
				results.add(each.get(1, TimeUnit.MINUTES));
			}
		}
		finally {
			pool.shutdownNow();
		}
		assertThat(results).extracting(EntityExchangeResult::getStatus).containsOnly(HttpStatus.ACCEPTED);
		assertThat(results).extracting(EntityExchangeResult::getResponseBody)
			.containsOnly(results.get(0).getResponseBody());
		assertThat(results).filteredOn((result) -> result.getResponseHeaders().getFirst(REPLAYED) == null)
			.hasSize(1);
		assertThat(rowCount("api_idem")).isEqualTo(before + 1);
	}

	@Test
	void aKeyReusedWithOtherEventsIsA422AndStoresNothing() {
		assertThat(keyed("api_idem", "{\"n\":1}", "reused").getStatus()).isEqualTo(HttpStatus.ACCEPTED);
		long before = rowCount("api_idem");
		Map<String, Object> problem = assertProblem(
				this.api.post("/api/v1/streams/api_idem", "{\"n\":2}", (headers) -> headers.set(KEY, "reused")),
				HttpStatus.UNPROCESSABLE_CONTENT, "IDEMPOTENCY_KEY_REUSED");
		assertThat((String) problem.get("detail")).contains("'reused'", "'api_idem'", "other events");
		assertThat(rowCount("api_idem")).isEqualTo(before);
		// Fields in another order and whitespace are the same events.
		EntityExchangeResult<String> repeat = keyed("api_idem", "{ \"n\" : 1 }", "reused");
		assertThat(repeat.getResponseHeaders().getFirst(REPLAYED)).isEqualTo("true");
	}

	@Test
	void badKeysAre400sNamingTheHeaderBeforeAnythingIsStored() {
		assertThat(badKey("")).isEqualTo("Idempotency-Key header must not be empty");
		// A blank key cannot be sent: HTTP strips the whitespace around a header value, leaving an empty one.
		assertThat(badKey("k".repeat(201)))
			.isEqualTo("Idempotency-Key header must be at most 200 characters, was 201");
		Map<String, Object> twice = assertProblem(this.api.post("/api/v1/streams/api_rejects", "{\"n\":1}",
				(headers) -> headers.addAll(KEY, List.of("a", "b"))), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
		assertThat(twice).containsEntry("detail", "Send one Idempotency-Key header, not 2");
		// The longest key allowed is stored.
		assertThat(keyed("api_idem", "{\"n\":1}", "k".repeat(200)).getStatus()).isEqualTo(HttpStatus.ACCEPTED);
		// A key on a stream that does not exist is a 404 as without one.
		assertProblem(this.api.post("/api/v1/streams/no_such_stream", "{\"n\":1}", (headers) -> headers.set(KEY, "k")),
				HttpStatus.NOT_FOUND, "RESOURCE_NOT_FOUND");
	}

	@Test
	void aFailedKeyedPublishStoresNoKeySoTheCorrectedRetrySucceeds() {
		Map<String, Object> problem = assertProblem(this.api.post("/api/v1/streams/api_idem_typed",
				"[{\"amount\":1},{\"amount\":\"many\"}]", (headers) -> headers.set(KEY, "fix-me")),
				HttpStatus.BAD_REQUEST, "VALIDATION_ERROR");
		assertThat(problem).containsEntry("field", "amount");
		assertThat(rowCount("api_idem_typed")).isZero();
		EntityExchangeResult<String> corrected = keyed("api_idem_typed", "[{\"amount\":1},{\"amount\":2}]",
				"fix-me");
		assertThat(corrected.getStatus()).isEqualTo(HttpStatus.ACCEPTED);
		assertThat(corrected.getResponseHeaders().getFirst(REPLAYED)).isNull();
		assertThat(rowCount("api_idem_typed")).isEqualTo(2);
		assertThat(this.context.getBean(DefaultStreams.class).idempotencyWindow("api_idem_typed"))
			.hasHours(1);
	}

	@Test
	void theSameKeyOnAnotherStreamIsAnotherKey() {
		EntityExchangeResult<String> first = keyed("api_idem", "{\"n\":5}", "shared-key");
		long before = rowCount("api_idem_other");
		EntityExchangeResult<String> other = keyed("api_idem_other", "{\"n\":5}", "shared-key");
		assertThat(other.getResponseHeaders().getFirst(REPLAYED)).isNull();
		assertThat(other.getResponseBody()).contains("\"stream\":\"api_idem_other\"")
			.isNotEqualTo(first.getResponseBody());
		assertThat(rowCount("api_idem_other")).isEqualTo(before + 1);
	}

	@Test
	void publishesWithoutAKeyAreNeverReplayed() {
		long before = rowCount("api_idem");
		for (int i = 0; i < 2; i++) {
			assertThat(publish("api_idem", "{\"n\":9}").expectStatus()
				.isAccepted()
				.expectHeader()
				.doesNotExist(REPLAYED)
				.expectBody(String.class)
				.returnResult()
				.getResponseBody()).contains("\"rows_received\":1");
		}
		assertThat(rowCount("api_idem")).isEqualTo(before + 2);
	}

	private EntityExchangeResult<String> keyed(String stream, String json, String key) {
		return this.api.post("/api/v1/streams/" + stream, json, (headers) -> headers.set(KEY, key))
			.expectBody(String.class)
			.returnResult();
	}

	private String badKey(String key) {
		Map<String, Object> problem = assertProblem(
				this.api.post("/api/v1/streams/api_rejects", "{\"n\":1}", (headers) -> headers.set(KEY, key)),
				HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
		return (String) problem.get("detail");
	}

}
