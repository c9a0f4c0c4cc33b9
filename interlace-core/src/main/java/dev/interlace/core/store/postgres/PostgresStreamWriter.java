package dev.interlace.core.store.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.interlace.core.DataRejectedException;
import dev.interlace.core.InterlaceException;
import dev.interlace.core.InvalidRequestException;
import dev.interlace.core.PublishResult;
import dev.interlace.core.StoreException;
import dev.interlace.core.StoredEvent;
import dev.interlace.core.EntryId;
import dev.interlace.core.NewEntryId;
import dev.interlace.core.store.support.AppendOp;
import dev.interlace.core.store.support.AppendQueue;
import dev.interlace.core.store.support.ColumnSet;
import dev.interlace.core.store.support.CommitNotifier;
import dev.interlace.core.store.support.ConvertedBatch;
import dev.interlace.core.store.support.EventConverter;
import dev.interlace.core.store.support.GroupCollector;
import dev.interlace.core.store.support.PreparedAppend;

import static dev.interlace.core.store.postgres.PostgresSql.engine;
import static dev.interlace.core.store.postgres.PostgresSql.qualified;
import static dev.interlace.core.store.support.Sql.execute;
import static dev.interlace.core.store.support.Sql.quote;

/**
 * The writer threads of a PostgreSQL store, each owning the streams whose names hash to it. A writer takes the
 * publishes queued while it commits and writes each stream's share in one transaction (a group commit): small groups
 * in one auto-committed statement (a single round trip), large ones through a binary {@code COPY}, which measured
 * about 30% faster than the text format and needs no escaping. Each publish is converted and checked before it joins
 * a group, so a bad one fails alone; should the database still refuse a group, each of its publishes is committed on
 * its own. {@link #append} never blocks: a full queue fails the publish at once.
 * <p>
 * An append transaction first updates its stream's row in {@code interlace.streams}, taking the next rowids from
 * {@code last_rowid}. The row lock orders the appends of every instance, so rowids follow commit order, and the same
 * statement queues the notification other instances listen for.
 */
final class PostgresStreamWriter {

	/** Logs as the store: the category operators configure. */
	private static final Logger logger = LoggerFactory.getLogger(PostgresStreamStore.class);

	/** Bound parameters of one multi-row INSERT: above this a group goes through COPY whatever its size. */
	private static final int MAX_PARAMETERS = 30_000;

	/** Bytes of COPY data sent at a time. */
	private static final int COPY_CHUNK = 64 * 1024;

	/**
	 * The clock, read once per append for both the publish time and the entry IDs' milliseconds (floored, as
	 * {@link Instant#toEpochMilli()} does).
	 */
	private static final String NOW = "now AS (SELECT t, floor(extract(epoch FROM t) * 1000)::bigint AS ms FROM "
			+ "(SELECT clock_timestamp() AS t) AS clock)";

	/**
	 * The reservation's assignments, taking {@value #COUNTED_PARAMETERS} parameters, each the number of rows: the
	 * rowids, the row count (which so commits or rolls back with the rows at no cost), the entries added and the
	 * entry IDs. The IDs are Redis' automatic ones: the clock's milliseconds, or the last ID's when the clock is
	 * behind it, with the sequence restarting at 0 when the milliseconds grow; the rows of an append share one
	 * millisecond, the next one when they do not fit into what is left of the last ID's. SET reads the row as it was
	 * before the update, and the row lock orders every instance's appends, so IDs follow rowids.
	 */
	private static final String COUNTED = "last_rowid = last_rowid + ?, row_count = row_count + ?,"
			+ " entries_added = entries_added + ?,"
			+ " last_id_ms = CASE WHEN now.ms > last_id_ms THEN now.ms"
			+ " WHEN last_id_seq <= 9223372036854775807 - ? THEN last_id_ms ELSE last_id_ms + 1 END,"
			+ " last_id_seq = CASE WHEN now.ms > last_id_ms OR last_id_seq > 9223372036854775807 - ? THEN ? - 1"
			+ " ELSE last_id_seq + ? END";

	private static final int COUNTED_PARAMETERS = 7;

	/**
	 * The reservation's assignments for an explicit entry ID, checked beforehand under the registry row's lock:
	 * the rows three times, then the ID's two parts.
	 */
	private static final String COUNTED_EXPLICIT = "last_rowid = last_rowid + ?, row_count = row_count + ?,"
			+ " entries_added = entries_added + ?, last_id_ms = ?, last_id_seq = ?";

