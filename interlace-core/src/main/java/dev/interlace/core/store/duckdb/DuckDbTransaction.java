package dev.interlace.core.store.duckdb;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.jspecify.annotations.Nullable;

import dev.interlace.core.DataRejectedException;
import dev.interlace.core.PublishResult;
import dev.interlace.core.StoreException;
import dev.interlace.core.StoredEvent;
import dev.interlace.core.EntryId;
import dev.interlace.core.store.CommitListener;
import dev.interlace.core.store.StoreTransaction;
import dev.interlace.core.store.TransactionWork;
import dev.interlace.core.store.support.ColumnSet;
import dev.interlace.core.store.support.CommitNotifier;
import dev.interlace.core.store.support.ConvertedBatch;
import dev.interlace.core.store.support.EntryIds;
import dev.interlace.core.store.support.EventConverter;
import dev.interlace.core.store.support.JdbcCursorStore;
import dev.interlace.core.store.support.PublishIds;
import dev.interlace.core.store.support.StreamRegistry;

import static dev.interlace.core.store.support.Sql.execute;

/**
 * One unit of {@link TransactionWork}, run as a task of the writer thread: between group commits, on the writer's
 * connection, in the transaction the writer begins and commits. Its appends go through an appender of their own
 * inside that transaction and take rowids after those the stream committed (and those this transaction already
 * took); none of it reaches the tables' in-memory state, the store observer or the commit listeners before the
 * commit succeeded, so a rollback leaves no trace and consumes no rowid.
 * <p>
 * Unlike the writer's appends, the work's own statements plan with DuckDB's optimiser: they may look rows up by key.
 *
 * @param <T> what the work returns
 */
final class DuckDbTransaction<T> implements StoreTransaction, DuckDbDatabase.WriterTask<T> {

	private final TransactionWork<T> work;

	private final StreamRegistry<DuckDbTable> tables;

	private final DuckDbDialect dialect;

	/** Cursors as this transaction sees the streams' rowids. */
	private final JdbcCursorStore cursors;

	private final CommitNotifier notifier;

	/** What the transaction appended, by table in the order first appended to. */
	private final Map<DuckDbTable, Appends> appends = new LinkedHashMap<>();

	private @Nullable DuckDBConnection connection;

	private Instant publishedAt = Instant.EPOCH;

	/** The first failure of a statement this transaction ran for the work: it may not commit after one. */
	private @Nullable RuntimeException failure;

	DuckDbTransaction(TransactionWork<T> work, DuckDbDatabase database, DuckDbDialect dialect,
			StreamRegistry<DuckDbTable> tables, CommitNotifier notifier) {
		this.work = work;
		this.tables = tables;
		this.dialect = dialect;
		this.notifier = notifier;
		this.cursors = new JdbcCursorStore(database, dialect.withHighestRowid(this::highestRowid), tables);
	}

	@Override
	public T run(DuckDBConnection connection) throws SQLException {
		this.connection = connection;
		this.publishedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
		try {
			execute(connection, "PRAGMA enable_optimizer");
			T result = this.work.run(this);
			if (this.failure != null) {
				throw new StoreException("DuckDB rolled back a transaction whose work went on after a failed "
						+ "statement: " + this.failure.getMessage(), this.failure);
			}
			execute(connection, "PRAGMA disable_optimizer");
			return result;
		}
		finally {
			this.connection = null;
		}
	}

	@Override
	public PublishResult append(String stream, List<? extends Map<String, ?>> events) {
		DuckDbTable table = this.tables.get(stream);
		UUID publishId = PublishIds.next();
		if (events.isEmpty()) {
			return PublishResult.empty(stream, publishId);
		}
		DuckDBConnection connection = openConnection();
		Appends appended = this.appends.get(table);
		ColumnSet columns = (appended != null) ? appended.columns : table.columns;
		long firstRowid = ((appended != null) ? appended.lastRowid : table.lastRowid) + 1;
		EntryId firstId = EntryIds.next((appended != null) ? appended.lastId : table.lastId,
				this.publishedAt.toEpochMilli(), events.size());
		long start = System.nanoTime();
		// Columns this append adds are added in the transaction, as part of it.
		ConvertedBatch batch = EventConverter.convert(table.definition, columns, events);
		try {
			if (!batch.added().isEmpty()) {
				DuckDbStreamTables.addColumns(connection, this.dialect.qualified(table.definition), batch.added());
			}
			try (DuckDBAppender appender = connection.createAppender(this.dialect.catalog(),
					table.definition.schema(), table.stream())) {
				DuckDbTypes.appendRows(appender, batch.columns(), table.idColumnsAt, batch.rows(), publishId,
						firstRowid, firstId, DuckDbTypes.epochMicros(this.publishedAt));
				// close() swallows append errors: flush explicitly so that a failure is seen.
				appender.flush();
			}
		}
		catch (SQLException ex) {
			throw failed("append to '" + stream + "'", ex);
		}
		if (appended == null) {
			appended = new Appends(start);
			this.appends.put(table, appended);
		}
		appended.add(batch, publishId, firstRowid, firstId);
		return PublishResult.accepted(stream, batch.rows().length, publishId, firstRowid, appended.lastRowid, firstId,
				appended.lastId);
	}

