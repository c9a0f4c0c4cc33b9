package dev.interlace.core.store.duckdb;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import javax.sql.DataSource;

import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.flywaydb.core.Flyway;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

import dev.interlace.core.DataRejectedException;
import dev.interlace.core.FieldType;
import dev.interlace.core.InterlaceException;
import dev.interlace.core.InvalidRequestException;
import dev.interlace.core.PublishResult;
import dev.interlace.core.StoreException;
import dev.interlace.core.StoredEvent;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.store.CommitListener;
import dev.interlace.core.store.CursorStore;
import dev.interlace.core.store.StoreObserver;
import dev.interlace.core.store.StreamStore;
import dev.interlace.core.store.StreamTable;
import dev.interlace.core.store.support.AppendOp;
import dev.interlace.core.store.support.AppendQueue;
import dev.interlace.core.store.support.ColumnSet;
import dev.interlace.core.store.support.CommitNotifier;
import dev.interlace.core.store.support.ConvertedBatch;
import dev.interlace.core.store.support.DefinitionDocument;
import dev.interlace.core.store.support.EventConverter;
import dev.interlace.core.store.support.GroupCollector;
import dev.interlace.core.store.support.JdbcCursorStore;
import dev.interlace.core.store.support.PreparedAppend;
import dev.interlace.core.store.support.PublishCompleter;
import dev.interlace.core.store.support.SqlDialect;
import dev.interlace.core.store.support.SqlWork;
import dev.interlace.core.store.support.StreamRegistry;
import dev.interlace.core.store.support.TransactionRunner;

/**
 * A {@link StreamStore} in an embedded DuckDB database file.
 * <p>
 * One writer thread owns every write. Publishes queued while it commits are appended together through DuckDB's
 * Appender and committed at once (a group commit): one sync to disk serves many publishes. Each publish is converted
 * and checked before it joins a group, so a bad one fails alone; if a group still fails in the database, the writer
 * discards its connection (DuckDB leaves a connection unusable after a failed commit) and commits each publish of the
 * group on its own, so only the culprit fails. Every publish is whole or absent, whatever its size and whatever
 * happens to the process: a group that could flush more than once commits in a transaction, and rowids are the
 * table's primary key, so no retry can store a row twice.
 * <p>
 * DuckDB lets one process open a file; connections inside the process are duplicates of one database instance.
 *
 * @since 0.1.0
 */
public final class DuckDbStreamStore implements StreamStore, CursorStore {

	/** Path that keeps the database in memory. */
	public static final String IN_MEMORY = ":memory:";

	/**
	 * Groups of at most this many rows commit through a cached appender on an auto-commit connection; larger ones in
	 * an explicit transaction. {@code DuckDBAppender.endRow()} flushes by itself once it holds
	 * {@code duckdb_vector_size()} rows (2,048 in DuckDB's release builds), and on an auto-commit connection each
	 * flush is a commit of its own: only a group of at most one vector is sure to flush, and so commit, once.
	 */
	static final int FAST_PATH_MAX_ROWS = 2_048;

	private static final org.slf4j.Logger logger = LoggerFactory.getLogger(DuckDbStreamStore.class);

	private static final String ENGINE_SCHEMA = "interlace";

	/** Catalog the store's file is attached as: a fixed alias, so no schema name can clash with the file's name. */
	private static final String CATALOG_ALIAS = "interlace_store";

	private final String path;

	private final DuckDBConnection root;

	private final String catalog;

	private final BlockingQueue<DuckDBConnection> readers = new ArrayBlockingQueue<>(8);

	private final StreamRegistry<Table> tables = new StreamRegistry<>();

	/** Cursors, with the SQL every backend shares; its writes run as tasks of the writer thread. */
	private final JdbcCursorStore cursors;

	/** {@link AppendOp}s of this store's tables and {@link TaskOp}s: one queue, so that they keep their order. */
	private final LinkedBlockingQueue<Object> queue;

	private final AppendQueue<Table> appends;

	private final int maxGroupRows;

	private final Thread writerThread;

	private final AtomicLong writerResets = new AtomicLong();

	private volatile boolean closed;

	private final CommitNotifier notifier = new CommitNotifier(logger);

	/** Used by the writer thread only. */
	private @Nullable DuckDBConnection writer;

	/** Appenders kept open between groups; used by the writer thread only. */
	private final Map<Table, DuckDBAppender> appenders = new java.util.HashMap<>();

	private final long lingerNanos;

	private final Options options;