	/**
	 * What the reservation returns: the new last rowid, the publish time, the new last entry ID, and the queued
	 * notification.
	 */
	private static final String RESERVED = "last_rowid, now.t AS published_at, last_id_ms, last_id_seq, pg_notify('"
			+ PostgresNotifications.CHANNEL + "', name || ':' || last_rowid) AS notified";

	private final PostgresConnections connections;

	private final PostgresStreamStore.Options options;

	private final PostgresDelivery delivery;

	private final CommitNotifier notifier;

	private final BooleanSupplier closed;

	private final AtomicLong groupRetries = new AtomicLong();

	private final Writer[] writers;

	PostgresStreamWriter(PostgresConnections connections, PostgresStreamStore.Options options,
			PostgresDelivery delivery, CommitNotifier notifier, BooleanSupplier closed) {
		this.connections = connections;
		this.options = options;
		this.delivery = delivery;
		this.notifier = notifier;
		this.closed = closed;
		this.writers = new Writer[options.writerThreads()];
		int capacity = (options.queueCapacity() + options.writerThreads() - 1) / options.writerThreads();
		for (int i = 0; i < this.writers.length; i++) {
			this.writers[i] = new Writer(i, capacity);
		}
	}

	CompletableFuture<PublishResult> append(PostgresTable table, List<? extends Map<String, ?>> events,
			boolean waiting) {
		return append(table, events, NewEntryId.auto(), waiting);
	}

	CompletableFuture<PublishResult> append(PostgresTable table, List<? extends Map<String, ?>> events,
			NewEntryId id, boolean waiting) {
		Writer writer = this.writers[Math.floorMod(table.name().hashCode(), this.writers.length)];
		return writer.appends.append(table, table.definition, table.columns, events, id, waiting);
	}

	int queueDepth() {
		int depth = 0;
		for (Writer writer : this.writers) {
			depth += writer.queue.size();
		}
		return depth;
	}

	long groupRetries() {
		return this.groupRetries.get();
	}

	/** Waits for the writers to drain their queues, once the store is closed. */
	void join(long millis) throws InterruptedException {
		for (Writer writer : this.writers) {
			writer.thread.join(millis);
		}
	}

	/** Says why publishes are refused now; asked of converted publishes only, so that bad events fail as such. */
	private @Nullable StoreException refusal(String stream) {
		if (this.closed.getAsBoolean()) {
			return new StoreException("PostgreSQL store is closed");
		}
		if (this.connections.breakerRejects()) {
			return PostgresConnections.unavailable("append to '" + stream + "'", null);
		}
		return null;
	}

	/** A writer thread and the queue of the streams hashed to it. */
	private final class Writer implements Runnable {

		final LinkedBlockingQueue<AppendOp<PostgresTable>> queue;

		final AppendQueue<PostgresTable> appends;

		final Thread thread;

		Writer(int index, int capacity) {
			this.queue = new LinkedBlockingQueue<>(capacity);
			this.appends = new AppendQueue<>(this.queue, "PostgreSQL store", PostgresStreamWriter.this::refusal);
			this.thread = new Thread(this, "interlace-postgres-writer-" + index);
			this.thread.setDaemon(true);
			this.thread.start();
		}

		@Override
		public void run() {
			GroupCollector<PostgresTable> collector = new GroupCollector<>(this.queue,
					PostgresStreamWriter.this.options.maxGroupRows(),
					PostgresStreamWriter.this.options.linger().toNanos(), PostgresStreamWriter.this.closed);
			List<AppendOp<PostgresTable>> group = new ArrayList<>();
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
			AppendOp<PostgresTable> late;
			while ((late = this.queue.poll()) != null) {
				late.future().completeExceptionally(new StoreException("PostgreSQL store is closed"));
			}
		}

	}

	private static void failAll(List<AppendOp<PostgresTable>> ops, Throwable ex) {
		for (AppendOp<PostgresTable> op : ops) {
			op.future().completeExceptionally(ex);
		}
	}