	@Override
	public long commitCursor(String stream, String consumer, long rowid, int maxConsumers) {
		this.tables.get(stream);
		try {
			return this.cursors.commit(openConnection(), stream, consumer, rowid, maxConsumers);
		}
		catch (SQLException ex) {
			throw failed("commit a cursor of '" + stream + "'", ex);
		}
	}

	@Override
	public Connection connection() {
		return openConnection();
	}

	private DuckDBConnection openConnection() {
		DuckDBConnection connection = this.connection;
		if (connection == null) {
			throw new IllegalStateException("The transaction is over: its work has returned");
		}
		return connection;
	}

	private long highestRowid(String stream) {
		DuckDbTable table = this.tables.get(stream);
		Appends appended = this.appends.get(table);
		return (appended != null) ? appended.lastRowid : table.lastRowid;
	}

	private RuntimeException failed(String what, SQLException ex) {
		RuntimeException failure = failure("run a transaction (" + what + ")", ex);
		if (this.failure == null) {
			this.failure = failure;
		}
		return failure;
	}

	@Override
	public RuntimeException failure(String what, Exception ex) {
		String reason = DuckDbStreamWriter.refusalReason(ex);
		if (reason != null) {
			return new DataRejectedException("DuckDB refused a transaction's data: " + reason, null, ex);
		}
		return new StoreException("DuckDB could not " + what + ": " + ex.getMessage(), ex);
	}

	/**
	 * Moves what the transaction appended into the tables' state and tells the observer and the listeners, as a
	 * group commit does: each stream's events in rowid order.
	 */
	@Override
	public void committed() {
		for (Map.Entry<DuckDbTable, Appends> entry : this.appends.entrySet()) {
			DuckDbTable table = entry.getKey();
			Appends appended = entry.getValue();
			String stream = table.stream();
			if (appended.columns != table.columns) {
				table.columns = appended.columns;
			}
			int rows = (int) (appended.lastRowid - table.lastRowid);
			this.notifier.observe(stream, rows, System.nanoTime() - appended.startNanos);
			table.lastRowid = appended.lastRowid;
			table.lastId = appended.lastId;
			table.entriesAdded += rows;
			CommitListener listener = this.notifier.listener();
			if (listener.wants(stream)) {
				List<StoredEvent> events = new ArrayList<>();
				for (Batch each : appended.batches) {
					for (int row = 0; row < each.batch().rows().length; row++) {
						events.add(new StoredEvent(stream, each.firstRowid() + row,
								new EntryId(each.firstId().ms(), each.firstId().seq() + row), this.publishedAt,
								each.publishId(), each.batch().data(row)));
					}
				}
				this.notifier.deliver(listener, stream, events);
			}
		}
	}

	/** What the transaction appended to one stream. */
	private static final class Appends {

		private final long startNanos;

		private final List<Batch> batches = new ArrayList<>();

		private ColumnSet columns = ColumnSet.empty();

		private long lastRowid;

		private EntryId lastId = EntryId.MIN;

		Appends(long startNanos) {
			this.startNanos = startNanos;
		}

		void add(ConvertedBatch batch, UUID publishId, long firstRowid, EntryId firstId) {
			this.batches.add(new Batch(batch, publishId, firstRowid, firstId));
			this.columns = batch.columns();
			this.lastRowid = firstRowid + batch.rows().length - 1;
			this.lastId = new EntryId(firstId.ms(), firstId.seq() + batch.rows().length - 1);
		}

	}

	private record Batch(ConvertedBatch batch, UUID publishId, long firstRowid, EntryId firstId) {
	}

}
