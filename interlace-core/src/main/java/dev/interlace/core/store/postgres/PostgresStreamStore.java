package dev.interlace.core.store.postgres;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import dev.interlace.core.PublishResult;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.NewEntryId;
import dev.interlace.core.store.CommitListener;
import dev.interlace.core.store.StreamStore;
import dev.interlace.core.store.StreamTable;
import dev.interlace.core.store.TransactionWork;
import dev.interlace.core.store.support.AppendQueue;
import dev.interlace.core.store.support.JdbcStreamStore;
import dev.interlace.core.store.support.PublishCompleter;
import dev.interlace.core.store.support.StreamRegistry;

/**
 * A {@link StreamStore} in a PostgreSQL database, shared by any number of instances (processes) at once.
 * <p>
 * <b>Writes.</b> Writer threads, each owning the streams whose names hash to it, take the publishes queued while
 * they commit and write each stream's share in one transaction (a group commit): small groups in one auto-committed
 * statement (a single round trip), large ones through a binary {@code COPY}, which measured about 30% faster than the
 * text format and needs no escaping. Each publish is converted and checked before it joins a group, so a bad one
 * fails alone; should the database still refuse a group, each of its publishes is committed on its own.
 * {@link #append} never blocks: a full queue fails the publish at once.
 * <p>
 * <b>Order.</b> An append transaction first updates its stream's row in {@code interlace.streams}, taking the next
 * rowids from {@code last_rowid}. The row lock orders the appends of every instance, so rowids follow commit order:
 * a reader that sees a rowid has already been able to see every smaller one.
 * <p>
 * <b>Row counts.</b> The same update adds the rows to the stream's {@code row_count}, and each trim batch subtracts
 * what it deleted in its own transaction, so {@link #describe} reads an exact count instead of scanning the table.
 * Streams from before counts were kept are counted once, by the first {@link #ensureStream} or {@link #describe}.
 * <p>
 * <b>Live events.</b> The same transaction sends {@code NOTIFY interlace_events, '<stream>:<last rowid>'}. One
 * connection per store listens, and one delivery thread hands the {@link CommitListener} every stream's events in
 * rowid order, exactly once: this store's own commits straight from memory, other instances' commits read back from
 * the table. After the listening connection is lost and reopened, every stream is caught up from where delivery
 * stopped.
 * <p>
 * <b>Transactions.</b> {@link #inTransaction} appends, moves cursors and runs statements of the caller's own in
 * one database transaction; its appends are delivered to this store's commit listeners after the commit, and reach
 * other instances' through the notification their commit sends.
 * <p>
 * <b>Outages.</b> Connection failures open a circuit breaker: while it is open every call fails at once with a
 * {@link StoreException} saying the database is unavailable, then a trial call checks whether it is back. The
 * listening connection reconnects by itself and closes the breaker as soon as it succeeds.
 * <p>
 * The data source is the caller's (a pool): the store borrows connections per operation and keeps one for
 * listening, and {@link #close()} leaves the pool open.
 *
 * @since 0.1.0
 */
public final class PostgresStreamStore extends JdbcStreamStore {

	/** Channel of the notifications sent with each append: {@code <stream>:<last rowid>}. */
	static final String CHANNEL = PostgresNotifications.CHANNEL;

	/** Settings checked for durability when the store opens. */
	static final List<String> DURABILITY_SETTINGS = PostgresStreamTables.DURABILITY_SETTINGS;

	private final Options options;

	private final PostgresConnections connections;

	private final StreamRegistry<PostgresTable> tables;

	private final PostgresStreamTables schema;

	/** Completes publishes whose callers chained work onto them, off the writer and delivery threads. */
	private final PublishCompleter completer = new PublishCompleter("interlace-postgres-completer");

	private final PostgresDelivery delivery;

	private final PostgresNotifications notifications;

	private final PostgresStreamWriter writer;

	private final PostgresTransactions transactions;

	private volatile boolean closed;

	/**
	 * Uses a database with default settings. The data source (a pool) stays the caller's: {@link #close()} leaves
	 * it open.
	 * @param dataSource the database
	 */
	public PostgresStreamStore(DataSource dataSource) {
		this(dataSource, Options.DEFAULTS);
	}

	/**
	 * Uses a database, creating the engine tables in schema {@code interlace} if needed. The data source (a pool)
	 * stays the caller's: {@link #close()} leaves it open.
	 * @param dataSource the database
	 * @param options writer and connection settings
	 */
	public PostgresStreamStore(DataSource dataSource, Options options) {
		this(new PostgresConnections(dataSource, options.breakerOpenDuration()),
				new PostgresDialect(PostgresSql.ENGINE_SCHEMA), new StreamRegistry<>(), options);
	}

