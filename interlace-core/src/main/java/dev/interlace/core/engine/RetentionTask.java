package dev.interlace.core.engine;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.interlace.core.Retention;
import dev.interlace.core.StoredEvent;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.store.ConsumerGroupStore;
import dev.interlace.core.store.StreamStore;

/**
 * Enforces each stream's {@link Retention}: deletes the rows beyond {@code max-rows} and those older than
 * {@code max-age-days}, oldest first, in batches of bounded size (one transaction each), so a large backlog never
 * makes one large transaction and publishes go on between batches. Nothing happens on publish: retention runs only
 * when {@link #run()} is called, by the daemon thread {@link #start(Duration)} starts or by the caller.
 * <p>
 * A stream whose trim fails (its database unreachable, say) is logged and skipped; the others are trimmed all the
 * same, and the failed one again on the next run. Consumers whose cursor falls into trimmed rows read on from the
 * oldest row kept, as reads are {@code rowid > cursor}; rowids never repeat.
 *
 * @since 0.1.0
 */
public final class RetentionTask implements Runnable, AutoCloseable {

	/** Time between runs when none is given. */
	public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);

	private static final Logger logger = LoggerFactory.getLogger(RetentionTask.class);

	private final List<StreamDefinition> definitions;

	private final Function<String, StreamStore> stores;

	private final int batchRows;

	private final Clock clock;

	private @Nullable ScheduledExecutorService executor;

	private final java.util.concurrent.atomic.AtomicLong heldBack = new java.util.concurrent.atomic.AtomicLong();

	/** Whose expired idempotency keys each run deletes too, or {@code null} for none. */
	private volatile @Nullable DefaultStreams idempotencyKeys;

	private volatile java.util.function.ObjLongConsumer<String> deletionListener = (stream, rows) -> {
	};

	/**
	 * Creates the task over the streams of a {@link DefaultStreams}, in batches of
	 * {@value StreamStore#DEFAULT_TRIM_BATCH_ROWS} rows.
	 * @param streams the streams
	 */
	public RetentionTask(DefaultStreams streams) {
		this(streams.definitions(), streams::store, StreamStore.DEFAULT_TRIM_BATCH_ROWS, Clock.systemUTC());
		deleteExpiredIdempotencyKeysOf(streams);
	}

	/**
	 * Creates the task.
	 * @param definitions the streams; those without retention are left alone
	 * @param stores the store of each stream, by stream name
	 * @param batchRows most rows deleted per transaction
	 * @param clock the clock ages are measured against
	 */
	public RetentionTask(Collection<StreamDefinition> definitions, Function<String, StreamStore> stores,
			int batchRows, Clock clock) {
		if (batchRows < 1) {
			throw new IllegalArgumentException("batchRows must be positive, was " + batchRows);
		}
		this.definitions = definitions.stream().filter((definition) -> definition.retention() != null).toList();
		this.stores = stores;
		this.batchRows = batchRows;
		this.clock = clock;
	}

	/**
	 * Sets what is told of the rows each run deletes per stream, such as a metrics counter.
	 * @param listener receives the stream and the rows deleted, zero included
	 */
	public void setDeletionListener(java.util.function.ObjLongConsumer<String> listener) {
		this.deletionListener = listener;
	}

	/**
	 * Makes each run also delete the idempotency keys of every stream of {@code streams} older than the stream's
	 * window, in batches of this task's batch size, after trimming: expired keys no longer match a publish, and
	 * would otherwise be kept forever.
	 * @param streams the streams whose keys to clean
	 * @return this task
	 */
	public RetentionTask deleteExpiredIdempotencyKeysOf(DefaultStreams streams) {
		this.idempotencyKeys = streams;
		return this;
	}

	/**
	 * Trims every stream with a retention once, logging failures rather than throwing them.
	 */
	@Override
	public void run() {
		trim();
	}

	/**
	 * Trims every stream with a retention once, then deletes expired idempotency keys when told to
	 * ({@link #deleteExpiredIdempotencyKeysOf(DefaultStreams)}). A stream that fails is logged and left out of the
	 * result.
	 * @return rows deleted, by stream name, for the streams trimmed without failure
	 */
	public Map<String, Long> trim() {
		Map<String, Long> deleted = new LinkedHashMap<>();
		for (StreamDefinition definition : this.definitions) {
			try {
				deleted.put(definition.name(), trim(definition));
			}
			catch (RuntimeException ex) {
				logger.warn("Retention of stream '{}' failed, retrying on the next run: {}", definition.name(),
						ex.getMessage(), ex);
			}
		}
		deleteExpiredIdempotencyKeys();
		return deleted;
	}

	private long trim(StreamDefinition definition) {
		Retention retention = definition.retention();
		StreamStore store = this.stores.apply(definition.name());
		long keepFrom = Long.MAX_VALUE;
		if (retention.keepUnacknowledged() && store instanceof ConsumerGroupStore groups) {
			keepFrom = groups.firstNeededRowid(definition.name());
		}
		long deleted = 0;
		boolean held = false;
		if (retention.maxAgeDays() != null) {
			Instant cutoff = this.clock.instant().minus(Duration.ofDays(retention.maxAgeDays()));
			if (keepFrom == Long.MAX_VALUE) {
				deleted += store.trimOlderThan(definition.name(), cutoff, this.batchRows);
			}
			else {
				deleted += store.trimOlderThan(definition.name(), cutoff, this.batchRows, keepFrom);
				List<StoredEvent> oldest = store.readAfter(definition.name(), 0, 1);
				held = !oldest.isEmpty() && oldest.get(0).publishedAt().isBefore(cutoff);
			}
		}
		if (retention.maxRows() != null) {
			if (keepFrom == Long.MAX_VALUE) {
				deleted += store.trimToMaxRows(definition.name(), retention.maxRows(), this.batchRows);
			}
			else {
				deleted += store.trimToMaxRows(definition.name(), retention.maxRows(), this.batchRows, keepFrom);
				held |= store.describe(definition.name()).rowCount() > retention.maxRows();
			}
		}
		if (held) {
			// Consumer groups still need rows the limits would delete: retention waits for them.
			this.heldBack.incrementAndGet();
			logger.debug("Retention of stream '{}' kept rows from rowid {} on for its consumer groups",
					definition.name(), keepFrom);
		}
		if (deleted > 0) {
			logger.debug("Retention deleted {} rows of stream '{}'", deleted, definition.name());
		}
		this.deletionListener.accept(definition.name(), deleted);
		return deleted;
	}

	private void deleteExpiredIdempotencyKeys() {
		DefaultStreams streams = this.idempotencyKeys;
		if (streams == null) {
			return;
		}
		for (StreamDefinition definition : streams.definitions()) {
			try {
				long deleted = streams.deleteExpiredIdempotencyKeys(definition.name(), this.batchRows);
				if (deleted > 0) {
					logger.debug("Deleted {} expired idempotency keys of stream '{}'", deleted, definition.name());
				}
			}
			catch (RuntimeException ex) {
				logger.warn("Deleting expired idempotency keys of stream '{}' failed, retrying on the next run: {}",
						definition.name(), ex.getMessage(), ex);
			}
		}
	}

	/**
	 * Returns how often a run kept rows of a stream that its limits would have deleted, because consumer groups
	 * still needed them ({@link Retention#keepUnacknowledged()}).
	 * @return the count, over this task's life
	 */
	public long getHeldBackCount() {
		return this.heldBack.get();
	}

	/**
	 * Runs the task every {@code interval} on a daemon thread of its own, first after one interval.
	 * @param interval the time between the end of one run and the start of the next
	 * @return this task
	 */
	public synchronized RetentionTask start(Duration interval) {
		if (interval.isNegative() || interval.isZero()) {
			throw new IllegalArgumentException("interval must be positive, was " + interval);
		}
		if (this.executor != null) {
			throw new IllegalStateException("Retention is already running");
		}
		ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor((runnable) -> {
			Thread thread = new Thread(runnable, "interlace-retention");
			thread.setDaemon(true);
			return thread;
		});
		executor.scheduleWithFixedDelay(this::runQuietly, interval.toNanos(), interval.toNanos(), TimeUnit.NANOSECONDS);
		this.executor = executor;
		return this;
	}

	private void runQuietly() {
		try {
			trim();
		}
		catch (Throwable ex) {
			// A scheduled task that throws is never run again.
			logger.error("Retention run failed", ex);
		}
	}

	/**
	 * Stops the scheduled runs, waiting briefly for a run in progress.
	 */
	@Override
	public synchronized void close() {
		ScheduledExecutorService executor = this.executor;
		if (executor == null) {
			return;
		}
		this.executor = null;
		executor.shutdownNow();
		try {
			executor.awaitTermination(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Returns the streams this task trims.
	 * @return the streams with a retention
	 */
	public List<StreamDefinition> definitions() {
		return new ArrayList<>(this.definitions);
	}

}
