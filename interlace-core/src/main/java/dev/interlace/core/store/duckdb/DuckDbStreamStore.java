package dev.interlace.core.store.duckdb;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.duckdb.DuckDBConnection;

import dev.interlace.core.PublishResult;
import dev.interlace.core.StoreException;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.NewEntryId;
import dev.interlace.core.store.StreamStore;
import dev.interlace.core.store.StreamTable;
import dev.interlace.core.store.TransactionWork;
import dev.interlace.core.store.support.AppendQueue;
import dev.interlace.core.store.support.JdbcStreamStore;
import dev.interlace.core.store.support.StreamRegistry;

/**
 * A {@link StreamStore} in an embedded DuckDB database file, with its cursors, consumer groups and transactions.
 * <p>
 * One writer thread owns every write. Publishes queued while it commits are appended together through DuckDB's
 * Appender and committed at once (a group commit): one sync to disk serves many publishes. Each publish is converted
 * and checked before it joins a group, so a bad one fails alone; if a group still fails in the database, the writer
 * discards its connection (DuckDB leaves a connection unusable after a failed commit) and commits each publish of the
 * group on its own, so only the culprit fails. Every publish is whole or absent, whatever its size and whatever
 * happens to the process: a group that could flush more than once commits in a transaction, and rowids are the
 * table's primary key, so no retry can store a row twice. Cursor writes and {@link #inTransaction transactions} run
 * on the same thread, each alone between group commits.
 * <p>
 * DuckDB lets one process open a file; connections inside the process are duplicates of one database instance.
 *
 * @since 0.1.0
 */
public final class DuckDbStreamStore extends JdbcStreamStore {

	/** Path that keeps the database in memory. */
	public static final String IN_MEMORY = ":memory:";

	private final Options options;

	private final DuckDbDatabase database;

	private final StreamRegistry<DuckDbTable> tables;

	private final DuckDbDialect dialect;

	private final DuckDbStreamTables streamTables;

	private final AppendQueue<DuckDbTable> appends;

	private final DuckDbStreamWriter writer;

	/**
	 * Uses the database behind an existing DuckDB connection, such as the application's own data source, so that
	 * one process opens the file once. The connection is duplicated, not taken over.
	 * @param connection a connection to the database
	 */
	public DuckDbStreamStore(DuckDBConnection connection) {
		this(connection, Options.DEFAULTS.withThreads(0));
	}

	/**
	 * Uses the database behind an existing DuckDB connection; see {@link #DuckDbStreamStore(DuckDBConnection)}.
	 * @param connection a connection to the database
	 * @param options writer settings
	 */
	public DuckDbStreamStore(DuckDBConnection connection, Options options) {
		this(DuckDbDatabase.of(connection, options), options);
	}

	/**
	 * Opens (creating if needed) the database at {@code path} with default settings.
	 * @param path a file path, or {@link #IN_MEMORY}
	 */
	public DuckDbStreamStore(String path) {
		this(path, Options.DEFAULTS);
	}

	/**
	 * Opens (creating if needed) the database at {@code path}.
	 * @param path a file path, or {@link #IN_MEMORY}
	 * @param options writer settings
	 */
	public DuckDbStreamStore(String path, Options options) {
		this(DuckDbDatabase.open(path, options), options);
	}

	private DuckDbStreamStore(DuckDbDatabase database, Options options) {
		this(database, options, new StreamRegistry<>());
	}

	private DuckDbStreamStore(DuckDbDatabase database, Options options, StreamRegistry<DuckDbTable> tables) {
		this(database, options, tables,
				new DuckDbDialect(database.catalog(), (stream) -> tables.get(stream).lastRowid, tables::get));
	}

	/**
	 * Creates the store; cursor writes and trims, written once for every backend, run as tasks of the writer thread
	 * like every other write.
	 */
	private DuckDbStreamStore(DuckDbDatabase database, Options options, StreamRegistry<DuckDbTable> tables,
			DuckDbDialect dialect) {
		super(database, dialect, tables, (stream) -> tables.get(stream).definition);
		this.options = options;
		this.database = database;
		this.tables = tables;
		this.dialect = dialect;
		this.streamTables = new DuckDbStreamTables(database, this.dialect, this.tables);
		this.appends = new AppendQueue<>(database.queue(), "DuckDB store '" + database.path() + "'",
				(stream) -> database.isClosed()
						? new StoreException("DuckDB store '" + database.path() + "' is closed") : null);
		this.writer = new DuckDbStreamWriter(database, this.dialect, getNotifier(), options);
		database.startWriter(this.writer);
	}