	/** Completes publishes after their commit, off the writer thread. */
	private final PublishCompleter completer = new PublishCompleter("interlace-duckdb-completer");

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
		this.options = options;
		this.maxGroupRows = options.maxGroupRows();
		this.queue = new LinkedBlockingQueue<>(options.queueCapacity());
		this.lingerNanos = options.linger().toNanos();
		try {
			this.root = connection.duplicate();
			this.catalog = currentCatalog(this.root);
			configure(this.root, options);
		}
		catch (SQLException ex) {
			throw new StoreException("Cannot use the given DuckDB connection: " + ex.getMessage(), ex);
		}
		this.path = this.catalog;
		this.appends = newAppendQueue();
		this.cursors = new JdbcCursorStore(new WriterTasks(), new Dialect(), this.tables);
		migrate();
		this.writerThread = startWriter();
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
		this.options = options;
		this.path = path;
		this.lingerNanos = options.linger().toNanos();
		this.maxGroupRows = options.maxGroupRows();
		this.queue = new LinkedBlockingQueue<>(options.queueCapacity());
		this.root = open(path);
		try {
			this.catalog = IN_MEMORY.equals(path) ? currentCatalog(this.root) : CATALOG_ALIAS;
			configure(this.root, options);
		}
		catch (SQLException ex) {
			closeQuietly(this.root);
			throw new StoreException("Cannot open DuckDB database '" + path + "': " + ex.getMessage(), ex);
		}
		this.appends = newAppendQueue();
		this.cursors = new JdbcCursorStore(new WriterTasks(), new Dialect(), this.tables);
		migrate();
		this.writerThread = startWriter();
	}

	private AppendQueue<Table> newAppendQueue() {
		return new AppendQueue<>(this.queue, "DuckDB store '" + this.path + "'",
				(stream) -> this.closed ? new StoreException("DuckDB store '" + this.path + "' is closed") : null);
	}

	private Thread startWriter() {
		Thread thread = new Thread(this::runWriter, "interlace-duckdb-writer");
		thread.setDaemon(true);
		thread.start();
		return thread;
	}

	private static void configure(DuckDBConnection connection, Options options) throws SQLException {
		if (options.threads() > 0) {
			execute(connection, "SET threads = " + options.threads());
		}
	}

	private static DuckDBConnection open(String path) {
		try {
			if (!IN_MEMORY.equals(path)) {
				Path parent = Path.of(path).toAbsolutePath().getParent();
				if (parent != null) {
					Files.createDirectories(parent);
				}
			}
			DuckDBConnection connection = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:");
			if (!IN_MEMORY.equals(path)) {
				// A file opened directly is a catalog named after the file: interlace.duckdb would make every
				// "interlace.x" ambiguous between that catalog and the engine schema. Attach it under a fixed alias.
				execute(connection, "ATTACH '" + path.replace("'", "''") + "' AS " + CATALOG_ALIAS);
			}
			return connection;
		}
		catch (Exception ex) {
			throw new StoreException("Cannot open DuckDB database '" + path + "': " + ex.getMessage(), ex);
		}
	}

	private static String currentCatalog(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement();
				ResultSet rs = statement.executeQuery("SELECT current_database()")) {
			rs.next();
			return rs.getString(1);
		}
	}

	private void migrate() {
		Flyway.configure(DuckDbStreamStore.class.getClassLoader())
			.dataSource(new DuplicatingDataSource(this.root, this.catalog))
			.schemas(ENGINE_SCHEMA)
			.createSchemas(true)
			.table("interlace_schema_history")
			.locations("classpath:dev/interlace/db/duckdb")
			.load()
			.migrate();
	}

	/**
	 * Opens a connection to the store's database, its catalog the default one, for querying streams as ordinary
	 * tables from the same process (DuckDB lets no other process open the file while the store runs). The caller
	 * closes it.
	 * @return a new connection
	 */
	public Connection openConnection() {
		try {
			DuckDBConnection connection = this.root.duplicate();
			execute(connection, "USE " + quote(this.catalog));
			return connection;
		}
		catch (SQLException ex) {
			throw new StoreException("Cannot open a connection to '" + this.path + "': " + ex.getMessage(), ex);
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
		return this.path;
	}

	/**
	 * Returns how often the writer discarded its connection after a failure.
	 * @return the count
	 */
	public long getWriterResets() {
		return this.writerResets.get();
	}

	/**
	 * Returns how many operations wait for the writer.
	 * @return the queue depth
	 */
	public int getQueueDepth() {
		return this.queue.size();
	}

	@Override
	public void addCommitListener(CommitListener listener) {
		this.notifier.addListener(listener);
	}

	@Override
	public void removeCommitListener(CommitListener listener) {
		this.notifier.removeListener(listener);
	}

	@Override
	public void setStoreObserver(StoreObserver observer) {
		this.notifier.setObserver(observer);
	}

	@Override
	public Map<String, Long> readCursors(String stream) {
		return this.cursors.readCursors(stream);
	}

	@Override
	public StreamTable ensureStream(StreamDefinition definition) {
		return await(write("ensure stream '" + definition.name() + "'", (connection) -> ensure(connection, definition)));
	}

	private StreamTable ensure(DuckDBConnection connection, StreamDefinition definition) throws SQLException {
		String table = qualified(definition);
		StringBuilder create = new StringBuilder("CREATE TABLE IF NOT EXISTS ").append(table)
			.append(" (" + StoredEvent.ROWID + " BIGINT NOT NULL PRIMARY KEY, " + StoredEvent.PUBLISHED_AT
					+ " TIMESTAMPTZ NOT NULL, " + StoredEvent.PUBLISH_ID + " UUID NOT NULL");
		definition.fields().forEach((field, type) -> create.append(", ").append(quote(field)).append(' ').append(sqlType(type)));
		create.append(')');
		execute(connection, "CREATE SCHEMA IF NOT EXISTS " + quote(this.catalog) + "." + quote(definition.schema()));
		execute(connection, create.toString());
		requireUniqueRowids(connection, definition);
		ColumnSet columns = loadColumns(connection, definition);
		Map<String, FieldType> missing = columns.missingFields(definition, table);
		addColumns(connection, table, missing);
		columns = columns.with(missing);
		try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO " + engine("streams") + " "
				+ "(name, schema_name, definition, last_rowid, created_at, updated_at) VALUES (?, ?, ?, 0, now(), now()) "
				+ "ON CONFLICT (name) DO UPDATE SET schema_name = excluded.schema_name, "
				+ "definition = excluded.definition, updated_at = excluded.updated_at")) {
			upsert.setString(1, definition.name());
			upsert.setString(2, definition.schema());
			upsert.setString(3, EventConverter.JSON.writeValueAsString(DefinitionDocument.of(definition)));
			upsert.executeUpdate();
		}
		long lastRowid = Math.max(queryLong(connection,
				"SELECT last_rowid FROM " + engine("streams") + " WHERE name = ?", definition.name()),
				queryLong(connection, "SELECT coalesce(max(" + StoredEvent.ROWID + "), 0) FROM " + table));
		Table existing = this.tables.find(definition.name());
		if (existing != null) {
			existing.definition = definition;
			existing.columns = columns;
		}
		else {
			this.tables.put(definition.name(), new Table(definition, columns, lastRowid));
		}
		return new StreamTable(definition.name(), definition.schema(), columns.asMap(), count(connection, table),
				lastRowid);
	}

	/**
	 * Gives a table made before rowids were a primary key one, so that no rowid can be stored twice. A table that
	 * already holds a rowid twice keeps working without it, with a warning: the operator has to remove the repeats.
	 */
	private void requireUniqueRowids(DuckDBConnection connection, StreamDefinition definition) throws SQLException {
		long keys = queryLong(connection, "SELECT count(*) FROM duckdb_constraints() WHERE database_name = ? AND "
				+ "schema_name = ? AND table_name = ? AND constraint_type = 'PRIMARY KEY'", this.catalog,
				definition.schema(), definition.name());
		if (keys > 0) {
			return;
		}
		String table = qualified(definition);
		long repeated = queryLong(connection, "SELECT count(*) - count(DISTINCT " + StoredEvent.ROWID + ") FROM " + table);
		if (repeated > 0) {
			logger.warn("Stream '{}' holds {} repeated rowids (left by an earlier version after a failed or interrupted "
					+ "publish); its table {} gets no primary key until they are removed", definition.name(), repeated,
					table);
			return;
		}
		logger.info("Adding a primary key on {} to the table of stream '{}'", StoredEvent.ROWID, definition.name());
		execute(connection, "ALTER TABLE " + table + " ADD PRIMARY KEY (" + StoredEvent.ROWID + ")");
	}

	private ColumnSet loadColumns(Connection connection, StreamDefinition definition) throws SQLException {
		Map<String, FieldType> columns = new LinkedHashMap<>();
		try (PreparedStatement query = connection.prepareStatement("SELECT column_name, data_type "
				+ "FROM information_schema.columns WHERE table_catalog = ? AND table_schema = ? AND table_name = ? "
				+ "ORDER BY ordinal_position")) {
			query.setString(1, this.catalog);
			query.setString(2, definition.schema());
			query.setString(3, definition.name());
			try (ResultSet rs = query.executeQuery()) {
				int position = 0;
				while (rs.next()) {
					if (position++ < 3) {
						continue;
					}
					columns.put(rs.getString(1), fieldType(rs.getString(2)));
				}
			}
		}
		return ColumnSet.of(columns);
	}

	@Override
	public CompletableFuture<PublishResult> append(String stream, List<? extends Map<String, ?>> events) {
		return append(stream, events, false);
	}

	@Override
	public PublishResult appendAndWait(String stream, List<? extends Map<String, ?>> events) {
		return AppendQueue.await(append(stream, events, true), stream);
	}

	private CompletableFuture<PublishResult> append(String stream, List<? extends Map<String, ?>> events,
			boolean waiting) {
		Table table = this.tables.get(stream);
		return this.appends.append(table, table.definition, table.columns, events, waiting);
	}

	@Override
	public List<StoredEvent> readAfter(String stream, long afterRowid, int limit) {
		Table table = this.tables.get(stream);
		return read((connection) -> {
			try (PreparedStatement query = connection.prepareStatement("SELECT * FROM " + qualified(table.definition)
					+ " WHERE " + StoredEvent.ROWID + " > ? ORDER BY " + StoredEvent.ROWID + " LIMIT ?")) {
				query.setLong(1, afterRowid);
				query.setInt(2, limit);
				try (ResultSet rs = query.executeQuery()) {
					return readEvents(stream, rs);
				}
			}
		});
	}

	@Override
	public StreamTable describe(String stream) {
		Table table = this.tables.get(stream);
		long rows = read((connection) -> count(connection, qualified(table.definition)));
		return new StreamTable(stream, table.definition.schema(), table.columns.asMap(), rows, table.lastRowid);
	}

	@Override
	public long readCursor(String stream, String consumer) {
		return this.cursors.readCursor(stream, consumer);
	}

	@Override
	public long commitCursor(String stream, String consumer, long rowid, int maxConsumers) {
		return this.cursors.commitCursor(stream, consumer, rowid, maxConsumers);
	}

	@Override
	public boolean deleteCursor(String stream, String consumer) {
		return this.cursors.deleteCursor(stream, consumer);
	}

	@Override
	public long trimToMaxRows(String stream, long maxRows, int batchRows) {
		Table table = this.tables.get(stream);
		requireTrim(stream, maxRows, batchRows);
		String name = qualified(table.definition);
		long keepFrom = read((connection) -> queryLong(connection, "SELECT coalesce((SELECT " + StoredEvent.ROWID
				+ " FROM " + name + " ORDER BY " + StoredEvent.ROWID + " DESC LIMIT 1 OFFSET ?), 0)", maxRows));
		if (keepFrom == 0) {
			return 0;
		}
		return trimInBatches(table, StoredEvent.ROWID + " <= ?", keepFrom, batchRows);
	}

	@Override
	public long trimOlderThan(String stream, Instant cutoff, int batchRows) {
		Table table = this.tables.get(stream);
		requireTrim(stream, 0, batchRows);
		return trimInBatches(table, StoredEvent.PUBLISHED_AT + " < ?",
				OffsetDateTime.ofInstant(cutoff, java.time.ZoneOffset.UTC), batchRows);
	}

	private static void requireTrim(String stream, long maxRows, int batchRows) {
		if (maxRows < 0 || batchRows < 1) {
			throw new InvalidRequestException("Cannot trim '" + stream + "' to " + maxRows + " rows in batches of "
					+ batchRows);
		}
	}

	/**
	 * Deletes the rows matching {@code condition}, oldest first, each batch a writer task of its own so that
	 * publishes queued meanwhile commit between batches.
	 */
	private long trimInBatches(Table table, String condition, Object bound, int batchRows) {
		long deleted = 0;
		while (true) {
			long batch = await(write("trim", (connection) -> delete(connection, table, condition, bound, batchRows)));
			deleted += batch;
			if (batch < batchRows) {
				return deleted;
			}
		}
	}

	private long delete(DuckDBConnection connection, Table table, String condition, Object bound, int batchRows)
			throws SQLException {
		// Rowids must never repeat, even when retention empties the table: remember the high-water mark first.
		try (PreparedStatement mark = connection
			.prepareStatement("UPDATE " + engine("streams") + " SET last_rowid = ? WHERE name = ?")) {
			mark.setLong(1, table.lastRowid);
			mark.setString(2, table.definition.name());
			mark.executeUpdate();
		}
		String name = qualified(table.definition);
		// The writer runs without the optimiser; oldest-first needs its top-N rather than a sort of the whole table.
		execute(connection, "PRAGMA enable_optimizer");
		try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + name + " WHERE "
				+ StoredEvent.ROWID + " IN (SELECT " + StoredEvent.ROWID + " FROM " + name + " WHERE " + condition
				+ " ORDER BY " + StoredEvent.ROWID + " LIMIT ?)")) {
			delete.setObject(1, bound);
			delete.setInt(2, batchRows);
			int deleted = delete.executeUpdate();
			// Not in a finally: a failure resets the writer, whose new connection starts without the optimiser.
			execute(connection, "PRAGMA disable_optimizer");
			return deleted;
		}
	}

	@Override
	public void close() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		try {
			this.writerThread.join(TimeUnit.SECONDS.toMillis(30));
			this.completer.close();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		DuckDBConnection reader;
		while ((reader = this.readers.poll()) != null) {
			closeQuietly(reader);
		}
		closeQuietly(this.root);
	}

	private void enqueue(TaskOp<?> op) {
		if (this.closed) {
			throw new StoreException("DuckDB store '" + this.path + "' is closed");
		}
		try {
			this.queue.put(op);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new StoreException("Interrupted while waiting for the writer of '" + this.path + "'", ex);
		}
	}

	private <T> CompletableFuture<T> write(String what, SqlTask<T> task) {
		CompletableFuture<T> future = new CompletableFuture<>();
		enqueue(new TaskOp<>(what, task, future));
		return future.exceptionallyCompose((ex) -> CompletableFuture.failedFuture(unwrap(ex)));
	}

	private static <T> T await(CompletableFuture<T> future) {
		try {
			return future.join();
		}
		catch (java.util.concurrent.CompletionException ex) {
			if (ex.getCause() instanceof RuntimeException cause) {
				throw cause;
			}
			throw ex;
		}
	}

	private static Throwable unwrap(Throwable ex) {
		return (ex instanceof java.util.concurrent.CompletionException && ex.getCause() != null) ? ex.getCause() : ex;
	}

	private <T> T read(SqlTask<T> task) {
		DuckDBConnection connection = this.readers.poll();
		boolean healthy = false;
		try {
			if (connection == null) {
				connection = this.root.duplicate();
			}
			T result = task.run(connection);
			healthy = true;
			return result;
		}
		catch (SQLException ex) {
			throw new StoreException("DuckDB read failed: " + ex.getMessage(), ex);
		}
		finally {
			if (connection != null && !(healthy && !this.closed && this.readers.offer(connection))) {
				closeQuietly(connection);
			}
		}
	}

	// ---- the writer thread ----

	private void runWriter() {
		GroupCollector<Table> collector = new GroupCollector<>(this.queue, this.maxGroupRows, this.lingerNanos,
				() -> this.closed);
		List<AppendOp<Table>> group = new ArrayList<>();
		while (!collector.drained()) {
			Object other = collector.next(group);
			if (other instanceof TaskOp<?> task) {
				closeAppenders();
				runTask(task);
			}
			else if (!group.isEmpty()) {
				commitGroup(group);
				group.clear();
			}
		}
		closeAppenders();
		if (this.writer != null) {
			closeQuietly(this.writer);
		}
	}

	private <T> void runTask(TaskOp<T> task) {
		try {
			DuckDBConnection connection = writer();
			execute(connection, "BEGIN TRANSACTION");
			T result;
			try {
				result = task.task().run(connection);
			}
			catch (RuntimeException ex) {
				execute(connection, "ROLLBACK");
				task.future().completeExceptionally(ex);
				return;
			}
			execute(connection, "COMMIT");
			task.future().complete(result);
		}
		catch (SQLException | RuntimeException ex) {
			resetWriter(ex);
			task.future().completeExceptionally(new StoreException(
					"DuckDB could not " + task.what() + ": " + ex.getMessage(), ex));
		}
	}

	private void commitGroup(List<AppendOp<Table>> group) {
		Map<Table, ColumnSet> columns = new LinkedHashMap<>();
		Map<Table, List<PreparedAppend<Table>>> byTable = new LinkedHashMap<>();
		for (AppendOp<Table> op : group) {
			ColumnSet current = columns.getOrDefault(op.table(), op.table().columns);
			ConvertedBatch batch = op.batch();
			if (batch.base() != current) {
				// The table gained columns since this publish was converted: convert again against them.
				try {
					batch = EventConverter.convert(op.table().definition, current, op.events());
				}
				catch (InterlaceException ex) {
					op.future().completeExceptionally(ex);
					continue;
				}
			}
			columns.put(op.table(), batch.columns());
			byTable.computeIfAbsent(op.table(), (key) -> new ArrayList<>()).add(new PreparedAppend<>(op, batch));
		}
		// A publish touches one stream, so each table commits on its own: that keeps every publish atomic.
		byTable.forEach((table, prepared) -> commitTable(table, columns.get(table), prepared));
	}

	private void commitTable(Table table, ColumnSet columns, List<PreparedAppend<Table>> prepared) {
		Instant publishedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
		long lastRowid;
		long start = System.nanoTime();
		try {
			lastRowid = writeTable(table, columns, prepared, publishedAt);
		}
		catch (SQLException | RuntimeException ex) {
			resetWriter(ex);
			if (prepared.size() > 1) {
				// Commit each publish alone so that only the one the database refuses fails.
				for (PreparedAppend<Table> each : prepared) {
					commitGroup(List.of(each.op()));
				}
			}
			else {
				prepared.get(0).op().future().completeExceptionally(publishFailure(table, ex));
			}
			return;
		}
		this.notifier.observe(table.definition.name(), (int) (lastRowid - table.lastRowid), System.nanoTime() - start);
		table.lastRowid = lastRowid;
		// Live subscribers are handed the events before publishers hear back: whoever saw a publish succeed can
		// count on its events being on their way to every subscriber.
		notifyListener(table, prepared, publishedAt);
		this.completer.complete(table.definition.name(), prepared);
	}

	/**
	 * Returns what a publish that failed alone fails with: the database refusing its data is the client's to fix
	 * ({@link DataRejectedException}); anything else may pass ({@link StoreException}).
	 */
	private static RuntimeException publishFailure(Table table, Exception ex) {
		String reason = refusalReason(ex);
		if (reason != null) {
			return new DataRejectedException("DuckDB refused the publish to '" + table.definition.name() + "': "
					+ reason, null, ex);
		}
		return new StoreException("DuckDB rejected the publish to '" + table.definition.name() + "': "
				+ ex.getMessage(), ex);
	}

	/**
	 * Says why DuckDB refused a publish's data, or {@code null} when the failure is not about the data. DuckDB gives
	 * no SQLState and one exception class for everything, so its message decides: a constraint or conversion error,
	 * as DuckDB words them in its statements ({@code Constraint Error: ...}, {@code Conversion Error: ...}) and in
	 * its appender ({@code Failed to append: Duplicate key ... violates unique constraint}). A clash on the rowid is
	 * the store's own fault, never the client's. The reason is the message's first line, after the appender's
	 * prefix: no SQL text.
	 */
	static @Nullable String refusalReason(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = (cause.getCause() == cause) ? null : cause.getCause()) {
			String message = cause.getMessage();
			if (!(cause instanceof SQLException) || message == null) {
				continue;
			}
			int appended = message.indexOf(APPENDER_REASON);
			if (message.startsWith("Appender error") && appended >= 0) {
				message = message.substring(appended + APPENDER_REASON.length());
			}
			// A failed statement reads "Invalid Input Error: ... pending query result\nError: Conversion Error: ...":
			// the last error named is DuckDB's reason.
			int at = Math.max(message.lastIndexOf("Constraint Error: "), message.lastIndexOf("Conversion Error: "));
			String reason = firstLine((at >= 0) ? message.substring(at) : message);
			boolean refused = at >= 0 || reason.contains("violates unique constraint")
					|| reason.contains("violates primary key constraint") || reason.contains("NOT NULL constraint failed")
					|| reason.contains("CHECK constraint failed") || reason.contains("violates foreign key constraint");
			if (refused && !reason.contains(StoredEvent.ROWID)) {
				return reason;
			}
		}
		return null;
	}

	private static final String APPENDER_REASON = "message: ";

	private static String firstLine(String text) {
		int end = text.indexOf('\n');
		return ((end >= 0) ? text.substring(0, end) : text).strip();
	}

	/**
	 * Appends and commits one table's publishes. Small groups go through a cached appender on an auto-commit
	 * connection, where each flush is one atomic commit: no BEGIN, COMMIT or appender set-up per group, which is most
	 * of DuckDB's cost per commit. Groups of more than {@value #FAST_PATH_MAX_ROWS} rows, which the appender would
	 * flush (and commit) part-way, run in an explicit transaction instead, so that they stay atomic.
	 */
	private long writeTable(Table table, ColumnSet columns, List<PreparedAppend<Table>> prepared, Instant publishedAt)
			throws SQLException {
		DuckDBConnection connection = writer();
		Map<String, FieldType> added = new LinkedHashMap<>();
		for (int i = table.columns.size(); i < columns.size(); i++) {
			added.put(columns.name(i), columns.type(i));
		}
		if (!added.isEmpty()) {
			closeAppender(table);
			addColumns(connection, qualified(table.definition), added);
			// Committed on its own: the columns exist whatever becomes of the rows.
			table.columns = columns;
		}
		int rows = 0;
		for (PreparedAppend<Table> each : prepared) {
			rows += each.rows();
		}
		boolean transactional = rows > FAST_PATH_MAX_ROWS;
		DuckDBAppender appender;
		if (transactional) {
			closeAppender(table);
			execute(connection, "BEGIN TRANSACTION");
			appender = connection.createAppender(this.catalog, table.definition.schema(), table.definition.name());
		}
		else {
			appender = appender(connection, table);
		}
		long micros = epochMicros(publishedAt);
		long rowid = PreparedAppend.assignRowids(prepared, table.lastRowid + 1);
		long next = table.lastRowid + 1;
		for (PreparedAppend<Table> each : prepared) {
			UUID publishId = each.op().publishId();
			for (Object[] row : each.batch().rows()) {
				appender.beginRow();
				appender.append(next++);
				appender.appendEpochMicros(micros);
				appender.append(publishId);
				for (int column = 0; column < columns.size(); column++) {
					appendValue(appender, columns.type(column), (column < row.length) ? row[column] : null);
				}
				appender.endRow();
			}
		}
		// close() swallows append errors: flush explicitly so that a failure is seen.
		appender.flush();
		if (transactional) {
			appender.close();
			execute(connection, "COMMIT");
		}
		return rowid;
	}

	private DuckDBAppender appender(DuckDBConnection connection, Table table) throws SQLException {
		DuckDBAppender appender = this.appenders.get(table);
		if (appender == null) {
			appender = connection.createAppender(this.catalog, table.definition.schema(), table.definition.name());
			this.appenders.put(table, appender);
		}
		return appender;
	}

	private void closeAppender(Table table) {
		DuckDBAppender appender = this.appenders.remove(table);
		if (appender != null) {
			try {
				appender.close();
			}
			catch (SQLException ex) {
				logger.debug("Closing a DuckDB appender failed", ex);
			}
		}
	}

	private void closeAppenders() {
		for (Table table : new ArrayList<>(this.appenders.keySet())) {
			closeAppender(table);
		}
	}

	private static void appendValue(DuckDBAppender appender, FieldType type, @Nullable Object value)
			throws SQLException {
		if (value == null) {
			appender.appendNull();
			return;
		}
		switch (type) {
			case STRING -> appender.append((String) value);
			case INT32 -> appender.append((int) (Integer) value);
			case INT64 -> appender.append((long) (Long) value);
			case FLOAT32 -> appender.append((float) (Float) value);
			case FLOAT64 -> appender.append((double) (Double) value);
			case BOOLEAN -> appender.append((boolean) (Boolean) value);
			case TIMESTAMP -> appender.appendEpochMicros(epochMicros((Instant) value));
			case DATE -> appender.append((LocalDate) value);
			case DECIMAL -> appender.append(((BigDecimal) value).setScale(FieldType.DECIMAL_SCALE, RoundingMode.UNNECESSARY));
			case JSON -> appender.append(((ConvertedBatch.JsonValue) value).text());
		}
	}

	/** Microseconds since the epoch; unlike {@code ChronoUnit.MICROS.between}, no overflow through nanoseconds. */
	private static long epochMicros(Instant instant) {
		return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
	}

	private void notifyListener(Table table, List<PreparedAppend<Table>> prepared, Instant publishedAt) {
		CommitListener listener = this.notifier.listener();
		String stream = table.definition.name();
		if (!listener.wants(stream)) {
			return;
		}
		List<StoredEvent> events = new ArrayList<>();
		PreparedAppend.addEvents(stream, prepared, publishedAt, events);
		this.notifier.deliver(listener, stream, events);
	}

	private DuckDBConnection writer() throws SQLException {
		if (this.writer == null) {
			this.writer = this.root.duplicate();
			// Every appender flush is planned as an INSERT ... SELECT, and optimising that plan is a fifth of DuckDB's
			// cost for a small group: nothing here benefits from it but trimming, which turns it back on.
			execute(this.writer, "PRAGMA disable_optimizer");
		}
		return this.writer;
	}

	private void resetWriter(Exception cause) {
		// After a failed commit DuckDB's connection claims a transaction it no longer has: never reuse it.
		logger.warn("DuckDB writer of '{}' failed, reopening its connection: {}", this.path, cause.getMessage());
		this.writerResets.incrementAndGet();
		this.appenders.clear();
		if (this.writer != null) {
			try {
				execute(this.writer, "ROLLBACK");
			}
			catch (SQLException ex) {
				// Expected when the failure already ended the transaction.
			}
			closeQuietly(this.writer);
			this.writer = null;
		}
	}

	// ---- SQL helpers ----

	private static List<StoredEvent> readEvents(String stream, ResultSet rs) throws SQLException {
		ResultSetMetaData meta = rs.getMetaData();
		int count = meta.getColumnCount();
		String[] names = new String[count + 1];
		String[] types = new String[count + 1];
		for (int i = 1; i <= count; i++) {
			names[i] = meta.getColumnName(i);
			types[i] = meta.getColumnTypeName(i);
		}
		List<StoredEvent> events = new ArrayList<>();
		while (rs.next()) {
			long rowid = rs.getLong(1);
			Instant publishedAt = rs.getObject(2, OffsetDateTime.class).toInstant();
			UUID publishId = (UUID) rs.getObject(3);
			Map<String, Object> data = new LinkedHashMap<>();
			for (int i = 4; i <= count; i++) {
				Object value = rs.getObject(i);
				if (value != null) {
					data.put(names[i], readValue(types[i], value));
				}
			}
			events.add(new StoredEvent(stream, rowid, publishedAt, publishId, data));
		}
		return events;
	}

	private static Object readValue(String type, Object value) {
		if (type.equals("JSON")) {
			return EventConverter.JSON.readValue(value.toString(), Object.class);
		}
		if (value instanceof OffsetDateTime timestamp) {
			return timestamp.toInstant();
		}
		if (value instanceof BigDecimal decimal) {
			return EventConverter.canonicalDecimal(decimal);
		}
		return value;
	}

	private static void addColumns(Connection connection, String table, Map<String, FieldType> columns)
			throws SQLException {
		for (Map.Entry<String, FieldType> column : columns.entrySet()) {
			execute(connection, "ALTER TABLE " + table + " ADD COLUMN " + quote(column.getKey()) + " "
					+ sqlType(column.getValue()));
		}
	}

	static String sqlType(FieldType type) {
		return switch (type) {
			case STRING -> "VARCHAR";
			case INT32 -> "INTEGER";
			case INT64 -> "BIGINT";
			case FLOAT32 -> "FLOAT";
			case FLOAT64 -> "DOUBLE";
			case BOOLEAN -> "BOOLEAN";
			case TIMESTAMP -> "TIMESTAMPTZ";
			case DATE -> "DATE";
			case JSON -> "JSON";
			case DECIMAL -> "DECIMAL(" + FieldType.DECIMAL_PRECISION + "," + FieldType.DECIMAL_SCALE + ")";
		};
	}

	static FieldType fieldType(String sqlType) {
		String type = sqlType.toUpperCase(java.util.Locale.ROOT);
		if (type.startsWith("DECIMAL")) {
			return FieldType.DECIMAL;
		}
		return switch (type) {
			case "INTEGER" -> FieldType.INT32;
			case "BIGINT" -> FieldType.INT64;
			case "FLOAT" -> FieldType.FLOAT32;
			case "DOUBLE" -> FieldType.FLOAT64;
			case "BOOLEAN" -> FieldType.BOOLEAN;
			case "TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ" -> FieldType.TIMESTAMP;
			case "DATE" -> FieldType.DATE;
			case "JSON" -> FieldType.JSON;
			default -> FieldType.STRING;
		};
	}

	private String qualified(StreamDefinition definition) {
		return quote(this.catalog) + "." + quote(definition.schema()) + "." + quote(definition.name());
	}

	private String engine(String table) {
		return quote(this.catalog) + "." + ENGINE_SCHEMA + "." + table;
	}

	private static String quote(String identifier) {
		return '"' + identifier.replace("\"", "\"\"") + '"';
	}

	private static void execute(Connection connection, String sql) throws SQLException {
		try (Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
	}

	private static long count(Connection connection, String table) throws SQLException {
		return queryLong(connection, "SELECT count(*) FROM " + table);
	}

	private static long queryLong(Connection connection, String sql, Object... parameters) throws SQLException {
		try (PreparedStatement query = connection.prepareStatement(sql)) {
			for (int i = 0; i < parameters.length; i++) {
				query.setObject(i + 1, parameters[i]);
			}
			try (ResultSet rs = query.executeQuery()) {
				return rs.next() ? rs.getLong(1) : 0L;
			}
		}
	}

	private static void closeQuietly(Connection connection) {
		try {
			connection.close();
		}
		catch (SQLException ex) {
			logger.debug("Closing a DuckDB connection failed", ex);
		}
	}

	// ---- types ----

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

	/** A stream's table as the writer sees it. */
	private static final class Table {

		volatile StreamDefinition definition;

		/** Replaced, never mutated, by the writer after a commit that added columns. */
		volatile ColumnSet columns;

		/** Highest rowid committed; written by the writer thread only. */
		volatile long lastRowid;

		Table(StreamDefinition definition, ColumnSet columns, long lastRowid) {
			this.definition = definition;
			this.columns = columns;
			this.lastRowid = lastRowid;
		}

	}

	/**
	 * Runs shared SQL the way this store runs its own: writes as tasks of the writer thread, each in one transaction
	 * between group commits (the single writer orders them, so no lock is needed), reads on a reader connection.
	 */
	private final class WriterTasks implements TransactionRunner {

		@Override
		public <T> T inTransaction(String what, SqlWork<T> work) {
			return await(write(what, work::run));
		}

		@Override
		public <T> T read(String what, SqlWork<T> work) {
			return DuckDbStreamStore.this.read(work::run);
		}

	}

	/** DuckDB's side of the shared SQL. */
	private final class Dialect implements SqlDialect {

		@Override
		public String engineTable(String table) {
			return engine(table);
		}

		@Override
		public void lockNewCursors(Connection connection, String stream) {
			// Nothing to lock: cursors change on the writer thread alone.
		}

		@Override
		public long highestRowid(Connection connection, String stream) {
			// Called on the writer thread, which alone moves a table's last rowid.
			return DuckDbStreamStore.this.tables.get(stream).lastRowid;
		}

	}

	@FunctionalInterface
	private interface SqlTask<T> {

		T run(DuckDBConnection connection) throws SQLException;

	}

	private record TaskOp<T>(String what, SqlTask<T> task, CompletableFuture<T> future) {
	}

	/** Hands Flyway duplicates of the store's connection: DuckDB allows one database instance per file. */
	private static final class DuplicatingDataSource implements DataSource {

		private final DuckDBConnection root;

		private final String catalog;

		DuplicatingDataSource(DuckDBConnection root, String catalog) {
			this.root = root;
			this.catalog = catalog;
		}

		@Override
		public Connection getConnection() throws SQLException {
			// Flyway names tables by schema only: make the store's catalog the default one.
			DuckDBConnection connection = this.root.duplicate();
			execute(connection, "USE " + quote(this.catalog));
			return connection;
		}

		@Override
		public Connection getConnection(String username, String password) throws SQLException {
			return getConnection();
		}

		@Override
		public PrintWriter getLogWriter() {
			return new PrintWriter(System.err);
		}

		@Override
		public void setLogWriter(PrintWriter out) {
		}

		@Override
		public void setLoginTimeout(int seconds) {
		}

		@Override
		public int getLoginTimeout() {
			return 0;
		}

		@Override
		public Logger getParentLogger() {
			return Logger.getLogger("dev.interlace");
		}

		@Override
		public <T> T unwrap(Class<T> iface) throws SQLException {
			throw new SQLException("Not a wrapper");
		}

		@Override
		public boolean isWrapperFor(Class<?> iface) {
			return false;
		}

	}

}
