package dev.interlace.server;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.web.reactive.server.EntityExchangeResult;

import dev.interlace.server.InterlaceServerTest.Database;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keyed publishes over HTTP on PostgreSQL: concurrent repeats of an {@code Idempotency-Key} store once, a repeat is
 * answered with the original body, a reuse with other events is a 422 (as Stripe answers; Redis 7.2's XADD has no
 * idempotency of its own).
 */
@InterlaceServerTest(database = Database.POSTGRESQL)
@ActiveProfiles("pg")
class PostgresIdempotentPublishIntegrationTests {

	private static final String KEY = "Idempotency-Key";

	private static final String REPLAYED = "Idempotent-Replayed";

	@Autowired
	StreamsApi api;

	@Test
	void concurrentRepeatsStoreOnceAndARepeatAfterThemIsAReplay() throws Exception {
		long before = this.api.rowCount("pg_idem");
		int requests = 8;
		ExecutorService pool = Executors.newFixedThreadPool(requests);
		CountDownLatch start = new CountDownLatch(1);
		List<EntityExchangeResult<String>> results = new ArrayList<>();
		try {
			List<Future<EntityExchangeResult<String>>> sent = new ArrayList<>();
			for (int i = 0; i < requests; i++) {
				sent.add(pool.submit(() -> {
					start.await();
					return keyed("[{\"amount\":1},{\"amount\":2}]", "pg-concurrent");
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
		EntityExchangeResult<String> repeat = keyed("[{\"amount\":1},{\"amount\":2}]", "pg-concurrent");
		assertThat(repeat.getResponseHeaders().getFirst(REPLAYED)).isEqualTo("true");
		assertThat(repeat.getResponseBody()).isEqualTo(results.get(0).getResponseBody());
		assertThat(this.api.rowCount("pg_idem")).isEqualTo(before + 2);
	}

	@Test
	void aKeyReusedWithOtherEventsIsA422AndAFailedPublishLeavesNoKey() {
		assertThat(keyed("{\"amount\":\"many\"}", "pg-fix-me").getStatus()).isEqualTo(HttpStatus.BAD_REQUEST);
		long before = this.api.rowCount("pg_idem");
		EntityExchangeResult<String> corrected = keyed("{\"amount\":3}", "pg-fix-me");
		assertThat(corrected.getStatus()).isEqualTo(HttpStatus.ACCEPTED);
		assertThat(corrected.getResponseHeaders().getFirst(REPLAYED)).isNull();
		EntityExchangeResult<String> reused = keyed("{\"amount\":4}", "pg-fix-me");
		assertThat(reused.getStatus()).isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT);
		assertThat(reused.getResponseBody()).contains("\"code\":\"IDEMPOTENCY_KEY_REUSED\"");
		assertThat(this.api.rowCount("pg_idem")).isEqualTo(before + 1);
	}

	private EntityExchangeResult<String> keyed(String json, String key) {
		return this.api.post("/api/v1/streams/pg_idem", json, (headers) -> headers.set(KEY, key))
			.expectBody(String.class)
			.returnResult();
	}

}
