package dev.interlace.core;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.scheduler.Schedulers;

import dev.interlace.core.store.CommitListener;
import dev.interlace.core.store.StreamStore;
import dev.interlace.core.store.StreamTable;
import dev.interlace.core.store.duckdb.DuckDbStreamStore;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How far a replay reads ahead of its subscriber, counted on the reads of a real DuckDB store.
 */
class ReplayReadAheadTests {

	private static final int PAGE = 1_000;

	@TempDir
	Path directory;

	DuckDbStreamStore duckDb;

	CountingStore store;

	DefaultStreams streams;

	@BeforeEach
	void open() {
		this.duckDb = new DuckDbStreamStore(this.directory.resolve("interlace.duckdb").toString());
		this.store = new CountingStore(this.duckDb);
		this.streams = new DefaultStreams(List.of(StreamDefinition.builder("orders").field("n", FieldType.INT64).build()),
				Map.of("default", this.store), DefaultStreams.DEFAULT_SUBSCRIBER_BUFFER_SIZE,
				Schedulers.boundedElastic());
		List<Map<String, Object>> events = new ArrayList<>();
		for (int i = 0; i < 10 * PAGE; i++) {
			events.add(Map.of("n", i));
		}
		this.streams.publishBlocking("orders", events);
	}

	@AfterEach
	void close() {
		this.duckDb.close();
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
			// Taking from the second page asks for the third.
			assertThat(this.store.thirdRead.await(30, TimeUnit.SECONDS)).isTrue();
			assertThat(this.store.fourthRead.await(500, TimeUnit.MILLISECONDS)).as("a fourth page read").isFalse();
		}
		finally {
			taker.dispose();
		}
	}

	/** Takes events only when told to, off the thread that delivers them. */
	static final class Taker extends BaseSubscriber<StoredEvent> {

		final BlockingQueue<Long> received = new LinkedBlockingQueue<>();

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
	static final class CountingStore implements StreamStore {

		final AtomicInteger reads = new AtomicInteger();

		final CountDownLatch thirdRead = new CountDownLatch(1);

		final CountDownLatch fourthRead = new CountDownLatch(1);

		private final StreamStore delegate;

		CountingStore(StreamStore delegate) {
			this.delegate = delegate;
		}

		@Override
		public List<StoredEvent> readAfter(String stream, long afterRowid, int limit) {
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
		public void setCommitListener(CommitListener listener) {
			this.delegate.setCommitListener(listener);
		}

		@Override
		public void close() {
			this.delegate.close();
		}

	}

}
