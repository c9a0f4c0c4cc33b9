package dev.interlace.core.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.scheduler.Schedulers;

import dev.interlace.core.FieldType;
import dev.interlace.core.InvalidRequestException;
import dev.interlace.core.PublishResult;
import dev.interlace.core.ReplayLimitException;
import dev.interlace.core.StoredEvent;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.Streams;
import dev.interlace.core.store.CommitListener;
import dev.interlace.core.store.CursorStore;
import dev.interlace.core.store.StoreObserver;
import dev.interlace.core.store.StreamStore;
import dev.interlace.core.store.StreamTable;
import dev.interlace.core.store.duckdb.DuckDbStreamStore;
import dev.interlace.core.store.duckdb.DuckDbTestStores;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How far a replay reads ahead of its subscriber, counted on the reads of a real DuckDB store, and how many replays
 * may run at once.
 */
class ReplayBoundsTests {

	private static final int PAGE = 1_000;

	@RegisterExtension
	final DuckDbTestStores database = new DuckDbTestStores();

	DuckDbStreamStore duckDb;

	CountingStore store;

	DefaultStreams streams;

	@BeforeEach
	void open() {
		this.duckDb = this.database.open();
		this.store = new CountingStore(this.duckDb);
		this.streams = new DefaultStreams(List.of(StreamDefinition.builder("orders").field("n", FieldType.INT64).build()),
				Map.of("default", this.store), DefaultStreams.DEFAULT_SUBSCRIBER_BUFFER_SIZE,
				Schedulers.boundedElastic(), ReadRetry.DEFAULTS, DefaultStreams.DEFAULT_CONSUME_MAX_BYTES, 2,
				DefaultStreams.DEFAULT_MAX_CONSUMERS_PER_STREAM);
		List<Map<String, Object>> events = new ArrayList<>();
		for (int i = 0; i < 10 * PAGE; i++) {
			events.add(Map.of("n", i));
		}
		this.streams.publishBlocking("orders", events);
	}

	@Test
	void aReplayWhoseSubscriberTakesNothingMoreReadsNoFurtherThanTheNextPage() throws Exception {
		Taker taker = new Taker();
		this.streams.subscribe("orders", 0).subscribe(taker);
		try {
			taker.take(1);
			assertThat(taker.received.poll(30, TimeUnit.SECONDS)).isEqualTo(1L);
			// Ten pages are stored: before reads were bounded, all of them were read at once.
			assertThat(this.store.thirdRead.await(500, TimeUnit.MILLISECONDS)).as("a third page read").isFalse();
			assertThat(this.store.reads.get()).isBetween(1, 2);
			taker.take(PAGE);
			for (int i = 0; i < PAGE; i++) {
				assertThat(taker.received.poll(30, TimeUnit.SECONDS)).isEqualTo(i + 2L);
			}
			// The first event of the second page needed the second read, and nothing further.
			assertThat(this.store.reads.get()).isEqualTo(2);
			taker.take(PAGE);
			for (int i = 0; i < PAGE; i++) {
				assertThat(taker.received.poll(30, TimeUnit.SECONDS)).isEqualTo(i + 2L + PAGE);
			}
			assertThat(this.store.thirdRead.await(30, TimeUnit.SECONDS)).isTrue();
			assertThat(this.store.fourthRead.await(500, TimeUnit.MILLISECONDS)).as("a fourth page read").isFalse();
		}
		finally {
			taker.dispose();
		}
	}

	@Test
	void replaysBeyondTheLimitFailAtOnceAndEveryWayAReplayEndsGivesItsPermitBack() throws Exception {
		Taker first = new Taker();
		Taker second = new Taker();
		this.streams.subscribe("orders", 0).subscribe(first);
		this.streams.subscribe("orders", 0).subscribe(second);
		// Replays waiting for subscribers that take nothing still count.
		assertThat(this.streams.activeReplays()).isEqualTo(2);
		Taker refused = new Taker();
		this.streams.subscribe("orders", 0).subscribe(refused);
		assertThat(refused.error.poll(30, TimeUnit.SECONDS)).isInstanceOf(ReplayLimitException.class)
			.hasMessageContaining("interlace.replay.max-concurrent");
		// The Java API's own subscribe obeys the same bound.
		Taker refusedToo = new Taker();
		((Streams) this.streams).subscribe("orders", 0L).subscribe(refusedToo);
		assertThat(refusedToo.error.poll(30, TimeUnit.SECONDS)).isInstanceOf(ReplayLimitException.class);
		assertThat(this.streams.activeReplays()).isEqualTo(2);

		// Cancelled mid-replay.
		first.dispose();
		assertThat(this.streams.activeReplays()).isEqualTo(1);

		// Replayed to the end: the permit goes back when the live part starts, though the subscription goes on.
		Taker whole = new Taker();
		this.streams.subscribe("orders", 10 * PAGE - 5).subscribe(whole);
		whole.take(Long.MAX_VALUE);
		for (int i = 0; i < 5; i++) {
			assertThat(whole.received.poll(30, TimeUnit.SECONDS)).isNotNull();
		}
		awaitActiveReplays(1);
		assertThat(whole.isDisposed()).isFalse();
		whole.dispose();

		// Failed: the stored rows cannot be read.
		this.store.failReads = true;
		Taker failed = new Taker();
		this.streams.subscribe("orders", 0).subscribe(failed);
		failed.take(1);
		assertThat(failed.error.poll(30, TimeUnit.SECONDS)).isNotNull();
		awaitActiveReplays(1);
		this.store.failReads = false;

		second.dispose();
		assertThat(this.streams.activeReplays()).isZero();
	}