	/**
	 * Opens a connection to the store's database, its catalog the default one, for querying streams as ordinary
	 * tables from the same process (DuckDB lets no other process open the file while the store runs). The caller
	 * closes it.
	 * @return a new connection
	 */
	public Connection openConnection() {
		try {
			return this.database.connect();
		}
		catch (SQLException ex) {
			throw new StoreException("Cannot open a connection to '" + getPath() + "': " + ex.getMessage(), ex);
		}
	}

	/**
	 * Returns the settings this store was opened with.
	 * @return the options
	 */
	public Options getOptions() {
		return this.options;
	}

	/**
	 * Returns the database path this store was opened on.
	 * @return the path
	 */
	public String getPath() {
		return this.database.path();
	}

	/**
	 * Returns how often the writer discarded its connection after a failure.
	 * @return the count
	 */
	public long getWriterResets() {
		return this.writer.resets();
	}

	/**
	 * Returns how many operations wait for the writer.
	 * @return the queue depth
	 */
	public int getQueueDepth() {
		return this.database.queue().size();
	}

	@Override
	public StreamTable ensureStream(StreamDefinition definition) {
		return this.streamTables.ensure(definition);
	}

	@Override
	public CompletableFuture<PublishResult> append(String stream, List<? extends Map<String, ?>> events) {
		return append(stream, events, false);
	}

	@Override
	public PublishResult appendAndWait(String stream, List<? extends Map<String, ?>> events) {
		return AppendQueue.await(append(stream, events, true), stream);
	}

	/**
	 * Appends with an entry ID asked for. In a group, a publish whose explicit ID is not greater than the ID before
	 * it fails alone.
	 */
	@Override
	public CompletableFuture<PublishResult> append(String stream, List<? extends Map<String, ?>> events,
			NewEntryId id) {
		return append(stream, events, id, false);
	}

	@Override
	public PublishResult appendAndWait(String stream, List<? extends Map<String, ?>> events, NewEntryId id) {
		return AppendQueue.await(append(stream, events, id, true), stream);
	}

	private CompletableFuture<PublishResult> append(String stream, List<? extends Map<String, ?>> events,
			boolean waiting) {
		return append(stream, events, NewEntryId.auto(), waiting);
	}

	private CompletableFuture<PublishResult> append(String stream, List<? extends Map<String, ?>> events,
			NewEntryId id, boolean waiting) {
		DuckDbTable table = this.tables.get(stream);
		return this.appends.append(table, table.definition, table.columns, events, id, waiting);
	}

	@Override
	public StreamTable describe(String stream) {
		return this.streamTables.describe(stream);
	}

	/**
	 * Runs a unit of work in one transaction of the writer thread, between group commits. The transaction's
	 * {@link dev.interlace.core.store.StoreTransaction#connection() connection} has the store's catalog as its
	 * default one, so that tables of the caller's own named by schema alone live in the store's file.
	 * @param <T> what the work returns
	 * @param work the work; it must not call methods of this store that wait for the writer, which is busy running
	 * it, but its transaction's own
	 * @return what the work returned
	 */
	@Override
	public <T> T inTransaction(TransactionWork<T> work) {
		return this.database.write("run a transaction",
				new DuckDbTransaction<>(work, this.database, this.dialect, this.tables, getNotifier()));
	}

	@Override
	public void close() {
		this.database.close();
	}

	/**
	 * Settings of a DuckDB store.
	 *
	 * @param maxGroupRows most rows committed in one group
	 * @param queueCapacity publishes that may wait for the writer before publishers block
	 * @param linger longest the writer waits for more publishes when fewer are queued than it committed last time;
	 * zero commits at once
	 * @param threads DuckDB worker threads for the whole database, 0 to keep DuckDB's default (one per core). The
	 * store's work is many small commits, for which DuckDB's parallel execution costs more than it gives.
	 */
	public record Options(int maxGroupRows, int queueCapacity, Duration linger, int threads) {

		/** The defaults: groups of up to 50,000 rows, 100,000 queued publishes, 600 us linger, one thread. */
		public static final Options DEFAULTS = new Options(50_000, 100_000, Duration.ofNanos(600_000), 1);

		public Options {
			if (maxGroupRows < 1 || queueCapacity < 1 || linger.isNegative() || threads < 0) {
				throw new IllegalArgumentException("Invalid DuckDB store options: " + maxGroupRows + ", "
						+ queueCapacity + ", " + linger + ", " + threads);
			}
		}

		/**
		 * Returns these options with another thread count.
		 * @param threads the thread count, 0 for DuckDB's default
		 * @return new options
		 */
		public Options withThreads(int threads) {
			return new Options(this.maxGroupRows, this.queueCapacity, this.linger, threads);
		}

		/**
		 * Returns these options with another linger.
		 * @param linger the linger
		 * @return new options
		 */
		public Options withLinger(Duration linger) {
			return new Options(this.maxGroupRows, this.queueCapacity, linger, this.threads);
		}

	}

}