	private PostgresStreamStore(PostgresConnections connections, PostgresDialect dialect,
			StreamRegistry<PostgresTable> tables, Options options) {
		super(connections, dialect, tables, (stream) -> tables.get(stream).definition);
		this.options = options;
		this.connections = connections;
		this.tables = tables;
		this.schema = new PostgresStreamTables(connections, dialect, tables);
		this.schema.migrate();
		this.schema.checkDurability();
		this.delivery = new PostgresDelivery(connections, tables, getRows(), getNotifier(), this.completer,
				options.breakerOpenDuration());
		this.notifications = new PostgresNotifications(connections, this.delivery, options.reconnectDelay(),
				() -> this.closed);
		this.writer = new PostgresStreamWriter(connections, options, this.delivery, getNotifier(), () -> this.closed);
		this.transactions = new PostgresTransactions(connections, tables, this.writer, getCursors(), this.delivery,
				getNotifier(), () -> this.closed);
		this.delivery.start();
		this.notifications.start();
	}

	/**
	 * Returns the settings this store was opened with.
	 * @return the options
	 */
	public Options getOptions() {
		return this.options;
	}

	/**
	 * Returns how often a group the database refused was committed again publish by publish.
	 * @return the count
	 */
	public long getGroupRetries() {
		return this.writer.groupRetries();
	}

	/**
	 * Says whether the circuit breaker lets calls through to the database.
	 * @return whether the breaker is closed
	 */
	public boolean isBreakerClosed() {
		return this.connections.isBreakerClosed();
	}

	/**
	 * Returns how many publishes wait for the writers.
	 * @return the queue depth
	 */
	public int getQueueDepth() {
		return this.writer.queueDepth();
	}

	@Override
	public StreamTable ensureStream(StreamDefinition definition) {
		PostgresStreamTables.Ensured ensured = this.schema.ensure(definition);
		// Delivery learns of the stream before any publish to it can be queued.
		this.delivery.ensured(definition.name(), ensured.lastRowid());
		return this.schema.register(definition, ensured);
	}

	@Override
	public CompletableFuture<PublishResult> append(String stream, List<? extends Map<String, ?>> events) {
		return this.writer.append(this.tables.get(stream), events, false);
	}

	@Override
	public PublishResult appendAndWait(String stream, List<? extends Map<String, ?>> events) {
		return AppendQueue.await(this.writer.append(this.tables.get(stream), events, true), stream);
	}

	/**
	 * Appends with an entry ID asked for. A publish with an explicit ID commits alone, its ID checked against the
	 * stream's last one under the registry row lock that orders every instance's appends.
	 */
	@Override
	public CompletableFuture<PublishResult> append(String stream, List<? extends Map<String, ?>> events,
			NewEntryId id) {
		return this.writer.append(this.tables.get(stream), events, id, false);
	}

	@Override
	public PublishResult appendAndWait(String stream, List<? extends Map<String, ?>> events, NewEntryId id) {
		return AppendQueue.await(this.writer.append(this.tables.get(stream), events, id, true), stream);
	}

	@Override
	public StreamTable describe(String stream) {
		return this.schema.describe(stream);
	}

	/**
	 * Runs a unit of work in one transaction on a pooled connection, through the circuit breaker. Its appends take
	 * their rowids from the stream's registry row, whose lock they keep until the transaction ends: appends of
	 * every transaction, writer and instance stay in commit order, and other appends to the stream wait for this
	 * transaction, so keep it short. A transaction appending to several streams should do so in one order, or
	 * PostgreSQL may break a deadlock by failing it. What the work throws reaches the caller unchanged, except
	 * {@link java.sql.SQLException}s, which become {@link dev.interlace.core.StoreException}s.
	 */
	@Override
	public <T> T inTransaction(TransactionWork<T> work) {
		return this.transactions.inTransaction(work);
	}

	@Override
	public void close() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		try {
			this.writer.join(TimeUnit.SECONDS.toMillis(30));
			this.delivery.stop(TimeUnit.SECONDS.toMillis(10));
			this.notifications.join(TimeUnit.SECONDS.toMillis(10));
			this.completer.close();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Says whether an exception means the database could not be reached or dropped the connection, as opposed to an
	 * answer such as a constraint violation.
	 * @param ex the exception
	 * @return whether it is a connection failure
	 * @see PostgresConnections#isConnectionFailure(Throwable)
	 */
	static boolean isConnectionFailure(Throwable ex) {
		return PostgresConnections.isConnectionFailure(ex);
	}

	/**
	 * Settings of a PostgreSQL store. Start from {@link #DEFAULTS} and change what differs with the {@code with…}
	 * methods: components may be added in later versions.
	 *
	 * @param maxGroupRows most rows one stream commits in one transaction
	 * @param queueCapacity publishes that may wait for the writers; further publishes fail at once
	 * @param writerThreads writer threads; each owns the streams whose names hash to it, so a stream's publishes
	 * stay in order
	 * @param copyThreshold rows from which a group is written with a binary {@code COPY} rather than one multi-row
	 * {@code INSERT} statement
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
		 * rows, 300 us linger, breaker open for 2 s, reconnects at least every 5 s.
		 */
		public static final Options DEFAULTS = new Options(50_000, 100_000, 2, 64, Duration.ofNanos(300_000),
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
