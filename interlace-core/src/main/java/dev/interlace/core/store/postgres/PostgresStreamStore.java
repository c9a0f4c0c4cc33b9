package dev.interlace.core.store.postgres;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import javax.sql.DataSource;

import dev.interlace.core.PublishResult;
import dev.interlace.core.StoredEvent;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.store.CommitListener;
import dev.interlace.core.store.StreamStore;
import dev.interlace.core.store.StreamTable;

/**
 * A {@link StreamStore} in a PostgreSQL database, shared by any number of instances.
 *
 * @since 0.1.0
 */
public final class PostgresStreamStore implements StreamStore {

	private final DataSource dataSource;

	private final Options options;

	/**
	 * Uses a database with default settings. The data source (a pool) stays the caller's: {@link #close()} leaves
	 * it open.
	 * @param dataSource the database
	 */
	public PostgresStreamStore(DataSource dataSource) {
		this(dataSource, Options.DEFAULTS);
	}

	/**
	 * Uses a database. The data source (a pool) stays the caller's: {@link #close()} leaves it open.
	 * @param dataSource the database
	 * @param options writer and connection settings
	 */
	public PostgresStreamStore(DataSource dataSource, Options options) {
		this.dataSource = dataSource;
		this.options = options;
	}

	/**
	 * Returns the settings this store was opened with.
	 * @return the options
	 */
	public Options getOptions() {
		return this.options;
	}

	@Override
	public StreamTable ensureStream(StreamDefinition definition) {
		throw new UnsupportedOperationException("Not yet implemented");
	}

	@Override
	public CompletableFuture<PublishResult> append(String stream, List<? extends Map<String, ?>> events) {
		throw new UnsupportedOperationException("Not yet implemented");
	}

	@Override
	public List<StoredEvent> readAfter(String stream, long afterRowid, int limit) {
		throw new UnsupportedOperationException("Not yet implemented");
	}

	@Override
	public StreamTable describe(String stream) {
		throw new UnsupportedOperationException("Not yet implemented");
	}

	@Override
	public long readCursor(String stream, String consumer) {
		throw new UnsupportedOperationException("Not yet implemented");
	}

	@Override
	public long commitCursor(String stream, String consumer, long rowid) {
		throw new UnsupportedOperationException("Not yet implemented");
	}

	@Override
	public long trimToMaxRows(String stream, long maxRows) {
		throw new UnsupportedOperationException("Not yet implemented");
	}

	@Override
	public long trimOlderThan(String stream, Instant cutoff) {
		throw new UnsupportedOperationException("Not yet implemented");
	}

	@Override
	public void setCommitListener(CommitListener listener) {
	}

	@Override
	public void close() {
	}

	/**
	 * Settings of a PostgreSQL store. Start from {@link #DEFAULTS} and change what differs with the {@code with…}
	 * methods: components may be added in later versions.
	 *
	 * @param maxGroupRows most rows one stream commits in one transaction
	 * @param queueCapacity publishes that may wait for the writers; further publishes fail at once
	 * @param writerThreads writer threads; each owns the streams whose names hash to it, so a stream's publishes
	 * stay in order
	 * @param copyThreshold rows from which a group is written with {@code COPY} rather than a multi-row
	 * {@code INSERT}
	 * @param linger longest a writer waits for more publishes when fewer are queued than it committed last time;
	 * zero commits at once
	 * @param breakerOpenDuration how long calls fail at once after the database was found unreachable, before a
	 * trial call may try it again
	 * @param reconnectDelay longest wait between attempts to reopen the connection that listens for other instances'
	 * commits; attempts start 100 ms apart and back off to this
	 */
	public record Options(int maxGroupRows, int queueCapacity, int writerThreads, int copyThreshold, Duration linger,
			Duration breakerOpenDuration, Duration reconnectDelay) {

		/**
		 * The defaults: groups of up to 50,000 rows, 100,000 queued publishes, two writers, {@code COPY} from 64
		 * rows, no linger, breaker open for 2 s, reconnects at least every 5 s.
		 */
		public static final Options DEFAULTS = new Options(50_000, 100_000, 2, 64, Duration.ZERO,
				Duration.ofSeconds(2), Duration.ofSeconds(5));

		public Options {
			if (maxGroupRows < 1 || queueCapacity < 1 || writerThreads < 1 || copyThreshold < 1
					|| linger.isNegative() || breakerOpenDuration.isNegative() || breakerOpenDuration.isZero()
					|| reconnectDelay.isNegative() || reconnectDelay.isZero()) {
				throw new IllegalArgumentException("Invalid PostgreSQL store options: " + maxGroupRows + ", "
						+ queueCapacity + ", " + writerThreads + ", " + copyThreshold + ", " + linger + ", "
						+ breakerOpenDuration + ", " + reconnectDelay);
			}
		}

		/**
		 * Returns these options with another queue capacity.
		 * @param queueCapacity the capacity
		 * @return new options
		 */
		public Options withQueueCapacity(int queueCapacity) {
			return new Options(this.maxGroupRows, queueCapacity, this.writerThreads, this.copyThreshold, this.linger,
					this.breakerOpenDuration, this.reconnectDelay);
		}

		/**
		 * Returns these options with another number of writer threads.
		 * @param writerThreads the count
		 * @return new options
		 */
		public Options withWriterThreads(int writerThreads) {
			return new Options(this.maxGroupRows, this.queueCapacity, writerThreads, this.copyThreshold, this.linger,
					this.breakerOpenDuration, this.reconnectDelay);
		}

		/**
		 * Returns these options with another {@code COPY} threshold.
		 * @param copyThreshold rows from which groups use {@code COPY}
		 * @return new options
		 */
		public Options withCopyThreshold(int copyThreshold) {
			return new Options(this.maxGroupRows, this.queueCapacity, this.writerThreads, copyThreshold, this.linger,
					this.breakerOpenDuration, this.reconnectDelay);
		}

		/**
		 * Returns these options with another linger.
		 * @param linger the linger
		 * @return new options
		 */
		public Options withLinger(Duration linger) {
			return new Options(this.maxGroupRows, this.queueCapacity, this.writerThreads, this.copyThreshold, linger,
					this.breakerOpenDuration, this.reconnectDelay);
		}

		/**
		 * Returns these options with another breaker open duration.
		 * @param breakerOpenDuration the duration
		 * @return new options
		 */
		public Options withBreakerOpenDuration(Duration breakerOpenDuration) {
			return new Options(this.maxGroupRows, this.queueCapacity, this.writerThreads, this.copyThreshold,
					this.linger, breakerOpenDuration, this.reconnectDelay);
		}

		/**
		 * Returns these options with another longest reconnect delay.
		 * @param reconnectDelay the delay
		 * @return new options
		 */
		public Options withReconnectDelay(Duration reconnectDelay) {
			return new Options(this.maxGroupRows, this.queueCapacity, this.writerThreads, this.copyThreshold,
					this.linger, this.breakerOpenDuration, reconnectDelay);
		}

	}

}
