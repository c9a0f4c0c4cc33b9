package dev.interlace.core.store.postgres;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.postgresql.copy.CopyIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.interlace.core.DataRejectedException;
import dev.interlace.core.FieldType;
import dev.interlace.core.InterlaceException;
import dev.interlace.core.InvalidRequestException;
import dev.interlace.core.PublishResult;
import dev.interlace.core.StoreException;
import dev.interlace.core.StoredEvent;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.StreamNotFoundException;
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
import dev.interlace.core.store.support.SqlWork;
import dev.interlace.core.store.support.StreamRegistry;
import dev.interlace.core.store.support.TransactionRunner;

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
 * <b>Outages.</b> Connection failures open a circuit breaker: while it is open every call fails at once with a
 * {@link StoreException} saying the database is unavailable, then a trial call checks whether it is back. The
 * listening connection reconnects by itself and closes the breaker as soon as it succeeds.
 * <p>
 * The data source is the caller's (a pool): the store borrows connections per operation and keeps one for
 * listening, and {@link #close()} leaves the pool open.
 *
 * @since 0.1.0
 */
public final class PostgresStreamStore implements StreamStore, CursorStore {

	/** Channel of the notifications sent with each append: {@code <stream>:<last rowid>}. */
	static final String CHANNEL = "interlace_events";

	private static final Logger logger = LoggerFactory.getLogger(PostgresStreamStore.class);

	private static final String ENGINE_SCHEMA = "interlace";

	/** Advisory lock serialising the schema changes of all instances ("Interlace" in ASCII). */
	private static final long DDL_LOCK = 0x496e_7465_726c_6163L;

	/** Rows read per query when delivery catches up with other instances' commits. */
	private static final int CATCH_UP_PAGE = 1_000;

	/** Bound parameters of one multi-row INSERT: above this a group goes through COPY whatever its size. */
	private static final int MAX_PARAMETERS = 30_000;

	/** Bytes of COPY data sent at a time. */
	private static final int COPY_CHUNK = 64 * 1024;

	/** How long the listener waits for notifications at a time, so that it notices {@link #close()}. */
	private static final int POLL_MILLIS = 250;

	/** A listening connection this long without traffic is checked with a query. */
	private static final long PING_NANOS = TimeUnit.SECONDS.toNanos(5);

	private static final Duration FIRST_RECONNECT_DELAY = Duration.ofMillis(100);

	private final DataSource dataSource;

	private final Options options;

	private final CircuitBreaker breaker;

	private final StreamRegistry<Table> tables = new StreamRegistry<>();

	/** Runs the SQL written once for every backend: on a pooled connection, through the breaker. */
	private final TransactionRunner runner = new TransactionRunner() {

		@Override
		public <T> T inTransaction(String what, SqlWork<T> work) {
			return withConnection(what,
					(connection) -> PostgresStreamStore.inTransaction(connection, () -> work.run(connection)));
		}

		@Override
		public <T> T read(String what, SqlWork<T> work) {
			return withConnection(what, work::run);
		}

	};

	private final PostgresDialect dialect = new PostgresDialect(ENGINE_SCHEMA);

	private final JdbcCursorStore cursors = new JdbcCursorStore(this.runner, this.dialect, this.tables);

	/** Monitors of the streams this store counts or once counted, by name. */
	private final ConcurrentMap<String, Object> recounts = new ConcurrentHashMap<>();

	private final Writer[] writers;

	/** When the database last answered a call ({@code System.nanoTime()}). */
	private volatile long lastAnswer = System.nanoTime();

	private final Delivery delivery = new Delivery();

	private final Thread deliveryThread;

	private final Thread listenerThread;

	/** Completes publishes whose callers chained work onto them, off the writer and delivery threads. */
	private final PublishCompleter completer = new PublishCompleter("interlace-postgres-completer");


	private final AtomicLong groupRetries = new AtomicLong();

	private volatile boolean closed;

	private final CommitNotifier notifier = new CommitNotifier(logger);

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
		this.dataSource = dataSource;
		this.options = options;
		this.breaker = CircuitBreaker.of("interlace-postgres", CircuitBreakerConfig.custom()
			.slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
			.slidingWindowSize(10)
			.minimumNumberOfCalls(3)
			.failureRateThreshold(50)
			.waitDurationInOpenState(options.breakerOpenDuration())
			.permittedNumberOfCallsInHalfOpenState(1)
			.maxWaitDurationInHalfOpenState(Duration.ofSeconds(60))
			.writableStackTraceEnabled(false)
			.build());
		this.breaker.getEventPublisher().onStateTransition((event) -> logger.info("PostgreSQL circuit breaker: {}",
				event.getStateTransition()));
		migrate();
		checkDurability();
		Connection listening = listen();
		this.writers = new Writer[options.writerThreads()];
		int capacity = (options.queueCapacity() + options.writerThreads() - 1) / options.writerThreads();
		for (int i = 0; i < this.writers.length; i++) {
			this.writers[i] = new Writer(i, capacity);
		}
		this.deliveryThread = start(this.delivery, "interlace-postgres-delivery");
		this.listenerThread = start(() -> runListener(listening), "interlace-postgres-listener");
	}

	private static Thread start(Runnable runnable, String name) {
		Thread thread = new Thread(runnable, name);
		thread.setDaemon(true);
		thread.start();
		return thread;
	}

	private void migrate() {
		for (int attempt = 1;; attempt++) {
			try {
				Flyway.configure(PostgresStreamStore.class.getClassLoader())
					.dataSource(this.dataSource)
					.schemas(ENGINE_SCHEMA)
					.createSchemas(true)
					.table("interlace_schema_history")
					.locations("classpath:dev/interlace/db/postgres")
					.load()
					.migrate();
				return;
			}
			catch (FlywayException ex) {
				// Instances starting together on an empty database race to create the schema; the loser finds it
				// made on its next attempt.
				if (attempt == 3) {
					throw new StoreException("Cannot create Interlace's tables in PostgreSQL: " + ex.getMessage(), ex);
				}
				logger.debug("Migrating Interlace's tables failed, retrying", ex);
			}
		}
	}

	/**
	 * Warns when the database may lose commits it acknowledged: with {@code fsync} off a crash of the machine can
	 * lose or corrupt committed data, with {@code synchronous_commit} off a crash of the server loses the last
	 * commits (up to three times {@code wal_writer_delay}) although their publishes were answered as stored. Both are
	 * the operator's choice and left as they are; the store only says so. Checked on a connection of the pool, so
	 * settings per database or per role show as the store's own connections see them.
	 */
	private void checkDurability() {
		try (Connection connection = this.dataSource.getConnection()) {
			for (String setting : DURABILITY_SETTINGS) {
				String value = show(connection, setting);
				if ("off".equalsIgnoreCase(value)) {
					logger.warn("PostgreSQL runs with {} = off: a crash can lose publishes that were answered as "
							+ "stored{}. Set {} = on for Interlace's durability guarantee", setting,
							setting.equals("fsync") ? ", or corrupt the database" : "", setting);
				}
			}
		}
		catch (SQLException ex) {
			logger.warn("Cannot check PostgreSQL's durability settings (fsync, synchronous_commit): {}", ex.getMessage());
		}
	}

	/** Settings checked by {@link #checkDurability()}. */
	static final List<String> DURABILITY_SETTINGS = List.of("fsync", "synchronous_commit");

	private static String show(Connection connection, String setting) throws SQLException {
		try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery("SHOW " + setting)) {
			return rs.next() ? rs.getString(1) : "";
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
	 * Returns how often a group the database refused was committed again publish by publish.
	 * @return the count
	 */
	public long getGroupRetries() {
		return this.groupRetries.get();
	}

	/**
	 * Says whether the circuit breaker lets calls through to the database.
	 * @return whether the breaker is closed
	 */
	public boolean isBreakerClosed() {
		return this.breaker.getState() == CircuitBreaker.State.CLOSED;
	}

	/**
	 * Returns how many publishes wait for the writers.
	 * @return the queue depth
	 */
	public int getQueueDepth() {
		int depth = 0;
		for (Writer writer : this.writers) {
			depth += writer.queue.size();
		}
		return depth;
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

	// ---- streams ----

	@Override
	public StreamTable ensureStream(StreamDefinition definition) {
		String table = qualified(definition);
		Ensured ensured = withConnection("ensure stream '" + definition.name() + "'", (connection) -> {
			Ensured changed = inTransaction(connection, () -> {
				lockSchemaChanges(connection);
				boolean existed = queryLong(connection, "SELECT count(*) FROM pg_class WHERE oid = to_regclass(?)",
						table) > 0;
				if (existed && !loadColumns(connection, definition).missingFields(definition, table).isEmpty()) {
					// The table before the registry row, the order appenders and trims take them in: a one-statement
					// append locks the table as it starts and the registry row as it runs.
					execute(connection, "LOCK TABLE " + table + " IN ACCESS EXCLUSIVE MODE");
				}
				long lastRowid;
				try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO " + engine("streams")
						+ " (name, schema_name, definition, last_rowid, row_count, row_count_known, created_at,"
						+ " updated_at) VALUES (?, ?, ?::jsonb, 0, 0, false, now(), now()) ON CONFLICT (name) DO UPDATE"
						+ " SET schema_name = excluded.schema_name, definition = excluded.definition,"
						+ " updated_at = excluded.updated_at RETURNING last_rowid")) {
					upsert.setString(1, definition.name());
					upsert.setString(2, definition.schema());
					upsert.setString(3, EventConverter.JSON.writeValueAsString(DefinitionDocument.of(definition)));
					lastRowid = single(upsert);
				}
				execute(connection, "CREATE SCHEMA IF NOT EXISTS " + quote(definition.schema()));
				StringBuilder create = new StringBuilder("CREATE TABLE IF NOT EXISTS ").append(table)
					.append(" (" + StoredEvent.ROWID + " bigint PRIMARY KEY, " + StoredEvent.PUBLISHED_AT
							+ " timestamptz NOT NULL, " + StoredEvent.PUBLISH_ID + " uuid NOT NULL");
				definition.fields()
					.forEach((field, type) -> create.append(", ")
						.append(quote(field))
						.append(' ')
						.append(PostgresTypes.sqlType(type)));
				execute(connection, create.append(')').toString());
				ColumnSet columns = loadColumns(connection, definition);
				Map<String, FieldType> missing = columns.missingFields(definition, table);
				addColumns(connection, table, missing);
				columns = columns.with(missing);
				if (!existed) {
					// Nobody can have rows in a table this uncommitted transaction made, and appenders wait for the
					// registry row locked above: zero is exact, whatever the registry said of a table dropped by hand.
					updateRegistry(connection, definition.name(), "row_count = 0, row_count_known = true");
				}
				long highest = queryLong(connection, "SELECT coalesce(max(" + StoredEvent.ROWID + "), 0) FROM " + table);
				if (highest > lastRowid) {
					// Rows the registry does not account for (a table restored by hand, say): never reuse their rowids,
					// and count them again as they were never added to the count.
					updateRegistry(connection, definition.name(),
							"last_rowid = " + highest + ", row_count_known = false");
					lastRowid = highest;
				}
				return new Ensured(columns, lastRowid, 0);
			});
			// Counted (if need be) after the commit, outside the locks that hold up every instance's appends.
			return new Ensured(changed.columns(), changed.lastRowid(), rowCount(connection, definition));
		});
		// Delivery learns of the stream before any publish to it can be queued.
		this.delivery.offer(new Delivery.Ensured(definition.name(), ensured.lastRowid()));
		this.tables.compute(definition.name(), (name, existing) -> {
			if (existing == null) {
				return new Table(definition, ensured.columns());
			}
			existing.definition = definition;
			existing.mergeColumns(ensured.columns());
			return existing;
		});
		return new StreamTable(definition.name(), definition.schema(), ensured.columns().asMap(), ensured.rowCount(),
				ensured.lastRowid());
	}

	private static void updateRegistry(Connection connection, String stream, String assignments) throws SQLException {
		try (PreparedStatement update = connection
			.prepareStatement("UPDATE " + engine("streams") + " SET " + assignments + " WHERE name = ?")) {
			update.setString(1, stream);
			update.executeUpdate();
		}
	}

	/**
	 * Returns the stream's row count from the registry, counting the table first when the registry does not know it
	 * (a stream from before counts were kept, or a recount asked for).
	 * <p>
	 * Appenders and trims of every instance change {@code row_count} by what they insert or delete, in the same
	 * transaction, so the difference between the table's rows and {@code row_count} is the same in every snapshot
	 * once counts are kept, whatever happens concurrently. Both are read in one statement (one snapshot), and that
	 * difference is added to whatever {@code row_count} holds by the time the update takes the row lock: publishes
	 * and trims that commit in between, on any instance, are in the row count and not in the snapshot, so they are
	 * counted exactly once. Counting under the row lock instead would be simpler but would stop every instance's
	 * appends to the stream for the whole scan. Two instances counting at once agree on the difference; the
	 * {@code row_count_known} condition keeps the second from adding it again. This relies on READ COMMITTED or
	 * stricter, where one statement sees one snapshot.
	 */
	private long rowCount(Connection connection, StreamDefinition definition) throws SQLException {
		String stream = definition.name();
		try (PreparedStatement query = connection.prepareStatement(
				"SELECT row_count, row_count_known FROM " + engine("streams") + " WHERE name = ?")) {
			query.setString(1, stream);
			try (ResultSet rs = query.executeQuery()) {
				if (!rs.next()) {
					throw new StreamNotFoundException(stream);
				}
				if (rs.getBoolean(2)) {
					return rs.getLong(1);
				}
			}
		}
		// One instance counts once: concurrent callers of this store wait for its answer rather than scan again.
		synchronized (this.recounts.computeIfAbsent(stream, (key) -> new Object())) {
			long uncounted = queryLong(connection, "SELECT (SELECT count(*) FROM " + qualified(definition)
					+ ") - row_count FROM " + engine("streams") + " WHERE name = ? AND NOT row_count_known", stream);
			try (PreparedStatement update = connection.prepareStatement("UPDATE " + engine("streams")
					+ " SET row_count = row_count + ?, row_count_known = true WHERE name = ? AND NOT row_count_known")) {
				update.setLong(1, uncounted);
				update.setString(2, stream);
				update.executeUpdate();
			}
			return queryLong(connection, "SELECT row_count FROM " + engine("streams") + " WHERE name = ?", stream);
		}
	}

	private static ColumnSet loadColumns(Connection connection, StreamDefinition definition) throws SQLException {
		Map<String, FieldType> columns = new LinkedHashMap<>();
		try (PreparedStatement query = connection.prepareStatement("SELECT a.attname, t.typname FROM pg_attribute a"
				+ " JOIN pg_type t ON t.oid = a.atttypid WHERE a.attrelid = to_regclass(?) AND a.attnum > 0"
				+ " AND NOT a.attisdropped ORDER BY a.attnum")) {
			query.setString(1, quote(definition.schema()) + "." + quote(definition.name()));
			try (ResultSet rs = query.executeQuery()) {
				while (rs.next()) {
					String name = rs.getString(1);
					if (!name.startsWith(StreamDefinition.RESERVED_PREFIX)) {
						columns.put(name, PostgresTypes.fieldType(rs.getString(2)));
					}
				}
			}
		}
		return ColumnSet.of(columns);
	}

	private static void addColumns(Connection connection, String table, Map<String, FieldType> columns)
			throws SQLException {
		for (Map.Entry<String, FieldType> column : columns.entrySet()) {
			execute(connection, "ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS " + quote(column.getKey()) + " "
					+ PostgresTypes.sqlType(column.getValue()));
		}
	}

	private static void lockSchemaChanges(Connection connection) throws SQLException {
		try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
			lock.setLong(1, DDL_LOCK);
			lock.execute();
		}
	}

	// ---- publishing ----

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
		Writer writer = this.writers[Math.floorMod(stream.hashCode(), this.writers.length)];
		return writer.appends.append(table, table.definition, table.columns, events, waiting);
	}

	/** Says why publishes are refused now; asked of converted publishes only, so that bad events fail as such. */
	private @Nullable StoreException refusal(String stream) {
		if (this.closed) {
			return new StoreException("PostgreSQL store is closed");
		}
		if (breakerRejects()) {
			return unavailable("append to '" + stream + "'", null);
		}
		return null;
	}

	// ---- reading, cursors, retention ----

	@Override
	public List<StoredEvent> readAfter(String stream, long afterRowid, int limit) {
		Table table = this.tables.get(stream);
		return withConnection("read '" + stream + "'", (connection) -> readRange(connection, stream,
				qualified(table.definition), afterRowid, Long.MAX_VALUE, limit));
	}

	private static List<StoredEvent> readRange(Connection connection, String stream, String table, long afterRowid,
			long toRowid, int limit) throws SQLException {
		try (PreparedStatement query = connection.prepareStatement("SELECT * FROM " + table + " WHERE "
				+ StoredEvent.ROWID + " > ? AND " + StoredEvent.ROWID + " <= ? ORDER BY " + StoredEvent.ROWID
				+ " LIMIT ?")) {
			query.setLong(1, afterRowid);
			query.setLong(2, toRowid);
			query.setInt(3, limit);
			try (ResultSet rs = query.executeQuery()) {
				return PostgresTypes.readEvents(stream, rs);
			}
		}
	}

	@Override
	public StreamTable describe(String stream) {
		Table table = this.tables.get(stream);
		StreamDefinition definition = table.definition;
		return withConnection("describe '" + stream + "'", (connection) -> {
			ColumnSet columns = loadColumns(connection, definition);
			table.mergeColumns(columns);
			long rowCount = rowCount(connection, definition);
			return new StreamTable(stream, definition.schema(), columns.asMap(), rowCount,
					this.dialect.highestRowid(connection, stream));
		});
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
		String what = "trim '" + stream + "'";
		long keepFrom = withConnection(what, (connection) -> queryLong(connection, "SELECT coalesce((SELECT "
				+ StoredEvent.ROWID + " FROM " + name + " ORDER BY " + StoredEvent.ROWID + " DESC OFFSET ? LIMIT 1), 0)",
				maxRows));
		if (keepFrom == 0) {
			return 0;
		}
		return trimInBatches(table, what, StoredEvent.ROWID + " <= ?", keepFrom, batchRows);
	}

	@Override
	public long trimOlderThan(String stream, Instant cutoff, int batchRows) {
		Table table = this.tables.get(stream);
		requireTrim(stream, 0, batchRows);
		return trimInBatches(table, "trim '" + stream + "'", StoredEvent.PUBLISHED_AT + " < ?",
				cutoff.atOffset(ZoneOffset.UTC), batchRows);
	}

	private static void requireTrim(String stream, long maxRows, int batchRows) {
		if (maxRows < 0 || batchRows < 1) {
			throw new InvalidRequestException("Cannot trim '" + stream + "' to " + maxRows + " rows in batches of "
					+ batchRows);
		}
	}

	/**
	 * Deletes the rows matching {@code condition}, oldest first, one autocommitted statement per batch that also
	 * takes what it deleted off the registry's row count. The registry row is updated after the delete, so
	 * publishes (which only insert) wait at most for a batch's commit, never for its delete. The registry keeps the
	 * highest rowid, so rowids never repeat however many rows go. Rows another trim (another instance's) is
	 * deleting are left to it: waiting for them in whatever order each plan visits them could deadlock.
	 */
	private long trimInBatches(Table table, String what, String condition, Object bound, int batchRows) {
		String name = qualified(table.definition);
		String sql = "WITH deleted AS (DELETE FROM " + name + " WHERE " + StoredEvent.ROWID + " IN (SELECT "
				+ StoredEvent.ROWID + " FROM " + name + " WHERE " + condition + " ORDER BY " + StoredEvent.ROWID
				+ " LIMIT ? FOR UPDATE SKIP LOCKED) RETURNING 1), trimmed AS (SELECT count(*) AS n FROM deleted),"
				+ " counted AS (UPDATE " + engine("streams") + " SET row_count = row_count - trimmed.n FROM trimmed WHERE name = ?"
				+ " AND trimmed.n > 0) SELECT n FROM trimmed";
		long deleted = 0;
		while (true) {
			long batch = withConnection(what, (connection) -> {
				try (PreparedStatement delete = connection.prepareStatement(sql)) {
					delete.setObject(1, bound);
					delete.setInt(2, batchRows);
					delete.setString(3, table.definition.name());
					return single(delete);
				}
			});
			deleted += batch;
			if (batch < batchRows) {
				return deleted;
			}
		}
	}

	// ---- lifecycle ----

	@Override
	public void close() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		try {
			for (Writer writer : this.writers) {
				writer.thread.join(TimeUnit.SECONDS.toMillis(30));
			}
			this.delivery.offer(Delivery.STOP);
			this.deliveryThread.join(TimeUnit.SECONDS.toMillis(10));
			this.listenerThread.join(TimeUnit.SECONDS.toMillis(10));
			this.completer.close();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	// ---- database access through the breaker ----

	/**
	 * Runs a task on a pooled connection through the circuit breaker. Connection failures count against the breaker
	 * and become "unavailable" errors; anything else the database says counts as an answer.
	 */
	private <T> T withConnection(String what, SqlTask<T> task) {
		acquirePermission(what);
		long start = System.nanoTime();
		boolean recorded = false;
		try (Connection connection = this.dataSource.getConnection()) {
			T result = task.run(connection);
			answered(System.nanoTime() - start);
			recorded = true;
			return result;
		}
		catch (SQLException | RuntimeException ex) {
			recorded = true;
			throw failure(what, ex, start);
		}
		finally {
			if (!recorded) {
				this.breaker.releasePermission();
			}
		}
	}

	/**
	 * Says whether the breaker would refuse a call now, without taking its permission: the writer takes it for the
	 * group. Asking moves an open breaker whose wait is over to half-open, so appends alone can find the database
	 * back.
	 */
	private boolean breakerRejects() {
		if (this.breaker.getState() == CircuitBreaker.State.CLOSED) {
			return false;
		}
		if (this.breaker.tryAcquirePermission()) {
			this.breaker.releasePermission();
			return false;
		}
		return true;
	}

	private void acquirePermission(String what) {
		try {
			this.breaker.acquirePermission();
		}
		catch (CallNotPermittedException ex) {
			throw unavailable(what, ex);
		}
	}

	/** Records a failed call with the breaker and returns what to throw. */
	private RuntimeException failure(String what, Exception ex, long start) {
		long elapsed = System.nanoTime() - start;
		if (isConnectionFailure(ex)) {
			this.breaker.onError(elapsed, TimeUnit.NANOSECONDS, ex);
			return unavailable(what, ex);
		}
		answered(elapsed);
		if (ex instanceof InterlaceException interlace) {
			return interlace;
		}
		return new StoreException("PostgreSQL could not " + what + ": " + ex.getMessage(), ex);
	}

	/**
	 * Returns the refusal of a request's data that an exception reports, or {@code null} if it reports something
	 * else: SQLState class 22 (data exception: a value out of range, too long, malformed), 23 (integrity constraint
	 * violation: a NOT NULL, CHECK, UNIQUE or foreign key constraint an operator added) or 54 (program limit
	 * exceeded: 54011 too many columns, 54000 a row too big). Sending the same data again fails again, and the
	 * database answered, so these are no outage. The reason is the server's primary message: no SQL text, no
	 * detail echoing the row.
	 * @param what what was refused, such as "the publish to 'orders'"
	 * @param ex the failure
	 * @return the refusal, or {@code null}
	 */
	static @Nullable DataRejectedException refused(String what, Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = (cause.getCause() == cause) ? null : cause.getCause()) {
			if (cause instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().length() == 5
					&& REFUSAL_CLASSES.contains(sql.getSQLState().substring(0, 2))) {
				String reason = (sql instanceof org.postgresql.util.PSQLException psql
						&& psql.getServerErrorMessage() != null && psql.getServerErrorMessage().getMessage() != null)
								? psql.getServerErrorMessage().getMessage() : String.valueOf(sql.getMessage());
				return new DataRejectedException("PostgreSQL refused " + what + ": " + reason + " (SQLState "
						+ sql.getSQLState() + ")", sql.getSQLState(), ex);
			}
		}
		return null;
	}

	/** SQLState classes of {@link #refused}. */
	private static final Set<String> REFUSAL_CLASSES = Set.of("22", "23", "54");

	private static StoreException unavailable(String what, @Nullable Exception cause) {
		String reason = (cause == null || cause instanceof CallNotPermittedException)
				? "calls fail fast until it answers again" : String.valueOf(cause.getMessage());
		return new StoreException("Cannot " + what + ": the PostgreSQL database is unavailable (" + reason + ")", cause);
	}

	/**
	 * Says whether an exception means the database could not be reached or dropped the connection, as opposed to an
	 * answer such as a constraint violation: SQLState class 08, or 57P01 to 57P03 (shutdown, crash, not yet
	 * accepting connections).
	 * @param ex the exception
	 * @return whether it is a connection failure
	 */
	static boolean isConnectionFailure(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof SQLException sql) {
				String state = sql.getSQLState();
				if (state != null && (state.startsWith("08") || state.equals("57P01") || state.equals("57P02")
						|| state.equals("57P03"))) {
					return true;
				}
				if (cause instanceof java.sql.SQLNonTransientConnectionException
						|| cause instanceof java.sql.SQLRecoverableException) {
					return true;
				}
			}
			if (cause instanceof IOException) {
				return true;
			}
			if (cause.getCause() == cause) {
				break;
			}
		}
		return false;
	}

	private static <T> T inTransaction(Connection connection, SqlBody<T> body) throws SQLException {
		connection.setAutoCommit(false);
		boolean committed = false;
		try {
			T result = body.run();
			connection.commit();
			committed = true;
			return result;
		}
		finally {
			if (!committed) {
				rollbackQuietly(connection);
			}
			connection.setAutoCommit(true);
		}
	}

	private static void rollbackQuietly(Connection connection) {
		try {
			if (!connection.isClosed() && !connection.getAutoCommit()) {
				connection.rollback();
			}
		}
		catch (SQLException ex) {
			logger.debug("Rolling back failed", ex);
		}
	}

	// ---- the writers ----

	/** A writer thread and the queue of the streams hashed to it. */
	private final class Writer implements Runnable {

		final LinkedBlockingQueue<AppendOp<Table>> queue;

		final AppendQueue<Table> appends;

		final Thread thread;

		Writer(int index, int capacity) {
			this.queue = new LinkedBlockingQueue<>(capacity);
			this.appends = new AppendQueue<>(this.queue, "PostgreSQL store", PostgresStreamStore.this::refusal);
			this.thread = start(this, "interlace-postgres-writer-" + index);
		}

		@Override
		public void run() {
			GroupCollector<Table> collector = new GroupCollector<>(this.queue,
					PostgresStreamStore.this.options.maxGroupRows(), PostgresStreamStore.this.options.linger().toNanos(),
					() -> PostgresStreamStore.this.closed);
			List<AppendOp<Table>> group = new ArrayList<>();
			while (!collector.drained()) {
				collector.next(group);
				if (group.isEmpty()) {
					continue;
				}
				try {
					commitGroup(group);
				}
				catch (RuntimeException ex) {
					logger.error("PostgreSQL writer failed unexpectedly", ex);
					failAll(group, new StoreException("PostgreSQL writer failed: " + ex.getMessage(), ex));
				}
				group.clear();
			}
			// A publish racing with close() may still have slipped in.
			AppendOp<Table> late;
			while ((late = this.queue.poll()) != null) {
				late.future().completeExceptionally(new StoreException("PostgreSQL store is closed"));
			}
		}

	}

	private static void failAll(List<AppendOp<Table>> ops, Throwable ex) {
		for (AppendOp<Table> op : ops) {
			op.future().completeExceptionally(ex);
		}
	}

	private void commitGroup(List<AppendOp<Table>> group) {
		Map<Table, List<AppendOp<Table>>> byTable = new LinkedHashMap<>();
		for (AppendOp<Table> op : group) {
			byTable.computeIfAbsent(op.table(), (key) -> new ArrayList<>()).add(op);
		}
		String what = "append";
		try {
			acquirePermission(what);
		}
		catch (StoreException ex) {
			failAll(group, ex);
			return;
		}
		long start = System.nanoTime();
		Connection connection = null;
		// Publishes committed, which delivery completes: a later failure must not fail them.
		Set<AppendOp<Table>> committed = Collections.newSetFromMap(new IdentityHashMap<>());
		List<Commit> commits = new ArrayList<>(byTable.size());
		try {
			connection = this.dataSource.getConnection();
			// A publish touches one stream, so each stream commits on its own: that keeps every publish atomic.
			for (Map.Entry<Table, List<AppendOp<Table>>> entry : byTable.entrySet()) {
				commitTable(connection, entry.getKey(), entry.getValue(), committed, commits);
			}
			answered(System.nanoTime() - start);
		}
		catch (SQLException | RuntimeException ex) {
			RuntimeException failure = failure(what, ex, start);
			for (AppendOp<Table> op : group) {
				if (!committed.contains(op)) {
					op.future().completeExceptionally(failure);
				}
			}
		}
		finally {
			if (connection != null) {
				try {
					connection.close();
				}
				catch (SQLException ex) {
					logger.debug("Returning a connection failed", ex);
				}
			}
		}
		// Handed over only once the breaker knows the outcome: a publisher who heard back from a database that came
		// back must find the breaker closed, not still half-open on this group's permission.
		for (Commit commit : commits) {
			this.delivery.offer(commit);
		}
	}

	/**
	 * Commits one stream's publishes in one transaction, or each alone when the database refuses them together.
	 * @throws SQLException only for connection failures, which fail every publish of the group
	 */
	private void commitTable(Connection connection, Table table, List<AppendOp<Table>> ops,
			Set<AppendOp<Table>> committed, List<Commit> commits) throws SQLException {
		List<PreparedAppend<Table>> prepared = prepare(connection, table, ops);
		if (prepared.isEmpty()) {
			return;
		}
		Commit commit;
		// Set once the outcome is up to the database: a connection lost from then on may have committed.
		boolean[] committing = { false };
		long start = System.nanoTime();
		try {
			commit = write(connection, table, prepared, committing);
		}
		catch (SQLException | RuntimeException ex) {
			rollbackQuietly(connection);
			restoreAutoCommit(connection);
			if (isConnectionFailure(ex)) {
				if (committing[0]) {
					// Say so rather than let the caller believe nothing was stored.
					throw new SQLException("Connection lost while committing to '" + table.definition.name()
							+ "'; the publish may have been stored: " + ex.getMessage(), "08006", ex);
				}
				throw (ex instanceof SQLException sql) ? sql : new SQLException(ex.getMessage(), "08006", ex);
			}
			if (prepared.size() > 1) {
				// Commit each publish alone so that only the one the database refuses fails.
				this.groupRetries.incrementAndGet();
				for (PreparedAppend<Table> each : prepared) {
					commitTable(connection, table, List.of(each.op()), committed, commits);
				}
			}
			else {
				DataRejectedException refused = refused("the publish to '" + table.definition.name() + "'", ex);
				prepared.get(0).op().future().completeExceptionally((refused != null) ? refused
						: new StoreException("PostgreSQL rejected the publish to '" + table.definition.name() + "': "
								+ ex.getMessage(), ex));
			}
			return;
		}
		this.notifier.observe(table.definition.name(), (int) (commit.lastRowid() - commit.firstRowid() + 1),
				System.nanoTime() - start);
		for (PreparedAppend<Table> each : prepared) {
			committed.add(each.op());
		}
		// Live subscribers are handed the events before publishers hear back: whoever saw a publish succeed can
		// count on its events being on their way to every subscriber.
		commits.add(commit);
	}

	private static void restoreAutoCommit(Connection connection) throws SQLException {
		if (!connection.getAutoCommit()) {
			connection.setAutoCommit(true);
		}
	}

	/**
	 * Converts a stream's publishes against its current columns, adding the columns they bring first. A publish that
	 * no longer fits fails alone.
	 */
	private List<PreparedAppend<Table>> prepare(Connection connection, Table table, List<AppendOp<Table>> ops) throws SQLException {
		List<PreparedAppend<Table>> prepared = new ArrayList<>(ops.size());
		ColumnSet current = table.columns;
		for (AppendOp<Table> op : ops) {
			try {
				ConvertedBatch batch = op.batch();
				if (batch.base() != current) {
					batch = EventConverter.convert(table.definition, current, op.events());
				}
				if (!batch.added().isEmpty()) {
					try {
						current = addColumns(connection, table, batch.added());
					}
					catch (SQLException ex) {
						if (isConnectionFailure(ex)) {
							throw ex;
						}
						DataRejectedException refused = refused(
								"columns " + batch.added().keySet() + " of '" + table.definition.name() + "'", ex);
						if (refused != null) {
							throw refused;
						}
						throw new StoreException("PostgreSQL could not add columns " + batch.added().keySet() + " to '"
								+ table.definition.name() + "': " + ex.getMessage(), ex);
					}
					batch = EventConverter.convert(table.definition, current, op.events());
					if (!batch.added().isEmpty()) {
						throw new StoreException("Columns " + batch.added().keySet() + " of '"
								+ table.definition.name() + "' could not be added");
					}
				}
				prepared.add(new PreparedAppend<>(op, batch));
			}
			catch (InterlaceException ex) {
				op.future().completeExceptionally(ex);
			}
		}
		// Publishes converted before a later one added columns hold fewer values: fine while their columns lead the
		// current ones, as added columns always go last.
		for (Iterator<PreparedAppend<Table>> iterator = prepared.iterator(); iterator.hasNext();) {
			PreparedAppend<Table> each = iterator.next();
			if (!isPrefix(each.batch().columns(), current)) {
				try {
					each.batch(EventConverter.convert(table.definition, current, each.op().events()));
				}
				catch (InterlaceException ex) {
					each.op().future().completeExceptionally(ex);
					iterator.remove();
				}
			}
		}
		for (PreparedAppend<Table> each : prepared) {
			each.columns(current);
		}
		return prepared;
	}

	private static boolean isPrefix(ColumnSet prefix, ColumnSet columns) {
		if (prefix == columns) {
			return true;
		}
		if (prefix.size() > columns.size()) {
			return false;
		}
		for (int i = 0; i < prefix.size(); i++) {
			if (!prefix.name(i).equals(columns.name(i)) || prefix.type(i) != columns.type(i)) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Adds columns a publish brings, in a transaction of its own so that they exist whatever becomes of the rows.
	 * Another instance may have added some already, possibly with another type: the catalog decides.
	 * @return the table's columns afterwards
	 */
	private ColumnSet addColumns(Connection connection, Table table, Map<String, FieldType> added) throws SQLException {
		StreamDefinition definition = table.definition;
		ColumnSet columns = inTransaction(connection, () -> {
			lockSchemaChanges(connection);
			ColumnSet catalog = loadColumns(connection, definition);
			Map<String, FieldType> missing = new LinkedHashMap<>();
			added.forEach((name, type) -> {
				if (catalog.indexOf(name) < 0) {
					missing.put(name, type);
				}
			});
			if (!missing.isEmpty()) {
				// Locked up front rather than by ALTER TABLE, and never with the registry row held: every path
				// takes the table before the registry row, as a one-statement append must.
				execute(connection, "LOCK TABLE " + qualified(definition) + " IN ACCESS EXCLUSIVE MODE");
			}
			addColumns(connection, qualified(definition), missing);
			return catalog.with(missing);
		});
		table.mergeColumns(columns);
		return columns;
	}

	/**
	 * Commits a stream's rows. Each append first updates the stream's registry row, taking the next rowids from
	 * {@code last_rowid}: that locks the row until COMMIT, so the appends of all instances take rowids in commit
	 * order. The same statement queues the notification, which goes out at COMMIT and not at all on ROLLBACK.
	 * <p>
	 * Small groups do all of it in one auto-committed statement, one round trip; large ones reserve the rowids, send
	 * the rows with a binary {@code COPY} and commit.
	 */
	private Commit write(Connection connection, Table table, List<PreparedAppend<Table>> prepared, boolean[] committing)
			throws SQLException {
		int rows = 0;
		for (PreparedAppend<Table> each : prepared) {
			rows += each.rows();
		}
		ColumnSet columns = prepared.get(0).columns();
		if (rows < this.options.copyThreshold() && (long) rows * (columns.size() + 2) <= MAX_PARAMETERS) {
			committing[0] = true;
			return insert(connection, table, columns, prepared, rows);
		}
		connection.setAutoCommit(false);
		// The table before the registry row, in the order of the one-statement path: schema changes that lock the
		// table first then cannot deadlock with this transaction.
		execute(connection, "LOCK TABLE " + qualified(table.definition) + " IN ROW EXCLUSIVE MODE");
		long lastRowid;
		Instant publishedAt;
		try (PreparedStatement reserve = connection.prepareStatement("UPDATE " + engine("streams") + " SET " + COUNTED
				+ " WHERE name = ? RETURNING " + RESERVED)) {
			reserve.setLong(1, rows);
			reserve.setLong(2, rows);
			reserve.setString(3, table.definition.name());
			try (ResultSet rs = reserve.executeQuery()) {
				if (!rs.next()) {
					throw missingFromRegistry(table);
				}
				lastRowid = rs.getLong(1);
				publishedAt = rs.getObject(2, OffsetDateTime.class).toInstant();
			}
		}
		PreparedAppend.assignRowids(prepared, lastRowid - rows + 1);
		copy(connection, table, columns, prepared, publishedAt);
		committing[0] = true;
		connection.commit();
		restoreAutoCommit(connection);
		return new Commit(table, prepared, lastRowid - rows + 1, lastRowid, publishedAt);
	}

	/**
	 * The rowid reservation's assignments, taking two parameters: the rows, twice. The row count rides on the same
	 * update, so it commits or rolls back with the rows at no cost.
	 */
	private static final String COUNTED = "last_rowid = last_rowid + ?, row_count = row_count + ?";

	/** What the rowid reservation returns: the new last rowid, the publish time, and the queued notification. */
	private static final String RESERVED = "last_rowid, clock_timestamp() AS published_at, pg_notify('" + CHANNEL
			+ "', name || ':' || last_rowid) AS notified";

	private static StoreException missingFromRegistry(Table table) {
		return new StoreException("Stream '" + table.definition.name() + "' is missing from " + engine("streams"));
	}

	/**
	 * Reserves the rowids and inserts the rows in one statement: the rows' ordinals in the group, added to the
	 * reserved range, make their rowids.
	 */
	private Commit insert(Connection connection, Table table, ColumnSet columns, List<PreparedAppend<Table>> prepared, int rows)
			throws SQLException {
		StringBuilder sql = new StringBuilder("WITH reserved AS (UPDATE ").append(engine("streams"))
			.append(" SET " + COUNTED + " WHERE name = ? RETURNING ")
			.append(RESERVED)
			.append(") INSERT INTO ")
			.append(qualified(table.definition))
			.append(" (");
		appendColumnNames(sql, columns);
		sql.append(") SELECT reserved.last_rowid - ? + v.n, reserved.published_at, v.p");
		StringBuilder tuple = new StringBuilder("?::uuid");
		for (int column = 0; column < columns.size(); column++) {
			sql.append(", v.c").append(column);
			tuple.append(", ?::").append(PostgresTypes.sqlType(columns.type(column)));
		}
		sql.append(" FROM reserved, (VALUES ");
		for (int i = 1; i <= rows; i++) {
			sql.append((i > 1) ? ", (" : "(").append(i).append(", ").append(tuple).append(')');
		}
		sql.append(") AS v (n, p");
		for (int column = 0; column < columns.size(); column++) {
			sql.append(", c").append(column);
		}
		sql.append(") RETURNING " + StoredEvent.ROWID + ", " + StoredEvent.PUBLISHED_AT);
		try (PreparedStatement insert = connection.prepareStatement(sql.toString())) {
			insert.setLong(1, rows);
			insert.setLong(2, rows);
			insert.setString(3, table.definition.name());
			insert.setLong(4, rows);
			int index = 5;
			for (PreparedAppend<Table> each : prepared) {
				for (Object[] row : each.batch().rows()) {
					insert.setObject(index++, each.op().publishId());
					for (int column = 0; column < columns.size(); column++) {
						PostgresTypes.bind(insert, index++, columns.type(column),
								(column < row.length) ? row[column] : null);
					}
				}
			}
			long lastRowid = 0;
			Instant publishedAt = null;
			try (ResultSet rs = insert.executeQuery()) {
				while (rs.next()) {
					lastRowid = Math.max(lastRowid, rs.getLong(1));
					publishedAt = rs.getObject(2, OffsetDateTime.class).toInstant();
				}
			}
			if (publishedAt == null) {
				throw missingFromRegistry(table);
			}
			PreparedAppend.assignRowids(prepared, lastRowid - rows + 1);
			return new Commit(table, prepared, lastRowid - rows + 1, lastRowid, publishedAt);
		}
	}

	private void copy(Connection connection, Table table, ColumnSet columns, List<PreparedAppend<Table>> prepared,
			Instant publishedAt) throws SQLException {
		StringBuilder sql = new StringBuilder("COPY ").append(qualified(table.definition)).append(" (");
		appendColumnNames(sql, columns);
		sql.append(") FROM STDIN (FORMAT binary)");
		CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(sql.toString());
		try {
			BinaryCopyBuffer out = new BinaryCopyBuffer(COPY_CHUNK + 4 * 1024);
			out.header();
			int fields = columns.size() + 3;
			for (PreparedAppend<Table> each : prepared) {
				long rowid = each.firstRowid();
				UUID publishId = each.op().publishId();
				for (Object[] row : each.batch().rows()) {
					out.startRow(fields);
					out.int8(rowid++);
					out.timestamp(publishedAt);
					out.uuid(publishId);
					for (int column = 0; column < columns.size(); column++) {
						out.value(columns.type(column), (column < row.length) ? row[column] : null);
					}
					if (out.length() >= COPY_CHUNK) {
						copy.writeToCopy(out.bytes(), 0, out.length());
						out.clear();
					}
				}
			}
			out.trailer();
			copy.writeToCopy(out.bytes(), 0, out.length());
			copy.endCopy();
		}
		finally {
			if (copy.isActive()) {
				try {
					copy.cancelCopy();
				}
				catch (SQLException ex) {
					logger.debug("Cancelling COPY failed", ex);
				}
			}
		}
	}

	private static void appendColumnNames(StringBuilder sql, ColumnSet columns) {
		sql.append(StoredEvent.ROWID + ", " + StoredEvent.PUBLISHED_AT + ", " + StoredEvent.PUBLISH_ID);
		for (int column = 0; column < columns.size(); column++) {
			sql.append(", ").append(quote(columns.name(column)));
		}
	}

	// ---- live delivery ----

	/**
	 * Feeds the commit listener, on its own thread, with each stream's events in rowid order, exactly once. For each
	 * stream it knows how far it delivered (the watermark) and the highest rowid known to be committed. This store's
	 * commits that continue the watermark are delivered from memory; anything else (other instances' commits, known
	 * from notifications) is read back from the table.
	 */
	private final class Delivery implements Runnable {

		static final Object STOP = new Object();

		/** Asks for the committed rowids of every stream, after the listening connection was (re)opened. */
		static final Object CATCH_UP_ALL = new Object();

		private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();

		/** Delivery state per stream; used by the delivery thread only. */
		private final Map<String, Feed> feeds = new HashMap<>();

		/** Highest rowids notified for streams this store has not ensured (yet). */
		private final Map<String, Long> unknown = new HashMap<>();

		private boolean catchUpAll;

		/** When reading failed, catch-up waits until then ({@link System#nanoTime()}, whose origin is arbitrary). */
		private long retryAt = System.nanoTime();

		void offer(Object signal) {
			this.inbox.add(signal);
		}

		@Override
		public void run() {
			boolean stopping = false;
			while (true) {
				Object signal;
				try {
					signal = this.inbox.poll(behind() ? waitNanos() : TimeUnit.MILLISECONDS.toNanos(100),
							TimeUnit.NANOSECONDS);
				}
				catch (InterruptedException ex) {
					signal = null;
				}
				while (signal != null) {
					if (signal == STOP) {
						stopping = true;
					}
					else {
						handle(signal);
					}
					signal = this.inbox.poll();
				}
				if (stopping) {
					return;
				}
				if (System.nanoTime() - this.retryAt >= 0) {
					catchUp();
				}
			}
		}

		private boolean behind() {
			if (this.catchUpAll) {
				return true;
			}
			for (Feed feed : this.feeds.values()) {
				if (feed.known > feed.watermark) {
					return true;
				}
			}
			return false;
		}

		private long waitNanos() {
			return Math.max(0, this.retryAt - System.nanoTime());
		}

		private void handle(Object signal) {
			try {
				if (signal instanceof Commit commit) {
					deliverLocal(commit);
				}
				else if (signal instanceof Notified notified) {
					Feed feed = this.feeds.get(notified.stream());
					if (feed != null) {
						feed.known = Math.max(feed.known, notified.rowid());
					}
					else {
						this.unknown.merge(notified.stream(), notified.rowid(), Math::max);
					}
				}
				else if (signal instanceof Ensured ensured) {
					Feed feed = this.feeds.get(ensured.stream());
					if (feed == null) {
						Long notified = this.unknown.remove(ensured.stream());
						feed = new Feed(ensured.lastRowid());
						feed.known = Math.max(ensured.lastRowid(), (notified != null) ? notified : 0L);
						this.feeds.put(ensured.stream(), feed);
					}
					else {
						feed.known = Math.max(feed.known, ensured.lastRowid());
					}
				}
				else if (signal == CATCH_UP_ALL) {
					this.catchUpAll = true;
				}
			}
			catch (RuntimeException ex) {
				logger.error("Delivering committed events failed", ex);
			}
		}

		private void deliverLocal(Commit commit) {
			String stream = commit.table().definition.name();
			try {
				Feed feed = this.feeds.computeIfAbsent(stream, (key) -> new Feed(commit.firstRowid() - 1));
				feed.known = Math.max(feed.known, commit.lastRowid());
				if (commit.lastRowid() <= feed.watermark) {
					return;
				}
				CommitListener listener = wanted(stream);
				if (listener == null) {
					feed.watermark = commit.lastRowid();
					return;
				}
				List<StoredEvent> events = new ArrayList<>();
				long gap = commit.firstRowid() - 1 - feed.watermark;
				if (gap > 0) {
					if (gap > CATCH_UP_PAGE || System.nanoTime() - this.retryAt < 0) {
						// Far behind, or the database is failing: the catch-up reads these rows with the rest.
						return;
					}
					// Other instances committed in between: read their rows, then continue from memory.
					try {
						events.addAll(read(commit.table(), feed.watermark, commit.firstRowid() - 1));
					}
					catch (StoreException ex) {
						readFailed(ex);
						return;
					}
				}
				for (PreparedAppend<Table> each : commit.prepared()) {
					long rowid = each.firstRowid();
					for (int row = 0; row < each.batch().rows().length; row++, rowid++) {
						if (rowid > feed.watermark) {
							events.add(new StoredEvent(stream, rowid, commit.publishedAt(), each.op().publishId(),
									each.batch().data(row)));
						}
					}
				}
				feed.watermark = commit.lastRowid();
				PostgresStreamStore.this.notifier.deliver(listener, stream, events);
			}
			finally {
				complete(commit);
			}
		}

		/** Reads one page of each stream that is behind. */
		private void catchUp() {
			try {
				if (this.catchUpAll) {
					Map<String, Long> committed = withConnection("read the streams' last rowids", (connection) -> {
						Map<String, Long> rowids = new HashMap<>();
						try (Statement statement = connection.createStatement();
								ResultSet rs = statement.executeQuery("SELECT name, last_rowid FROM " + engine("streams"))) {
							while (rs.next()) {
								rowids.put(rs.getString(1), rs.getLong(2));
							}
						}
						return rowids;
					});
					this.feeds.forEach((stream, feed) -> feed.known = Math.max(feed.known,
							committed.getOrDefault(stream, 0L)));
					this.catchUpAll = false;
				}
				for (Map.Entry<String, Feed> entry : this.feeds.entrySet()) {
					Feed feed = entry.getValue();
					if (feed.known <= feed.watermark) {
						continue;
					}
					String stream = entry.getKey();
					CommitListener listener = wanted(stream);
					if (listener == null) {
						feed.watermark = feed.known;
						continue;
					}
					Table table = PostgresStreamStore.this.tables.find(stream);
					if (table == null) {
						// Registered a moment after delivery learns of it.
						continue;
					}
					long to = Math.min(feed.known, feed.watermark + CATCH_UP_PAGE);
					List<StoredEvent> events = read(table, feed.watermark, to);
					// Rows missing from the range were trimmed: every rowid up to a known one is committed.
					feed.watermark = to;
					PostgresStreamStore.this.notifier.deliver(listener, stream, events);
				}
			}
			catch (StoreException ex) {
				readFailed(ex);
			}
			catch (RuntimeException ex) {
				logger.error("Catching up with committed events failed", ex);
				this.retryAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
			}
		}

		private List<StoredEvent> read(Table table, long afterRowid, long toRowid) {
			String stream = table.definition.name();
			return withConnection("read '" + stream + "' for live delivery", (connection) -> readRange(connection,
					stream, qualified(table.definition), afterRowid, toRowid, (int) (toRowid - afterRowid)));
		}

		private void readFailed(StoreException ex) {
			logger.debug("Reading committed events for live delivery failed; retrying", ex);
			this.retryAt = System.nanoTime() + Math.min(TimeUnit.SECONDS.toNanos(1),
					PostgresStreamStore.this.options.breakerOpenDuration().toNanos());
		}

		private @Nullable CommitListener wanted(String stream) {
			CommitListener listener = PostgresStreamStore.this.notifier.listener();
			return (listener != CommitListener.NONE && listener.wants(stream)) ? listener : null;
		}

		private void complete(Commit commit) {
			PostgresStreamStore.this.completer.complete(commit.table().definition.name(), commit.prepared());
		}

		record Notified(String stream, long rowid) {
		}

		record Ensured(String stream, long lastRowid) {
		}

	}

	/** How far delivery got in one stream. */
	private static final class Feed {

		/** Highest rowid delivered (or skipped while nobody wanted the stream). */
		long watermark;

		/** Highest rowid known to be committed. */
		long known;

		Feed(long watermark) {
			this.watermark = watermark;
			this.known = watermark;
		}

	}

	// ---- the listening connection ----

	private Connection listen() {
		try {
			Connection connection = this.dataSource.getConnection();
			try {
				connection.setAutoCommit(true);
				execute(connection, "LISTEN " + CHANNEL);
				return connection;
			}
			catch (SQLException | RuntimeException ex) {
				closeQuietly(connection);
				throw ex;
			}
		}
		catch (SQLException ex) {
			throw isConnectionFailure(ex) ? unavailable("listen for commits", ex)
					: new StoreException("Cannot listen for commits: " + ex.getMessage(), ex);
		}
	}

	private void runListener(Connection initial) {
		Connection connection = initial;
		Duration delay = FIRST_RECONNECT_DELAY;
		long lastTraffic = System.nanoTime();
		while (!this.closed) {
			if (connection == null) {
				long attemptStart = System.nanoTime();
				try {
					connection = listen();
					logger.info("Listening for PostgreSQL commits again");
					delay = FIRST_RECONNECT_DELAY;
					lastTraffic = System.nanoTime();
					closeBreaker();
					// Whatever was committed while nobody listened is caught up from the registry.
					this.delivery.offer(Delivery.CATCH_UP_ALL);
				}
				catch (StoreException ex) {
					// The connection was lost and cannot be reopened: the database is down, so let calls fail fast
					// rather than each wait for the pool's timeout. Only while the breaker has not noticed, though,
					// and no call got through meanwhile: an attempt begun while the database was down can fail after
					// it came back (on the pool's timeout), and must neither abort the trial call of a half-open
					// breaker nor shut out the calls that now succeed.
					if (isConnectionFailure(ex) && this.breaker.getState() == CircuitBreaker.State.CLOSED
							&& this.lastAnswer - attemptStart < 0) {
						openBreaker();
					}
					logger.debug("Reconnecting the PostgreSQL listener failed", ex);
					sleep(delay);
					delay = min(delay.multipliedBy(2), this.options.reconnectDelay());
					continue;
				}
			}
			try {
				PGNotification[] notifications = connection.unwrap(PGConnection.class).getNotifications(POLL_MILLIS);
				if (notifications != null && notifications.length > 0) {
					lastTraffic = System.nanoTime();
					for (PGNotification notification : notifications) {
						received(notification);
					}
				}
				else if (System.nanoTime() - lastTraffic > PING_NANOS) {
					execute(connection, "SELECT 1");
					lastTraffic = System.nanoTime();
				}
			}
			catch (SQLException | RuntimeException ex) {
				logger.warn("Lost the PostgreSQL listening connection: {}", ex.getMessage());
				closeQuietly(connection);
				connection = null;
			}
		}
		if (connection != null) {
			try {
				execute(connection, "UNLISTEN *");
			}
			catch (SQLException ex) {
				logger.debug("UNLISTEN failed", ex);
			}
			closeQuietly(connection);
		}
	}

	private void received(PGNotification notification) {
		if (!CHANNEL.equals(notification.getName())) {
			return;
		}
		String payload = notification.getParameter();
		int separator = payload.lastIndexOf(':');
		try {
			this.delivery.offer(new Delivery.Notified(payload.substring(0, separator),
					Long.parseLong(payload.substring(separator + 1))));
		}
		catch (RuntimeException ex) {
			logger.debug("Ignoring notification '{}'", payload);
		}
	}

	/** Records with the breaker that the database answered a call. */
	private void answered(long elapsedNanos) {
		this.lastAnswer = System.nanoTime();
		this.breaker.onSuccess(elapsedNanos, TimeUnit.NANOSECONDS);
	}

	private void openBreaker() {
		try {
			if (this.breaker.getState() != CircuitBreaker.State.OPEN) {
				this.breaker.transitionToOpenState();
			}
		}
		catch (RuntimeException ex) {
			logger.debug("Opening the breaker failed", ex);
		}
	}

	private void closeBreaker() {
		try {
			if (this.breaker.getState() != CircuitBreaker.State.CLOSED) {
				this.breaker.transitionToClosedState();
			}
		}
		catch (RuntimeException ex) {
			logger.debug("Closing the breaker failed", ex);
		}
	}

	private void sleep(Duration duration) {
		long until = System.nanoTime() + duration.toNanos();
		while (!this.closed && System.nanoTime() - until < 0) {
			try {
				Thread.sleep(Math.min(50, Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime()))));
			}
			catch (InterruptedException ex) {
				return;
			}
		}
	}

	private static Duration min(Duration a, Duration b) {
		return (a.compareTo(b) <= 0) ? a : b;
	}

	// ---- SQL helpers ----

	private static String qualified(StreamDefinition definition) {
		return quote(definition.schema()) + "." + quote(definition.name());
	}

	private static String engine(String table) {
		return ENGINE_SCHEMA + "." + table;
	}

	private static String quote(String identifier) {
		return '"' + identifier.replace("\"", "\"\"") + '"';
	}

	private static void execute(Connection connection, String sql) throws SQLException {
		try (Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
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

	private static long single(PreparedStatement query) throws SQLException {
		try (ResultSet rs = query.executeQuery()) {
			rs.next();
			return rs.getLong(1);
		}
	}

	private static void closeQuietly(Connection connection) {
		try {
			connection.close();
		}
		catch (SQLException ex) {
			logger.debug("Closing a connection failed", ex);
		}
	}

	// ---- types ----

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

	/** A stream's table as this store sees it. */
	private static final class Table {

		volatile StreamDefinition definition;

		/** Replaced, never mutated; grows only, as columns are never dropped. */
		volatile ColumnSet columns;

		Table(StreamDefinition definition, ColumnSet columns) {
			this.definition = definition;
			this.columns = columns;
		}

		/** Adopts columns read from the catalog when they are more than known, keeping the set's identity otherwise. */
		synchronized void mergeColumns(ColumnSet catalog) {
			if (catalog.size() > this.columns.size()) {
				this.columns = catalog;
			}
		}

	}

	private record Ensured(ColumnSet columns, long lastRowid, long rowCount) {
	}

	/** A committed group of one stream, on its way to the listener and then to its publishers. */
	private record Commit(Table table, List<PreparedAppend<Table>> prepared, long firstRowid, long lastRowid, Instant publishedAt) {
	}

	@FunctionalInterface
	private interface SqlTask<T> {

		T run(Connection connection) throws SQLException;

	}

	@FunctionalInterface
	private interface SqlBody<T> {

		T run() throws SQLException;

	}

}
