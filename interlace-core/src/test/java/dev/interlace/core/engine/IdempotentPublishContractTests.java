package dev.interlace.core.engine;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.interlace.core.FieldType;
import dev.interlace.core.IdempotencyKeyReusedException;
import dev.interlace.core.IdempotentPublish;
import dev.interlace.core.InvalidEventException;
import dev.interlace.core.InvalidRequestException;
import dev.interlace.core.PublishResult;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.Streams;
import dev.interlace.core.store.DatabaseStores;
import dev.interlace.core.store.StreamStore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract of keyed (idempotent) publishes on a backend, through {@link DefaultStreams}: a repeat of a key within
 * the window is answered with the original result and stores nothing, whatever happens in between (concurrency,
 * restarts), and a failed publish leaves no key. Redis 7.2 has no idempotent XADD, so these follow the HTTP
 * {@code Idempotency-Key} convention (Stripe, IETF draft-ietf-httpapi-idempotency-key-header) instead. Each backend
 * extends this class with a factory that opens its store on durable storage; {@link #openStore()} called again
 * after the store is closed must see the same data.
 */
public abstract class IdempotentPublishContractTests {

	protected static final StreamDefinition ORDERS = StreamDefinition.builder("orders")
		.field("order_id", FieldType.STRING)
		.field("amount", FieldType.INT64)
		.build();

	protected static final StreamDefinition REFUNDS = StreamDefinition.builder("refunds")
		.field("order_id", FieldType.STRING)
		.field("amount", FieldType.INT64)
		.build();

	protected final MovableClock clock = new MovableClock(Instant.parse("2026-12-01T00:00:00Z"));

	protected StreamStore store;

	protected DefaultStreams streams;

	/**
	 * Opens the store of this test's database: a second call after closing the first reopens the same data.
	 * @return a store offering streams and transactions
	 */
	protected abstract StreamStore openStore();

	@BeforeEach
	void openTheStreams() {
		this.store = openStore();
		this.streams = streamsOver(this.store);
	}

	@AfterEach
	void closeTheStore() {
		this.store.close();
	}

	protected DefaultStreams streamsOver(StreamStore store) {
		DefaultStreams streams = new DefaultStreams(List.of(ORDERS, REFUNDS), Map.of("default", store));
		streams.setIdempotencyClock(this.clock);
		return streams;
	}

	@Test
	void aRepeatOfAKeyIsAnsweredWithTheOriginalResultAndStoresNothing() {
		IdempotentPublish first = this.streams.publishIdempotentBlocking("orders", orders(3), "order-batch-1");
		assertThat(first.replayed()).isFalse();
		assertThat(first.result().rowsReceived()).isEqualTo(3);
		IdempotentPublish repeat = this.streams.publishIdempotentBlocking("orders", orders(3), "order-batch-1");
		assertThat(repeat.replayed()).isTrue();
		assertThat(repeat.result()).isEqualTo(first.result());
		// The reactive and blocking overloads of the Java API answer the same.
		assertThat(this.streams.publish("orders", orders(3), "order-batch-1").block()).isEqualTo(first.result());
		assertThat(this.streams.publishBlocking("orders", orders(3), "order-batch-1")).isEqualTo(first.result());
		assertThat(this.streams.count("orders")).isEqualTo(3);
		assertThat(this.store.readAfter("orders", 0, 10)).hasSize(3);
		// Unkeyed publishes go on after the keyed one's rowids.
		assertThat(this.streams.publishBlocking("orders", orders(1)).firstRowid()).isEqualTo(4);
		assertThat(keys("orders")).isEqualTo(1);
	}

	@Test
	void theSameEventsWithFieldsInAnotherOrderAndNumbersOfAnotherTypeAreARepeat() {
		PublishResult first = this.streams.publishBlocking("orders",
				List.of(event("order_id", "o-1", "amount", 10)), "k");
		Map<String, Object> reordered = new LinkedHashMap<>();
		reordered.put("amount", 10L);
		reordered.put("order_id", "o-1");
		IdempotentPublish repeat = this.streams.publishIdempotentBlocking("orders", List.of(reordered), "k");
		assertThat(repeat.replayed()).isTrue();
		assertThat(repeat.result()).isEqualTo(first);
		assertThat(this.streams.count("orders")).isEqualTo(1);
	}

	@Test
	void aKeyRepeatedWithOtherEventsIsRefusedAndStoresNothing() {
		this.streams.publishBlocking("orders", orders(2), "k");
		assertThatThrownBy(() -> this.streams.publishBlocking("orders", orders(3), "k"))
			.isInstanceOf(IdempotencyKeyReusedException.class)
			.hasMessageContaining("'k'")
			.hasMessageContaining("'orders'");
		assertThatThrownBy(() -> this.streams.publishBlocking("orders",
				List.of(event("order_id", "o-0", "amount", 99), event("order_id", "o-1", "amount", 1)), "k"))
			.isInstanceOf(IdempotencyKeyReusedException.class);
		assertThat(this.streams.count("orders")).isEqualTo(2);
	}

	@Test
	void concurrentRepeatsOfAKeyStoreOnceAndAllGetTheSameResult() throws Exception {
		int threads = 8;
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		CountDownLatch start = new CountDownLatch(1);
		try {
			List<Future<IdempotentPublish>> publishes = new ArrayList<>();
			for (int i = 0; i < threads; i++) {
				publishes.add(pool.submit(() -> {
					start.await();
					return this.streams.publishIdempotentBlocking("orders", orders(5), "concurrent");
				}));
			}
			start.countDown();
			List<IdempotentPublish> results = new ArrayList<>();
			for (Future<IdempotentPublish> publish : publishes) {
				results.add(publish.get(1, TimeUnit.MINUTES));
			}
			assertThat(results).extracting(IdempotentPublish::result).containsOnly(results.get(0).result());
			assertThat(results).filteredOn((result) -> !result.replayed()).hasSize(1);
		}
		finally {
			pool.shutdownNow();
		}
		assertThat(this.streams.count("orders")).isEqualTo(5);
		assertThat(this.store.readAfter("orders", 0, 100)).hasSize(5);
	}

	@Test
	void aKeySurvivesARestart() {
		PublishResult first = this.streams.publishBlocking("orders", orders(2), "durable");
		this.store.close();
		this.store = openStore();
		this.streams = streamsOver(this.store);
		IdempotentPublish repeat = this.streams.publishIdempotentBlocking("orders", orders(2), "durable");
		assertThat(repeat.replayed()).isTrue();
		assertThat(repeat.result()).isEqualTo(first);
		assertThat(this.streams.count("orders")).isEqualTo(2);
	}

	@Test
	void aRepeatAfterTheWindowStoresAgainAndReplacesTheKey() {
		this.streams.idempotencyWindow("orders", Duration.ofHours(1));
		PublishResult first = this.streams.publishBlocking("orders", orders(2), "k");
		this.clock.advance(Duration.ofMinutes(59));
		assertThat(this.streams.publishIdempotentBlocking("orders", orders(2), "k").replayed()).isTrue();
		this.clock.advance(Duration.ofMinutes(2));
		IdempotentPublish again = this.streams.publishIdempotentBlocking("orders", orders(2), "k");
		assertThat(again.replayed()).isFalse();
		assertThat(again.result().publishId()).isNotEqualTo(first.publishId());
		assertThat(again.result().firstRowid()).isEqualTo(3);
		assertThat(this.streams.count("orders")).isEqualTo(4);
		// The key now answers with the second publish, for a window from it.
		IdempotentPublish repeat = this.streams.publishIdempotentBlocking("orders", orders(2), "k");
		assertThat(repeat.replayed()).isTrue();
		assertThat(repeat.result()).isEqualTo(again.result());
		// After expiry the key is free for other events too.
		this.clock.advance(Duration.ofHours(2));
		assertThat(this.streams.publishIdempotentBlocking("orders", orders(1), "k").replayed()).isFalse();
		assertThat(keys("orders")).isEqualTo(1);
	}

	@Test
	void expiredKeysAreDeletedInBatchesAndLiveOnesKept() {
		this.streams.idempotencyWindow("orders", Duration.ofHours(1));
		for (int i = 0; i < 5; i++) {
			this.streams.publishBlocking("orders", orders(1), "old-" + i);
		}
		this.streams.publishBlocking("refunds", orders(1), "old-0");
		this.clock.advance(Duration.ofMinutes(90));
		this.streams.publishBlocking("orders", orders(1), "new");
		assertThat(this.streams.deleteExpiredIdempotencyKeys("orders", 2)).isEqualTo(5);
		assertThat(keys("orders")).isEqualTo(1);
		// The refunds stream keeps the default window of 24 hours.
		assertThat(this.streams.deleteExpiredIdempotencyKeys("refunds", 2)).isZero();
		assertThat(keys("refunds")).isEqualTo(1);
		// Deleting keys deletes no events.
		assertThat(this.streams.count("orders")).isEqualTo(6);
		assertThat(this.streams.publishIdempotentBlocking("orders", orders(1), "new").replayed()).isTrue();
	}

	@Test
	void theRetentionTaskDeletesExpiredKeysOnItsRuns() {
		this.streams.idempotencyWindow("orders", Duration.ofHours(1));
		this.streams.publishBlocking("orders", orders(1), "old");
		this.clock.advance(Duration.ofHours(2));
		RetentionTask retention = new RetentionTask(this.streams);
		retention.run();
		assertThat(keys("orders")).isZero();
		assertThat(this.streams.count("orders")).isEqualTo(1);
	}

	@Test
	void theSameKeyOnTwoStreamsIsTwoKeys() {
		PublishResult orders = this.streams.publishBlocking("orders", orders(2), "shared");
		IdempotentPublish refunds = this.streams.publishIdempotentBlocking("refunds", orders(3), "shared");
		assertThat(refunds.replayed()).isFalse();
		assertThat(refunds.result().stream()).isEqualTo("refunds");
		assertThat(refunds.result().publishId()).isNotEqualTo(orders.publishId());
		assertThat(this.streams.count("orders")).isEqualTo(2);
		assertThat(this.streams.count("refunds")).isEqualTo(3);
		assertThat(this.streams.publishBlocking("orders", orders(2), "shared")).isEqualTo(orders);
	}

	@Test
	void aFailedPublishStoresNoKeySoACorrectedRetryWithTheKeySucceeds() {
		List<Map<String, Object>> bad = List.of(event("order_id", "o-1", "amount", 1),
				event("order_id", "o-2", "amount", "not a number"));
		assertThatThrownBy(() -> this.streams.publishBlocking("orders", bad, "retry-me"))
			.isInstanceOf(InvalidEventException.class);
		assertThat(keys("orders")).isZero();
		assertThat(this.streams.count("orders")).isZero();
		IdempotentPublish corrected = this.streams.publishIdempotentBlocking("orders", orders(2), "retry-me");
		assertThat(corrected.replayed()).isFalse();
		assertThat(corrected.result().firstRowid()).isEqualTo(1);
		assertThat(this.streams.count("orders")).isEqualTo(2);
	}

	@Test
	void badKeysAreRefusedNamingTheProblemAndStoreNothing() {
		assertThatThrownBy(() -> this.streams.publishBlocking("orders", orders(1), ""))
			.isInstanceOf(InvalidRequestException.class)
			.hasMessage("idempotency key must not be empty");
		assertThatThrownBy(() -> this.streams.publishBlocking("orders", orders(1), "   "))
			.isInstanceOf(InvalidRequestException.class)
			.hasMessage("idempotency key must not be blank");
		assertThatThrownBy(() -> this.streams.publishBlocking("orders", orders(1),
				"k".repeat(Streams.MAX_IDEMPOTENCY_KEY_LENGTH + 1)))
			.isInstanceOf(InvalidRequestException.class)
			.hasMessage("idempotency key must be at most 200 characters, was 201");
		assertThatThrownBy(() -> this.streams.publishBlocking("orders", orders(1), "a\u0000b"))
			.isInstanceOf(InvalidRequestException.class)
			.hasMessageContaining("U+0000");
		assertThatThrownBy(() -> this.streams.publishBlocking("orders", List.of(), "k"))
			.isInstanceOf(InvalidRequestException.class);
		assertThat(this.streams.count("orders")).isZero();
		assertThat(keys("orders")).isZero();
		// The longest key allowed, of characters beyond the BMP, is stored and matched.
		String longest = "\uD83D\uDE00".repeat(Streams.MAX_IDEMPOTENCY_KEY_LENGTH / 2);
		PublishResult first = this.streams.publishBlocking("orders", orders(1), longest);
		assertThat(this.streams.publishBlocking("orders", orders(1), longest)).isEqualTo(first);
	}

	/**
	 * Returns how many idempotency keys a stream has stored, expired ones included.
	 * @param stream the stream
	 * @return the count
	 */
	protected long keys(String stream) {
		return DatabaseStores.of(this.store).transactions().inTransaction((transaction) -> {
			try (PreparedStatement query = transaction.connection()
				.prepareStatement("SELECT count(*) FROM interlace.idempotency_keys WHERE stream = ?")) {
				query.setString(1, stream);
				try (ResultSet rows = query.executeQuery()) {
					rows.next();
					return rows.getLong(1);
				}
			}
		});
	}

	protected static List<Map<String, Object>> orders(int count) {
		List<Map<String, Object>> events = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			events.add(event("order_id", "o-" + i, "amount", i));
		}
		return events;
	}

	protected static Map<String, Object> event(Object... keyValues) {
		Map<String, Object> event = new LinkedHashMap<>();
		for (int i = 0; i < keyValues.length; i += 2) {
			event.put((String) keyValues[i], keyValues[i + 1]);
		}
		return event;
	}

	/** A clock tests move forward by hand. */
	protected static final class MovableClock extends Clock {

		private volatile Instant now;

		MovableClock(Instant now) {
			this.now = now;
		}

		void advance(Duration duration) {
			this.now = this.now.plus(duration);
		}

		@Override
		public ZoneOffset getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(java.time.ZoneId zone) {
			return this;
		}

		@Override
		public Instant instant() {
			return this.now;
		}

	}

}
