package dev.interlace.core.store.duckdb;

import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.interlace.core.DataRejectedException;
import dev.interlace.core.FieldType;
import dev.interlace.core.InterlaceException;
import dev.interlace.core.StoreException;
import dev.interlace.core.StoredEvent;
import dev.interlace.core.EntryId;
import dev.interlace.core.store.CommitListener;
import dev.interlace.core.store.duckdb.DuckDbDatabase.TaskOp;
import dev.interlace.core.store.duckdb.DuckDbDatabase.WriterTask;
import dev.interlace.core.store.support.AppendOp;
import dev.interlace.core.store.support.ColumnSet;
import dev.interlace.core.store.support.CommitNotifier;
import dev.interlace.core.store.support.ConvertedBatch;
import dev.interlace.core.store.support.EventConverter;
import dev.interlace.core.store.support.GroupCollector;
import dev.interlace.core.store.support.PreparedAppend;
import dev.interlace.core.store.support.PublishCompleter;

import static dev.interlace.core.store.support.Sql.closeQuietly;
import static dev.interlace.core.store.support.Sql.execute;

/**
 * The writer thread of a DuckDB database: it takes the database's queue in order, commits the publishes queued
 * together through DuckDB's Appender in one commit (a group commit), and runs each task alone, in a transaction of its
 * own, between groups.
 * <p>
 * Each publish is converted and checked before it joins a group, so a bad one fails alone; if a group still fails in
 * the database, the writer discards its connection (DuckDB leaves a connection unusable after a failed commit) and
 * commits each publish of the group on its own, so only the culprit fails. A group that could flush more than once
 * commits in a transaction, and rowids are the table's primary key, so no retry can store a row twice.
 */
final class DuckDbStreamWriter implements Runnable {

	/**
	 * Groups of at most this many rows commit through a cached appender on an auto-commit connection; larger ones in
	 * an explicit transaction. {@code DuckDBAppender.endRow()} flushes by itself once it holds
	 * {@code duckdb_vector_size()} rows (2,048 in DuckDB's release builds), and on an auto-commit connection each
	 * flush is a commit of its own: only a group of at most one vector is sure to flush, and so commit, once.
	 */
	static final int FAST_PATH_MAX_ROWS = 2_048;

	private static final Logger logger = LoggerFactory.getLogger(DuckDbStreamWriter.class);

	private static final String APPENDER_REASON = "message: ";

	private final DuckDbDatabase database;

	private final DuckDbDialect dialect;

	private final CommitNotifier notifier;

	private final int maxGroupRows;

	private final long lingerNanos;

	private final AtomicLong resets = new AtomicLong();

	/** Completes publishes after their commit, off the writer thread. */
	private final PublishCompleter completer = new PublishCompleter("interlace-duckdb-completer");

	private @Nullable DuckDBConnection writer;

	/** Appenders kept open between groups. */
	private final Map<DuckDbTable, DuckDBAppender> appenders = new HashMap<>();

	/**
	 * Creates the writer of a database; {@link DuckDbDatabase#startWriter} runs it.
	 * @param database the database
	 * @param dialect its names
	 * @param notifier who hears of commits
	 * @param options group settings
	 */
	DuckDbStreamWriter(DuckDbDatabase database, DuckDbDialect dialect, CommitNotifier notifier,
			DuckDbStreamStore.Options options) {
		this.database = database;
		this.dialect = dialect;
		this.notifier = notifier;
		this.maxGroupRows = options.maxGroupRows();
		this.lingerNanos = options.linger().toNanos();
	}

	/**
	 * Returns how often the writer discarded its connection after a failure.
	 * @return the count
	 */
	long resets() {
		return this.resets.get();
	}