	private void awaitActiveReplays(int replays) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		while (this.streams.activeReplays() != replays && System.nanoTime() < deadline) {
			Thread.sleep(5);
		}
		assertThat(this.streams.activeReplays()).isEqualTo(replays);
	}

	/** Takes events only when told to, off the thread that delivers them. */
	static final class Taker extends BaseSubscriber<StoredEvent> {

		final BlockingQueue<Long> received = new LinkedBlockingQueue<>();

		final BlockingQueue<Throwable> error = new LinkedBlockingQueue<>();

		@Override
		protected void hookOnError(Throwable throwable) {
			this.error.add(throwable);
		}

		@Override
		protected void hookOnSubscribe(Subscription subscription) {
		}

		@Override
		protected void hookOnNext(StoredEvent event) {
			this.received.add(event.rowid());
		}

		void take(long events) {
			request(events);
		}

	}

	/** A store that counts the replay's reads, passing everything to a real one. */
	static final class CountingStore implements StreamStore, CursorStore {

		final AtomicInteger reads = new AtomicInteger();

		volatile boolean failReads;

		final CountDownLatch thirdRead = new CountDownLatch(1);

		final CountDownLatch fourthRead = new CountDownLatch(1);

		private final DuckDbStreamStore delegate;

		CountingStore(DuckDbStreamStore delegate) {
			this.delegate = delegate;
		}

		@Override
		public List<StoredEvent> readAfter(String stream, long afterRowid, int limit) {
			if (this.failReads) {
				throw new InvalidRequestException("reads refused by the test");
			}
			int read = this.reads.incrementAndGet();
			if (read == 3) {
				this.thirdRead.countDown();
			}
			if (read == 4) {
				this.fourthRead.countDown();
			}
			return this.delegate.readAfter(stream, afterRowid, limit);
		}

		@Override
		public StreamTable ensureStream(StreamDefinition definition) {
			return this.delegate.ensureStream(definition);
		}

		@Override
		public CompletableFuture<PublishResult> append(String stream, List<? extends Map<String, ?>> events) {
			return this.delegate.append(stream, events);
		}

		@Override
		public StreamTable describe(String stream) {
			return this.delegate.describe(stream);
		}

		@Override
		public long readCursor(String stream, String consumer) {
			return this.delegate.readCursor(stream, consumer);
		}

		@Override
		public long commitCursor(String stream, String consumer, long rowid, int maxConsumers) {
			return this.delegate.commitCursor(stream, consumer, rowid, maxConsumers);
		}

		@Override
		public boolean deleteCursor(String stream, String consumer) {
			return this.delegate.deleteCursor(stream, consumer);
		}

		@Override
		public long trimToMaxRows(String stream, long maxRows, int batchRows) {
			return this.delegate.trimToMaxRows(stream, maxRows, batchRows);
		}

		@Override
		public long trimOlderThan(String stream, java.time.Instant cutoff, int batchRows) {
			return this.delegate.trimOlderThan(stream, cutoff, batchRows);
		}

		@Override
		public void addCommitListener(CommitListener listener) {
			this.delegate.addCommitListener(listener);
		}

		@Override
		public void removeCommitListener(CommitListener listener) {
			this.delegate.removeCommitListener(listener);
		}

		@Override
		public void setStoreObserver(StoreObserver observer) {
			this.delegate.setStoreObserver(observer);
		}

		@Override
		public PublishResult appendAndWait(String stream, List<? extends Map<String, ?>> events) {
			return this.delegate.appendAndWait(stream, events);
		}

		@Override
		public Map<String, Long> readCursors(String stream) {
			return this.delegate.readCursors(stream);
		}

		@Override
		public void close() {
			this.delegate.close();
		}

	}

}