	private void commitGroup(List<AppendOp<PostgresTable>> group) {
		Map<PostgresTable, List<AppendOp<PostgresTable>>> byTable = new LinkedHashMap<>();
		for (AppendOp<PostgresTable> op : group) {
			byTable.computeIfAbsent(op.table(), (key) -> new ArrayList<>()).add(op);
		}
		String what = "append";
		try {
			this.connections.acquirePermission(what);
		}
		catch (StoreException ex) {
			failAll(group, ex);
			return;
		}
		long start = System.nanoTime();
		Connection connection = null;
		// Publishes committed, which delivery completes: a later failure must not fail them.
		Set<AppendOp<PostgresTable>> committed = Collections.newSetFromMap(new IdentityHashMap<>());
		List<PostgresCommit> commits = new ArrayList<>(byTable.size());
		try {
			connection = this.connections.connect();
			// A publish touches one stream, so each stream commits on its own: that keeps every publish atomic.
			for (Map.Entry<PostgresTable, List<AppendOp<PostgresTable>>> entry : byTable.entrySet()) {
				commitInOrder(connection, entry.getKey(), entry.getValue(), committed, commits);
			}
			this.connections.answered(System.nanoTime() - start);
		}
		catch (SQLException | RuntimeException ex) {
			RuntimeException failure = this.connections.failure(what, ex, start);
			for (AppendOp<PostgresTable> op : group) {
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
		for (PostgresCommit commit : commits) {
			this.delivery.committed(commit);
		}
	}

	/**
	 * Commits one stream's publishes in their order: those with automatic IDs together, each with an explicit ID
	 * alone, so that a too small explicit ID fails its own publish only.
	 */
	private void commitInOrder(Connection connection, PostgresTable table, List<AppendOp<PostgresTable>> ops,
			Set<AppendOp<PostgresTable>> committed, List<PostgresCommit> commits) throws SQLException {
		List<AppendOp<PostgresTable>> automatic = new ArrayList<>(ops.size());
		for (AppendOp<PostgresTable> op : ops) {
			if (op.entryId().isAuto()) {
				automatic.add(op);
				continue;
			}
			if (!automatic.isEmpty()) {
				commitTable(connection, table, automatic, committed, commits);
				automatic = new ArrayList<>();
			}
			commitTable(connection, table, List.of(op), committed, commits);
		}
		if (!automatic.isEmpty()) {
			commitTable(connection, table, automatic, committed, commits);
		}
	}

	/**
	 * Commits one stream's publishes in one transaction, or each alone when the database refuses them together.
	 * @throws SQLException only for connection failures, which fail every publish of the group
	 */
	private void commitTable(Connection connection, PostgresTable table, List<AppendOp<PostgresTable>> ops,
			Set<AppendOp<PostgresTable>> committed, List<PostgresCommit> commits) throws SQLException {
		List<PreparedAppend<PostgresTable>> prepared = prepare(connection, table, ops);
		if (prepared.isEmpty()) {
			return;
		}
		PostgresCommit commit;
		// Set once the outcome is up to the database: a connection lost from then on may have committed.
		boolean[] committing = { false };
		long start = System.nanoTime();
		try {
			commit = write(connection, table, prepared, committing);
		}
		catch (SQLException | RuntimeException ex) {
			PostgresConnections.rollbackQuietly(connection);
			PostgresConnections.restoreAutoCommit(connection);
			if (PostgresConnections.isConnectionFailure(ex)) {
				if (committing[0]) {
					// Say so rather than let the caller believe nothing was stored.
					throw new SQLException("Connection lost while committing to '" + table.name()
							+ "'; the publish may have been stored: " + ex.getMessage(), "08006", ex);
				}
				throw (ex instanceof SQLException sql) ? sql : new SQLException(ex.getMessage(), "08006", ex);
			}
			if (ex instanceof InvalidRequestException refused && prepared.size() == 1) {
				// An explicit ID too small for the stream: the client's to fix, and its publish is alone.
				prepared.get(0).op().future().completeExceptionally(refused);
			}
			else if (prepared.size() > 1) {
				// Commit each publish alone so that only the one the database refuses fails.
				this.groupRetries.incrementAndGet();
				for (PreparedAppend<PostgresTable> each : prepared) {
					commitTable(connection, table, List.of(each.op()), committed, commits);
				}
			}
			else {
				DataRejectedException refused = PostgresConnections.refused("the publish to '" + table.name() + "'",
						ex);
				prepared.get(0).op().future().completeExceptionally((refused != null) ? refused
						: new StoreException("PostgreSQL rejected the publish to '" + table.name() + "': "
								+ ex.getMessage(), ex));
			}
			return;
		}
		this.notifier.observe(table.name(), commit.rows(), System.nanoTime() - start);
		for (PreparedAppend<PostgresTable> each : prepared) {
			committed.add(each.op());
		}
		// Live subscribers are handed the events before publishers hear back: whoever saw a publish succeed can
		// count on its events being on their way to every subscriber.
		commits.add(commit);
	}

	/**
	 * Converts a stream's publishes against its current columns, adding the columns they bring first. A publish that
	 * no longer fits fails alone.
	 */
	private List<PreparedAppend<PostgresTable>> prepare(Connection connection, PostgresTable table,
			List<AppendOp<PostgresTable>> ops) throws SQLException {
		List<PreparedAppend<PostgresTable>> prepared = new ArrayList<>(ops.size());
		ColumnSet current = table.columns;
		for (AppendOp<PostgresTable> op : ops) {
			try {
				ConvertedBatch batch = op.batch();
				if (batch.base() != current) {
					batch = EventConverter.convert(table.definition, current, op.events());
				}
				if (!batch.added().isEmpty()) {
					try {
						current = PostgresStreamTables.addColumns(connection, table, batch.added());
					}
					catch (SQLException ex) {
						throw columnsNotAdded(table, batch, ex);
					}
					batch = EventConverter.convert(table.definition, current, op.events());
					requireNoneAdded(table, batch);
				}
				prepared.add(new PreparedAppend<>(op, batch));
			}
			catch (InterlaceException ex) {
				op.future().completeExceptionally(ex);
			}
		}
		// Publishes converted before a later one added columns hold fewer values: fine while their columns lead the
		// current ones, as added columns always go last.
		for (Iterator<PreparedAppend<PostgresTable>> iterator = prepared.iterator(); iterator.hasNext();) {
			PreparedAppend<PostgresTable> each = iterator.next();
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
		for (PreparedAppend<PostgresTable> each : prepared) {
			each.columns(current);
		}
		return prepared;
	}

	/**
	 * Returns what to throw when the database did not add a publish's columns: the connection failure itself, so
	 * that it fails the group, or the refusal of the publish alone.
	 */
	static RuntimeException columnsNotAdded(PostgresTable table, ConvertedBatch batch,
			SQLException ex) throws SQLException {
		if (PostgresConnections.isConnectionFailure(ex)) {
			throw ex;
		}
		DataRejectedException refused = PostgresConnections
			.refused("columns " + batch.added().keySet() + " of '" + table.name() + "'", ex);
		if (refused != null) {
			return refused;
		}
		return new StoreException("PostgreSQL could not add columns " + batch.added().keySet() + " to '"
				+ table.name() + "': " + ex.getMessage(), ex);
	}

	static void requireNoneAdded(PostgresTable table, ConvertedBatch batch) {
		if (!batch.added().isEmpty()) {
			throw new StoreException("Columns " + batch.added().keySet() + " of '" + table.name()
					+ "' could not be added");
		}
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
	 * Commits a stream's rows. Each append first updates the stream's registry row, taking the next rowids from
	 * {@code last_rowid}: that locks the row until COMMIT, so the appends of all instances take rowids in commit
	 * order. The same statement queues the notification, which goes out at COMMIT and not at all on ROLLBACK.
	 * <p>
	 * Small groups do all of it in one auto-committed statement, one round trip; large ones reserve the rowids, send
	 * the rows with a binary {@code COPY} and commit.
	 */
	private PostgresCommit write(Connection connection, PostgresTable table,
			List<PreparedAppend<PostgresTable>> prepared, boolean[] committing) throws SQLException {
		int rows = rows(prepared);
		ColumnSet columns = prepared.get(0).columns();
		NewEntryId requested = prepared.get(0).op().entryId();
		if (!requested.isAuto()) {
			connection.setAutoCommit(false);
			EntryId id = explicitId(connection, table, requested);
			PostgresCommit commit = fitsOneStatement(rows, columns) ? insert(connection, table, columns, prepared, rows, id)
					: reserveAndCopy(connection, table, columns, prepared, rows, id);
			committing[0] = true;
			connection.commit();
			PostgresConnections.restoreAutoCommit(connection);
			return commit;
		}
		if (fitsOneStatement(rows, columns)) {
			committing[0] = true;
			return insert(connection, table, columns, prepared, rows, null);
		}
		connection.setAutoCommit(false);
		PostgresCommit commit = reserveAndCopy(connection, table, columns, prepared, rows, null);
		committing[0] = true;
		connection.commit();
		PostgresConnections.restoreAutoCommit(connection);
		return commit;
	}

	/**
	 * Writes a stream's rows in the caller's open transaction with the statements a group commit uses, committing
	 * nothing: the rowids stay reserved, and the notification queued, until the caller's transaction ends.
	 */
	PostgresCommit writeUncommitted(Connection connection, PostgresTable table,
			List<PreparedAppend<PostgresTable>> prepared) throws SQLException {
		int rows = rows(prepared);
		ColumnSet columns = prepared.get(0).columns();
		if (fitsOneStatement(rows, columns)) {
			return insert(connection, table, columns, prepared, rows, null);
		}
		return reserveAndCopy(connection, table, columns, prepared, rows, null);
	}

	private static int rows(List<PreparedAppend<PostgresTable>> prepared) {
		int rows = 0;
		for (PreparedAppend<PostgresTable> each : prepared) {
			rows += each.rows();
		}
		return rows;
	}

	private boolean fitsOneStatement(int rows, ColumnSet columns) {
		return rows < this.options.copyThreshold() && (long) rows * (columns.size() + 2) <= MAX_PARAMETERS;
	}

	/**
	 * Resolves an explicit entry ID against the stream's last one, in the connection's open transaction, locking
	 * the table and then the registry row (the order every append takes them in) until it ends: no append of any
	 * instance can take an ID in between.
	 * @throws dev.interlace.core.InvalidRequestException when the ID is not greater than the last one
	 */
	private static EntryId explicitId(Connection connection, PostgresTable table, NewEntryId requested)
			throws SQLException {
		execute(connection, "LOCK TABLE " + qualified(table.definition) + " IN ROW EXCLUSIVE MODE");
		try (PreparedStatement last = connection.prepareStatement("SELECT last_id_ms, last_id_seq FROM "
				+ engine("streams") + " WHERE name = ? FOR UPDATE")) {
			last.setString(1, table.name());
			try (ResultSet rs = last.executeQuery()) {
				if (!rs.next()) {
					throw missingFromRegistry(table);
				}
				return requested.after(new EntryId(rs.getLong(1), rs.getLong(2)));
			}
		}
	}

	/** Reserves the rowids and sends the rows with {@code COPY}, in the connection's open transaction. */
	private static PostgresCommit reserveAndCopy(Connection connection, PostgresTable table, ColumnSet columns,
			List<PreparedAppend<PostgresTable>> prepared, int rows, @Nullable EntryId explicit) throws SQLException {
		// The table before the registry row, in the order of the one-statement path: schema changes that lock the
		// table first then cannot deadlock with this transaction.
		execute(connection, "LOCK TABLE " + qualified(table.definition) + " IN ROW EXCLUSIVE MODE");
		long lastRowid;
		Instant publishedAt;
		EntryId lastId;
		try (PreparedStatement reserve = connection.prepareStatement("WITH " + NOW + " UPDATE " + engine("streams")
				+ " SET " + counted(explicit) + " FROM now WHERE name = ? RETURNING " + RESERVED)) {
			bindReservation(reserve, table, rows, explicit);
			try (ResultSet rs = reserve.executeQuery()) {
				if (!rs.next()) {
					throw missingFromRegistry(table);
				}
				lastRowid = rs.getLong(1);
				publishedAt = rs.getObject(2, OffsetDateTime.class).toInstant();
				lastId = new EntryId(rs.getLong(3), rs.getLong(4));
			}
		}
		PreparedAppend.assignRowids(prepared, lastRowid - rows + 1);
		PreparedAppend.assignIds(prepared, new EntryId(lastId.ms(), lastId.seq() - rows + 1));
		copy(connection, table, columns, prepared, publishedAt);
		return new PostgresCommit(table, prepared, lastRowid - rows + 1, lastRowid, publishedAt);
	}

	private static String counted(@Nullable EntryId explicit) {
		return (explicit != null) ? COUNTED_EXPLICIT : COUNTED;
	}

	/**
	 * Binds the reservation's parameters: the rows, as often as {@link #COUNTED} asks (or the rows and the explicit
	 * ID for {@link #COUNTED_EXPLICIT}), then the stream.
	 */
	private static int bindReservation(PreparedStatement reserve, PostgresTable table, int rows,
			@Nullable EntryId explicit) throws SQLException {
		int index = 1;
		if (explicit != null) {
			reserve.setLong(index++, rows);
			reserve.setLong(index++, rows);
			reserve.setLong(index++, rows);
			reserve.setLong(index++, explicit.ms());
			reserve.setLong(index++, explicit.seq());
		}
		else {
			while (index <= COUNTED_PARAMETERS) {
				reserve.setLong(index++, rows);
			}
		}
		reserve.setString(index++, table.name());
		return index;
	}

	private static StoreException missingFromRegistry(PostgresTable table) {
		return new StoreException("Stream '" + table.name() + "' is missing from " + engine("streams"));
	}

	/**
	 * Reserves the rowids and entry IDs and inserts the rows in one statement: the rows' ordinals in the group,
	 * added to the reserved ranges, make their rowids and IDs.
	 */
	private static PostgresCommit insert(Connection connection, PostgresTable table, ColumnSet columns,
			List<PreparedAppend<PostgresTable>> prepared, int rows, @Nullable EntryId explicit) throws SQLException {
		StringBuilder sql = new StringBuilder("WITH " + NOW + ", reserved AS (UPDATE ").append(engine("streams"))
			.append(" SET " + counted(explicit) + " FROM now WHERE name = ? RETURNING ")
			.append(RESERVED)
			.append(") INSERT INTO ")
			.append(qualified(table.definition))
			.append(" (");
		appendColumnNames(sql, columns);
		sql.append(") SELECT reserved.last_rowid - ? + v.n, reserved.published_at, v.p, reserved.last_id_ms,"
				+ " reserved.last_id_seq - ? + v.n");
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
		sql.append(") RETURNING " + StoredEvent.ROWID + ", " + StoredEvent.PUBLISHED_AT + ", " + StoredEvent.ID_MS + ", "
				+ StoredEvent.ID_SEQ);
		try (PreparedStatement insert = connection.prepareStatement(sql.toString())) {
			int index = bindReservation(insert, table, rows, explicit);
			insert.setLong(index++, rows);
			insert.setLong(index++, rows);
			for (PreparedAppend<PostgresTable> each : prepared) {
				for (Object[] row : each.batch().rows()) {
					insert.setObject(index++, each.op().publishId());
					for (int column = 0; column < columns.size(); column++) {
						PostgresTypes.bind(insert, index++, columns.type(column),
								(column < row.length) ? row[column] : null);
					}
				}
			}
			long lastRowid = 0;
			EntryId lastId = EntryId.MIN;
			Instant publishedAt = null;
			try (ResultSet rs = insert.executeQuery()) {
				while (rs.next()) {
					if (rs.getLong(1) > lastRowid) {
						lastRowid = rs.getLong(1);
						lastId = new EntryId(rs.getLong(3), rs.getLong(4));
					}
					publishedAt = rs.getObject(2, OffsetDateTime.class).toInstant();
				}
			}
			if (publishedAt == null) {
				throw missingFromRegistry(table);
			}
			PreparedAppend.assignRowids(prepared, lastRowid - rows + 1);
			PreparedAppend.assignIds(prepared, new EntryId(lastId.ms(), lastId.seq() - rows + 1));
			return new PostgresCommit(table, prepared, lastRowid - rows + 1, lastRowid, publishedAt);
		}
	}

	private static void copy(Connection connection, PostgresTable table, ColumnSet columns,
			List<PreparedAppend<PostgresTable>> prepared, Instant publishedAt) throws SQLException {
		StringBuilder sql = new StringBuilder("COPY ").append(qualified(table.definition)).append(" (");
		appendColumnNames(sql, columns);
		sql.append(") FROM STDIN (FORMAT binary)");
		CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(sql.toString());
		try {
			BinaryCopyBuffer out = new BinaryCopyBuffer(COPY_CHUNK + 4 * 1024);
			out.header();
			int fields = columns.size() + 5;
			for (PreparedAppend<PostgresTable> each : prepared) {
				long rowid = each.firstRowid();
				long idMs = each.firstId().ms();
				long idSeq = each.firstId().seq();
				UUID publishId = each.op().publishId();
				for (Object[] row : each.batch().rows()) {
					out.startRow(fields);
					out.int8(rowid++);
					out.timestamp(publishedAt);
					out.uuid(publishId);
					out.int8(idMs);
					out.int8(idSeq++);
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
		sql.append(StoredEvent.ROWID + ", " + StoredEvent.PUBLISHED_AT + ", " + StoredEvent.PUBLISH_ID + ", "
				+ StoredEvent.ID_MS + ", " + StoredEvent.ID_SEQ);
		for (int column = 0; column < columns.size(); column++) {
			sql.append(", ").append(quote(columns.name(column)));
		}
	}

}