	@Override
	public void run() {
		GroupCollector<DuckDbTable> collector = new GroupCollector<>(this.database.queue(), this.maxGroupRows,
				this.lingerNanos, this.database::isClosed);
		List<AppendOp<DuckDbTable>> group = new ArrayList<>();
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
		try {
			this.completer.close();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private <T> void runTask(TaskOp<T> op) {
		WriterTask<T> task = op.task();
		T result;
		try {
			DuckDBConnection connection = writer();
			execute(connection, "BEGIN TRANSACTION");
			try {
				result = task.run(connection);
			}
			catch (RuntimeException | Error ex) {
				// The task's own exception, whatever it is, reaches its caller as it is.
				rollback(connection, ex);
				op.future().completeExceptionally(ex);
				return;
			}
			execute(connection, "COMMIT");
		}
		catch (SQLException | RuntimeException ex) {
			resetWriter(ex);
			op.future().completeExceptionally(task.failure(op.what(), ex));
			return;
		}
		task.committed();
		op.future().complete(result);
	}

	private void rollback(DuckDBConnection connection, Throwable cause) {
		try {
			execute(connection, "ROLLBACK");
			// A task may plan with the optimiser (a transaction's work does): the writer's appends plan without it.
			execute(connection, "PRAGMA disable_optimizer");
		}
		catch (SQLException ex) {
			resetWriter(cause);
		}
	}

	private void commitGroup(List<AppendOp<DuckDbTable>> group) {
		Map<DuckDbTable, ColumnSet> columns = new LinkedHashMap<>();
		Map<DuckDbTable, List<PreparedAppend<DuckDbTable>>> byTable = new LinkedHashMap<>();
		for (AppendOp<DuckDbTable> op : group) {
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

	private void commitTable(DuckDbTable table, ColumnSet columns, List<PreparedAppend<DuckDbTable>> prepared) {
		Instant publishedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
		// IDs first: a publish whose explicit ID is too small fails alone and takes no rowid.
		EntryId lastId = PreparedAppend.assignIds(prepared, table.lastId, publishedAt.toEpochMilli());
		if (prepared.isEmpty()) {
			return;
		}
		PreparedAppend.assignRowids(prepared, table.lastRowid + 1);
		long start = System.nanoTime();
		try {
			writeTable(table, columns, prepared, publishedAt);
		}
		catch (SQLException | RuntimeException ex) {
			resetWriter(ex);
			if (prepared.size() > 1) {
				// Commit each publish alone so that only the one the database refuses fails.
				for (PreparedAppend<DuckDbTable> each : prepared) {
					commitGroup(List.of(each.op()));
				}
			}
			else {
				prepared.get(0).op().future().completeExceptionally(publishFailure(table, ex));
			}
			return;
		}
		PreparedAppend<DuckDbTable> last = prepared.get(prepared.size() - 1);
		long lastRowid = last.firstRowid() + last.rows() - 1;
		int rows = (int) (lastRowid - table.lastRowid);
		this.notifier.observe(table.stream(), rows, System.nanoTime() - start);
		table.lastRowid = lastRowid;
		table.lastId = lastId;
		table.entriesAdded += rows;
		// Live subscribers are handed the events before publishers hear back: whoever saw a publish succeed can
		// count on its events being on their way to every subscriber.
		notifyListener(table, prepared, publishedAt);
		this.completer.complete(table.stream(), prepared);
	}

	/**
	 * Appends and commits one table's publishes. Small groups go through a cached appender on an auto-commit
	 * connection, where each flush is one atomic commit: no BEGIN, COMMIT or appender set-up per group, which is most
	 * of DuckDB's cost per commit. Groups of more than {@value #FAST_PATH_MAX_ROWS} rows, which the appender would
	 * flush (and commit) part-way, run in an explicit transaction instead, so that they stay atomic.
	 */
	private void writeTable(DuckDbTable table, ColumnSet columns, List<PreparedAppend<DuckDbTable>> prepared,
			Instant publishedAt) throws SQLException {
		DuckDBConnection connection = writer();
		Map<String, FieldType> added = new LinkedHashMap<>();
		for (int i = table.columns.size(); i < columns.size(); i++) {
			added.put(columns.name(i), columns.type(i));
		}
		if (!added.isEmpty()) {
			closeAppender(table);
			DuckDbStreamTables.addColumns(connection, this.dialect.qualified(table.definition), added);
			// Committed on its own: the columns exist whatever becomes of the rows.
			table.columns = columns;
		}
		int rows = 0;
		for (PreparedAppend<DuckDbTable> each : prepared) {
			rows += each.rows();
		}
		boolean transactional = rows > FAST_PATH_MAX_ROWS;
		DuckDBAppender appender;
		if (transactional) {
			closeAppender(table);
			execute(connection, "BEGIN TRANSACTION");
			appender = connection.createAppender(this.dialect.catalog(), table.definition.schema(), table.stream());
		}
		else {
			appender = appender(connection, table);
		}
		long micros = DuckDbTypes.epochMicros(publishedAt);
		int idColumnsAt = table.idColumnsAt;
		for (PreparedAppend<DuckDbTable> each : prepared) {
			DuckDbTypes.appendRows(appender, columns, idColumnsAt, each.batch().rows(), each.op().publishId(),
					each.firstRowid(), each.firstId(), micros);
		}
		// close() swallows append errors: flush explicitly so that a failure is seen.
		appender.flush();
		if (transactional) {
			appender.close();
			execute(connection, "COMMIT");
		}
	}

	/**
	 * Returns what a publish that failed alone fails with: the database refusing its data is the client's to fix
	 * ({@link DataRejectedException}); anything else may pass ({@link StoreException}).
	 */
	private static RuntimeException publishFailure(DuckDbTable table, Exception ex) {
		String reason = refusalReason(ex);
		if (reason != null) {
			return new DataRejectedException("DuckDB refused the publish to '" + table.stream() + "': " + reason,
					null, ex);
		}
		return new StoreException("DuckDB rejected the publish to '" + table.stream() + "': " + ex.getMessage(), ex);
	}

	/**
	 * Says why DuckDB refused a publish's data, or {@code null} when the failure is not about the data. DuckDB gives
	 * no SQLState and one exception class for everything, so its message decides: a constraint or conversion error,
	 * as DuckDB words them in its statements ({@code Constraint Error: ...}, {@code Conversion Error: ...}) and in
	 * its appender ({@code Failed to append: Duplicate key ... violates unique constraint}). A clash on the rowid is
	 * the store's own fault, never the client's. The reason is the message's first line, after the appender's
	 * prefix: no SQL text.
	 * @param ex the failure
	 * @return the reason, or {@code null}
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

	private static String firstLine(String text) {
		int end = text.indexOf('\n');
		return ((end >= 0) ? text.substring(0, end) : text).strip();
	}

	private DuckDBAppender appender(DuckDBConnection connection, DuckDbTable table) throws SQLException {
		DuckDBAppender appender = this.appenders.get(table);
		if (appender == null) {
			appender = connection.createAppender(this.dialect.catalog(), table.definition.schema(), table.stream());
			this.appenders.put(table, appender);
		}
		return appender;
	}

	private void closeAppender(DuckDbTable table) {
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
		for (DuckDbTable table : new ArrayList<>(this.appenders.keySet())) {
			closeAppender(table);
		}
	}

	private void notifyListener(DuckDbTable table, List<PreparedAppend<DuckDbTable>> prepared, Instant publishedAt) {
		CommitListener listener = this.notifier.listener();
		String stream = table.stream();
		if (!listener.wants(stream)) {
			return;
		}
		List<StoredEvent> events = new ArrayList<>();
		PreparedAppend.addEvents(stream, prepared, publishedAt, events);
		this.notifier.deliver(listener, stream, events);
	}

	private DuckDBConnection writer() throws SQLException {
		if (this.writer == null) {
			this.writer = this.database.connect();
			// Every appender flush is planned as an INSERT ... SELECT, and optimising that plan is a fifth of DuckDB's
			// cost for a small group: nothing here benefits from it but trimming and transactions' own statements,
			// which turn it back on.
			execute(this.writer, "PRAGMA disable_optimizer");
		}
		return this.writer;
	}

	private void resetWriter(Throwable cause) {
		// After a failed commit DuckDB's connection claims a transaction it no longer has: never reuse it.
		logger.warn("DuckDB writer of '{}' failed, reopening its connection: {}", this.database.path(),
				cause.getMessage());
		this.resets.incrementAndGet();
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

}
