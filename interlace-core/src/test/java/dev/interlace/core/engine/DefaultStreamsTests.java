package dev.interlace.core.engine;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import dev.interlace.core.ConsumedBatch;
import dev.interlace.core.ConsumerLimitException;
import dev.interlace.core.FieldType;
import dev.interlace.core.InvalidEventException;
import dev.interlace.core.InvalidRequestException;
import dev.interlace.core.StoredEvent;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.StreamNotFoundException;
import dev.interlace.core.Streams;
import dev.interlace.core.SubscribeOptions;
import dev.interlace.core.SubscriberOverflowException;
import dev.interlace.core.annotation.Stream;
import dev.interlace.core.store.duckdb.DuckDbStreamStore;
import dev.interlace.core.store.duckdb.DuckDbTestStores;
import dev.interlace.core.store.support.EventConverter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DefaultStreamsTests {

	@RegisterExtension
	final DuckDbTestStores database = new DuckDbTestStores();

	DuckDbStreamStore store;

	DefaultStreams streams;

	@Stream(value = "payments", description = "Payments received", tags = { "billing" }, validateSchema = true)
	record Payment(String paymentId, BigDecimal amount, Instant receivedAt, boolean refunded) {
	}

	record NotAStream(String id) {
	}

	@BeforeEach
	void open() {
		this.store = this.database.open();
		this.streams = streams(DefaultStreams.DEFAULT_SUBSCRIBER_BUFFER_SIZE);
	}

	DefaultStreams streams(int bufferSize) {
		return new DefaultStreams(definitions(), Map.of("default", this.store), bufferSize, Schedulers.boundedElastic());
	}

	DefaultStreams streamsWithBudget(long consumeMaxBytes) {
		return new DefaultStreams(definitions(), Map.of("default", this.store),
				DefaultStreams.DEFAULT_SUBSCRIBER_BUFFER_SIZE, Schedulers.boundedElastic(), ReadRetry.DEFAULTS,
				consumeMaxBytes);
	}

	private static List<StreamDefinition> definitions() {
		return List.of(
				StreamDefinition.builder("orders").field("order_id", FieldType.STRING).field("amount", FieldType.INT64).build(),
				StreamRecords.definition(Payment.class, (value) -> value));
	}

	/** Events whose order_id holds {@code length} characters, their index first. */
	private static List<Map<String, Object>> events(int count, int length) {
		List<Map<String, Object>> events = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			String prefix = i + "-";
			events.add(Map.of("order_id", prefix + "o".repeat(Math.max(0, length - prefix.length())), "amount", i));
		}
		return events;
	}

	@Test
	void publishCompletesWithTheCommittedRows() {
		StepVerifier.create(this.streams.publish("orders", List.of(Map.of("order_id", "a"), Map.of("order_id", "b"))))
			.assertNext((result) -> {
				assertThat(result.status()).isEqualTo("accepted");
				assertThat(result.stream()).isEqualTo("orders");
				assertThat(result.rowsReceived()).isEqualTo(2);
				assertThat(result.triggeredModels()).isEmpty();
			})
			.expectComplete()
			.verify(Duration.ofSeconds(10));
		assertThat(this.streams.count("orders")).isEqualTo(2);
	}

	@Test
	void subscribersSeeOnlyEventsCommittedAfterTheySubscribed() {
		this.streams.publishBlocking("orders", Map.of("order_id", "before"));
		StepVerifier.create(this.streams.subscribe("orders").take(2))
			.then(() -> this.streams.publishBlocking("orders", List.of(Map.of("order_id", "a"), Map.of("order_id", "b"))))
			.assertNext((event) -> assertThat(event.data()).containsEntry("order_id", "a"))
			.assertNext((event) -> assertThat(event.rowid()).isEqualTo(3))
			.expectComplete()
			.verify(Duration.ofSeconds(10));
	}

	@Test
	void liveEventsEqualStoredEvents() throws Exception {
		List<StoredEvent> live = new CopyOnWriteArrayList<>();
		Disposable subscription = this.streams.subscribe("orders").subscribe(live::add);
		try {
			this.streams.publishBlocking("orders", Map.of("order_id", "a", "amount", 5));
			awaitSize(live, 1);
			assertThat(live).isEqualTo(this.store.readAfter("orders", 0, 10));
		}
		finally {
			subscription.dispose();
		}
	}

	@Test
	void batchedSubscriptionEmitsFullBatchesAndPartialOnesAfterTheTimeout() {
		StepVerifier.create(this.streams.subscribe("orders", SubscribeOptions.batches(2, Duration.ofMillis(300))
			.withFilter((event) -> !"skip".equals(event.data().get("order_id")))).take(2))
			.then(() -> this.streams.publishBlocking("orders",
					List.of(Map.of("order_id", "a"), Map.of("order_id", "skip"), Map.of("order_id", "b"),
							Map.of("order_id", "c"))))
			.assertNext((batch) -> assertThat(batch).extracting((e) -> e.data().get("order_id")).containsExactly("a", "b"))
			.assertNext((batch) -> assertThat(batch).extracting((e) -> e.data().get("order_id")).containsExactly("c"))
			.expectComplete()
			.verify(Duration.ofSeconds(10));
	}

	@Test
	void aSlowSubscriberIsDisconnectedWithoutHoldingUpPublishersOrOtherSubscribers() throws Exception {
		CountDownLatch release = new CountDownLatch(1);
		AtomicReference<Throwable> slowError = new AtomicReference<>();
		List<StoredEvent> slowSeen = new CopyOnWriteArrayList<>();
		Disposable slow = this.streams.subscribe("orders").subscribe((event) -> {
			slowSeen.add(event);
			try {
				release.await(30, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}, slowError::set);
		java.util.concurrent.atomic.AtomicLong fastCount = new java.util.concurrent.atomic.AtomicLong();
		java.util.concurrent.atomic.AtomicLong fastLast = new java.util.concurrent.atomic.AtomicLong();
		List<String> fastProblems = new CopyOnWriteArrayList<>();
		Disposable fastSubscription = this.streams.subscribe("orders").subscribe((event) -> {
			if (event.rowid() != fastLast.get() + 1) {
				fastProblems.add("after " + fastLast.get() + " came " + event.rowid());
			}
			fastLast.set(event.rowid());
			fastCount.incrementAndGet();
		}, (error) -> fastProblems.add(error.toString()));
		try {
			int total = 40_000;
			for (int i = 0; i < total / 100; i++) {
				// Paced by what the fast subscriber has received, never by the clock: it stays within 1,000 events
				// of the publisher, far inside its buffer, however busy the machine. The slow one sets no pace: had
				// it held up the publisher, this loop would never end.
				long published = i * 100L;
				long paceDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
				while (fastCount.get() < published - 1_000 && fastProblems.isEmpty() && System.nanoTime() < paceDeadline) {
					Thread.onSpinWait();
				}
				assertThat(fastProblems).isEmpty();
				assertThat(fastCount.get()).as("fast subscriber within 1,000 events").isGreaterThanOrEqualTo(published - 1_000);
				List<Map<String, Object>> batch = new ArrayList<>();
				for (int j = 0; j < 100; j++) {
					batch.add(Map.of("amount", i * 100 + j));
				}
				this.streams.publishBlocking("orders", batch);
			}
			long fastDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
			while (fastCount.get() < total && fastProblems.isEmpty() && System.nanoTime() < fastDeadline) {
				Thread.sleep(5);
			}
			assertThat(fastProblems).isEmpty();
			assertThat(fastCount.get()).isEqualTo(total);
			// The overflowing subscriber is detached from the stream at once, even while its code is still busy...
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
			while (this.streams.subscriberCount("orders") > 1 && System.nanoTime() < deadline) {
				Thread.sleep(10);
			}
			assertThat(this.streams.subscriberCount("orders")).isEqualTo(1);
			// ...and is told why as soon as it returns, without first working through its backlog.
			release.countDown();
			while (slowError.get() == null && System.nanoTime() < deadline) {
				Thread.sleep(10);
			}
			assertThat(slowError.get()).isInstanceOfSatisfying(SubscriberOverflowException.class,
					(ex) -> assertThat(ex.getStream()).isEqualTo("orders"));
			// Bounded: the slow subscriber got far fewer events than were published.
			assertThat(slowSeen.size()).isLessThan(total / 2);
		}
		finally {
			release.countDown();
			slow.dispose();
			fastSubscription.dispose();
		}
	}

	@Test
	void liveEventsAreDeliveredOnTheSchedulerASubscriberAsksFor() throws Exception {
		Scheduler own = Schedulers.newSingle("own-delivery");
		List<String> threads = new CopyOnWriteArrayList<>();
		List<StoredEvent> live = new CopyOnWriteArrayList<>();
		List<StoredEvent> resumed = new CopyOnWriteArrayList<>();
		Disposable liveSubscription = this.streams.subscribe("orders", own).subscribe((event) -> {
			threads.add(Thread.currentThread().getName());
			live.add(event);
		});
		this.streams.publishBlocking("orders", Map.of("amount", 1));
		// Replayed events arrive on the thread that read them; only live ones go through the scheduler.
		Disposable resumedSubscription = this.streams.subscribe("orders", 1, own).subscribe(resumed::add);
		try {
			this.streams.publishBlocking("orders", Map.of("amount", 2));
			awaitSize(live, 2);
			awaitSize(resumed, 1);
			assertThat(live).extracting(StoredEvent::rowid).containsExactly(1L, 2L);
			assertThat(resumed).extracting(StoredEvent::rowid).containsExactly(2L);
			assertThat(threads).allSatisfy((thread) -> assertThat(thread).startsWith("own-delivery"));
		}
		finally {
			liveSubscription.dispose();
			resumedSubscription.dispose();
			own.dispose();
		}
	}

	@Test
	void subscribeFromARowidReplaysThenContinuesLiveWithoutGapOrDuplicate() throws Exception {
		for (int i = 1; i <= 50; i++) {
			this.streams.publishBlocking("orders", Map.of("amount", i));
		}
		List<StoredEvent> seen = new CopyOnWriteArrayList<>();
		Thread publisher = new Thread(() -> {
			for (int i = 51; i <= 150; i++) {
				this.streams.publishBlocking("orders", Map.of("amount", i));
			}
		});
		Disposable subscription = this.streams.subscribe("orders", 20).subscribe(seen::add);
		publisher.start();
		try {
			publisher.join(30_000);
			awaitSize(seen, 130);
			assertThat(seen).extracting(StoredEvent::rowid).containsExactlyElementsOf(
					java.util.stream.LongStream.rangeClosed(21, 150).boxed().toList());
		}
		finally {
			subscription.dispose();
		}
	}

	@Test
	void subscriberFromARowidThatFallsBehindIsToldTheLastRowidItGot() {
		this.streams = streams(16);
		for (int i = 1; i <= 5; i++) {
			this.streams.publishBlocking("orders", Map.of("amount", i));
		}
		List<Long> seen = new CopyOnWriteArrayList<>();
		StepVerifier.create(this.streams.subscribe("orders", 2).map(StoredEvent::rowid).doOnNext(seen::add), 3)
			.expectNext(3L, 4L, 5L)
			.then(() -> {
				// Live events pile up beyond the buffer while the subscriber asks for nothing more: the subscription
				// ends, and the rowid it names must be the last one delivered, or a resume would repeat events.
				for (int i = 6; i <= 200; i++) {
					this.streams.publishBlocking("orders", Map.of("amount", i));
				}
			})
			.thenRequest(Long.MAX_VALUE)
			.thenConsumeWhile((rowid) -> true)
			.expectErrorSatisfies((ex) -> assertThat(ex).isInstanceOfSatisfying(SubscriberOverflowException.class,
					(overflow) -> assertThat(overflow.getLastDeliveredRowid()).isEqualTo(seen.get(seen.size() - 1))))
			.verify(Duration.ofSeconds(30));
		assertThat(seen).isEqualTo(java.util.stream.LongStream.rangeClosed(3, seen.get(seen.size() - 1)).boxed().toList());
	}

	@Test
	void consumeReturnsUnacknowledgedEventsUntilTheyAreAcknowledged() {
		for (int i = 0; i < 5; i++) {
			this.streams.publishBlocking("orders", Map.of("amount", i));
		}
		ConsumedBatch first = this.streams.consume("orders", "billing", 3);
		assertThat(first.events()).extracting(StoredEvent::rowid).containsExactly(1L, 2L, 3L);
		assertThat(this.streams.consume("orders", "billing", 3).events()).isEqualTo(first.events());
		assertThat(this.streams.ack("orders", "billing", first.events())).isEqualTo(3);
		assertThat(this.streams.consume("orders", "billing", 3).events()).extracting(StoredEvent::rowid)
			.containsExactly(4L, 5L);
		assertThat(this.streams.consume("orders", "shipping").events()).hasSize(5);
		assertThat(this.streams.ack("orders", "billing", 1)).isEqualTo(3);
	}

	@Test
	void consumeReturnsOnlyAsManyEventsAsFitTheByteBudget() {
		this.streams = streamsWithBudget(8 * 1024);
		this.streams.publishBlocking("orders", events(20, 1_000));
		ConsumedBatch batch = this.streams.consume("orders", "billing", 100);
		List<StoredEvent> all = this.store.readAfter("orders", 0, 100);
		long budget = 0;
		int fitting = 0;
		while (budget + JsonSizes.of(all.get(fitting)) <= 8 * 1024) {
			budget += JsonSizes.of(all.get(fitting++));
		}
		assertThat(fitting).isBetween(2, 8);
		assertThat(batch.events()).isEqualTo(all.subList(0, fitting));
		assertThat(batch.truncated()).isTrue();
		assertThat(EventConverter.JSON.writeValueAsBytes(batch.events().stream().map(StoredEvent::toRow).toList()))
			.hasSizeLessThanOrEqualTo(8 * 1024);
	}

	@Test
	void anEventLargerThanTheByteBudgetIsReturnedAlone() {
		this.streams = streamsWithBudget(8 * 1024);
		this.streams.publishBlocking("orders", List.of(Map.of("order_id", "x".repeat(20_000)), Map.of("order_id", "small")));
		ConsumedBatch large = this.streams.consume("orders", "billing", 100);
		assertThat(large.events()).extracting(StoredEvent::rowid).containsExactly(1L);
		assertThat(large.truncated()).isTrue();
		this.streams.ack("orders", "billing", large.events());
		ConsumedBatch rest = this.streams.consume("orders", "billing", 100);
		assertThat(rest.events()).extracting(StoredEvent::rowid).containsExactly(2L);
		assertThat(rest.truncated()).isFalse();
	}

	@Test
	void aBatchThatSpendsTheWholeBudgetOnTheLastEventWaitingIsNotTruncated() {
		this.streams = streamsWithBudget(8 * 1024);
		this.streams.publishBlocking("orders", Map.of("order_id", "x".repeat(20_000)));
		ConsumedBatch batch = this.streams.consume("orders", "billing", 100);
		assertThat(batch.events()).hasSize(1);
		assertThat(batch.truncated()).isFalse();
	}

	@Test
	void consumingAndAcknowledgingUnderAByteBudgetReadsEveryEventOnceInOrder() {
		this.streams = streamsWithBudget(8 * 1024);
		List<Map<String, Object>> published = new ArrayList<>(events(150, 1_000));
		published.add(10, Map.of("order_id", "x".repeat(30_000)));
		published.add(11, Map.of("order_id", "y".repeat(30_000)));
		published.add(100, Map.of("order_id", "z".repeat(7_000)));
		this.streams.publishBlocking("orders", published);
		List<Long> read = new ArrayList<>();
		int batches = 0;
		while (true) {
			ConsumedBatch batch = this.streams.consume("orders", "billing", 100);
			if (batch.events().isEmpty()) {
				assertThat(batch.truncated()).isFalse();
				break;
			}
			batches++;
			batch.events().forEach((event) -> read.add(event.rowid()));
			assertThat(batch.truncated()).isEqualTo(read.size() < published.size());
			this.streams.ack("orders", "billing", batch.lastRowid());
		}
		assertThat(read).isEqualTo(java.util.stream.LongStream.rangeClosed(1, published.size()).boxed().toList());
		assertThat(batches).isGreaterThan(published.size() / 8);
	}

	@Test
	void theDefaultByteBudgetLeavesBatchesOfSmallEventsWhole() {
		assertThat(this.streams.consumeMaxBytes()).isEqualTo(DefaultStreams.DEFAULT_CONSUME_MAX_BYTES);
		this.streams.publishBlocking("orders", events(2_500, 40));
		ConsumedBatch batch = this.streams.consume("orders", "billing", Streams.MAX_BATCH_SIZE);
		assertThat(batch.events()).isEqualTo(this.store.readAfter("orders", 0, Streams.MAX_BATCH_SIZE)).hasSize(2_500);
		assertThat(batch.truncated()).isFalse();
		ConsumedBatch hundred = this.streams.consume("orders", "billing", 100);
		assertThat(hundred.events()).isEqualTo(batch.events().subList(0, 100));
		assertThat(hundred.truncated()).isFalse();
	}

	@Test
	void aByteBudgetMustBePositive() {
		assertThatThrownBy(() -> new DefaultStreams(List.of(), Map.of("default", this.store),
				DefaultStreams.DEFAULT_SUBSCRIBER_BUFFER_SIZE, Schedulers.boundedElastic(), ReadRetry.NONE, 0))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("consumeMaxBytes");
	}

	@Test
	void anEmptyAckChangesNothingAndCreatesNoCursor() {
		this.streams.publishBlocking("orders", Map.of("amount", 1));
		assertThat(this.streams.ack("orders", "newcomer", List.of())).isZero();
		assertThat(this.store.readCursors("orders")).isEmpty();
		this.streams.ack("orders", "billing", 1);
		assertThat(this.streams.ack("orders", "billing", List.of())).isEqualTo(1);
	}

	@Test
	void consumersBeyondTheLimitAreRefusedUntilOneIsDeleted() {
		this.streams = new DefaultStreams(definitions(), Map.of("default", this.store),
				DefaultStreams.DEFAULT_SUBSCRIBER_BUFFER_SIZE, Schedulers.boundedElastic(), ReadRetry.DEFAULTS,
				DefaultStreams.DEFAULT_CONSUME_MAX_BYTES, DefaultStreams.DEFAULT_MAX_CONCURRENT_REPLAYS, 2);
		this.streams.publishBlocking("orders", Map.of("amount", 1));
		this.streams.ack("orders", "a", 1);
		this.streams.ack("orders", "b", 1);
		// Consuming under a new name stores nothing, so it is not counted.
		assertThat(this.streams.consume("orders", "c").count()).isEqualTo(1);
		assertThatThrownBy(() -> this.streams.ack("orders", "c", 1)).isInstanceOf(ConsumerLimitException.class);
		assertThat(this.streams.ack("orders", "c", List.of())).isZero();
		assertThat(this.streams.deleteConsumer("orders", "a")).isTrue();
		assertThat(this.streams.deleteConsumer("orders", "a")).isFalse();
		assertThat(this.streams.ack("orders", "c", 1)).isEqualTo(1);
		assertThat(this.streams.cursor("orders", "a")).isZero();
	}

	@Test
	void cursorsSurviveARestart() {
		this.streams.publishBlocking("orders", List.of(Map.of("amount", 1), Map.of("amount", 2)));
		this.streams.ack("orders", "billing", 1);
		this.store.close();
		this.store = this.database.open();
		this.streams = streams(64);
		assertThat(this.streams.consume("orders", "billing").events()).extracting(StoredEvent::rowid).containsExactly(2L);
	}

	@Test
	void annotatedRecordsArePublishedSubscribedAndConsumedAsRecords() {
		Payment payment = new Payment("p-1", new BigDecimal("12.50"), Instant.parse("2024-05-01T10:00:00Z"), false);
		StepVerifier.create(this.streams.subscribe(Payment.class).take(1))
			.then(() -> this.streams.publishBlocking(payment))
			.expectNext(new Payment("p-1", new BigDecimal("12.5"), payment.receivedAt(), false))
			.expectComplete()
			.verify(Duration.ofSeconds(10));
		StepVerifier.create(this.streams.publishAll(List.of(new Payment("p-2", BigDecimal.ONE, Instant.EPOCH, true))))
			.assertNext((result) -> assertThat(result.stream()).isEqualTo("payments"))
			.expectComplete()
			.verify(Duration.ofSeconds(10));
		List<Streams.Consumed<Payment>> consumed = this.streams.consume(Payment.class, "ledger", 10);
		assertThat(consumed).extracting(Streams.Consumed::value).extracting(Payment::paymentId).containsExactly("p-1", "p-2");
		assertThat(this.streams.definition("payments").fields()).containsExactly(Map.entry("paymentId", FieldType.STRING),
				Map.entry("amount", FieldType.DECIMAL), Map.entry("receivedAt", FieldType.TIMESTAMP),
				Map.entry("refunded", FieldType.BOOLEAN));
		assertThat(this.streams.definition("payments").tags()).containsExactly("billing");
	}

	@Test
	void misuseIsReportedWithTypedExceptions() {
		assertThatThrownBy(() -> this.streams.publishBlocking("nope", Map.of("a", 1)))
			.isInstanceOf(StreamNotFoundException.class)
			.hasMessageContaining("nope");
		assertThatThrownBy(() -> this.streams.publishBlocking(" ", Map.of("a", 1))).isInstanceOf(InvalidRequestException.class);
		assertThatThrownBy(() -> this.streams.publishBlocking("orders", List.of())).isInstanceOf(InvalidRequestException.class);
		List<Map<String, Object>> withNull = new ArrayList<>();
		withNull.add(Map.of("amount", 1));
		withNull.add(null);
		assertThatThrownBy(() -> this.streams.publishBlocking("orders", withNull))
			.isInstanceOfSatisfying(InvalidEventException.class, (ex) -> assertThat(ex.getRowIndex()).isEqualTo(1));
		assertThatThrownBy(() -> this.streams.consume("orders", "")).isInstanceOf(InvalidRequestException.class);
		assertThatThrownBy(() -> this.streams.consume("orders", "c", 0)).isInstanceOf(InvalidRequestException.class);
		assertThatThrownBy(() -> this.streams.publishBlocking(new NotAStream("x")))
			.isInstanceOf(InvalidRequestException.class)
			.hasMessageContaining("@Stream");
		StepVerifier.create(this.streams.publish("nope", Map.of("a", 1)))
			.expectError(StreamNotFoundException.class)
			.verify(Duration.ofSeconds(10));
		assertThat(this.streams.count("orders")).isZero();
	}

	@Test
	void consumerNamesThatNoStoreCanKeyACursorByAreRejected() {
		this.streams.publishBlocking("orders", Map.of("order_id", "o-1", "amount", 1));
		String longest = "c".repeat(Streams.MAX_CONSUMER_NAME_LENGTH);
		for (String consumer : List.of(longest + "c", "nul\u0000", "lone \ud800", "\udc00")) {
			assertThatThrownBy(() -> this.streams.consume("orders", consumer)).as(consumer)
				.isInstanceOf(InvalidRequestException.class)
				.hasMessageStartingWith("consumer name");
			assertThatThrownBy(() -> this.streams.ack("orders", consumer, 1)).as(consumer)
				.isInstanceOf(InvalidRequestException.class)
				.hasMessageStartingWith("consumer name");
		}
		assertThat(this.streams.ack("orders", longest, 1)).isEqualTo(1);
		assertThat(this.streams.ack("orders", "billing \ud83c\udf89", 1)).isEqualTo(1);
	}

	@Test
	void aStreamOnAnUnconfiguredConnectionFailsAtStart() {
		StreamDefinition elsewhere = StreamDefinition.builder("audit").connection("warehouse").build();
		assertThatThrownBy(() -> new DefaultStreams(List.of(elsewhere), Map.of("default", this.store)))
			.hasMessageContaining("warehouse");
	}

	private static void awaitSize(List<?> list, int size) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
		while (list.size() < size && System.nanoTime() < deadline) {
			Thread.sleep(5);
		}
		assertThat(list).hasSize(size);
	}

}
