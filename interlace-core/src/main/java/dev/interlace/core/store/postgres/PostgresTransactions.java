package dev.interlace.core.store.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.interlace.core.DataRejectedException;
import dev.interlace.core.PublishResult;
import dev.interlace.core.StoreException;
import dev.interlace.core.NewEntryId;
import dev.interlace.core.store.StoreTransaction;
import dev.interlace.core.store.TransactionWork;
import dev.interlace.core.store.support.AppendOp;
import dev.interlace.core.store.support.ColumnSet;
import dev.interlace.core.store.support.CommitNotifier;
import dev.interlace.core.store.support.ConvertedBatch;
import dev.interlace.core.store.support.EventConverter;
import dev.interlace.core.store.support.JdbcCursorStore;
import dev.interlace.core.store.support.PreparedAppend;
import dev.interlace.core.store.support.PublishIds;
import dev.interlace.core.store.support.StreamRegistry;

/**
 * The transactions of a PostgreSQL store: a unit of work on one pooled connection, taken through the circuit
 * breaker, with auto-commit off until it commits or rolls back.
 * <p>
 * An append in a transaction runs the statements of a writer's group commit without their commit: it locks the
 * stream's table, then takes the next rowids from the stream's registry row, whose lock it keeps until the
 * transaction ends. Appends of every transaction, writer and instance therefore take rowids in commit order, and
 * consecutive appends of one transaction continue from each other. The notification other instances listen for is
 * queued by the same statement; PostgreSQL sends it at COMMIT only. Columns an append brings are added in the same
 * transaction (a second connection would wait for the table this one holds), under the schema lock, which is kept
 * until the end too.
 * <p>
 * After the commit, this store's delivery is handed the appended rows, as it is a writer's commit, so that its
 * commit listeners hear of them in rowid order. A transaction that appends to several streams, or adds columns to
 * a stream it already appended to, holds locks that other appends wait for: PostgreSQL breaks a deadlock among them
 * by failing one, and a transaction should append to streams in one order.
 */
final class PostgresTransactions {

	/** Logs as the store: the category operators configure. */
	private static final Logger logger = LoggerFactory.getLogger(PostgresStreamStore.class);

	private final PostgresConnections connections;

	private final StreamRegistry<PostgresTable> tables;

	private final PostgresStreamWriter writer;

	private final JdbcCursorStore cursors;

	private final PostgresDelivery delivery;

	private final CommitNotifier notifier;

	private final BooleanSupplier closed;

	PostgresTransactions(PostgresConnections connections, StreamRegistry<PostgresTable> tables,
			PostgresStreamWriter writer, JdbcCursorStore cursors, PostgresDelivery delivery, CommitNotifier notifier,
			BooleanSupplier closed) {
		this.connections = connections;
		this.tables = tables;
		this.writer = writer;
		this.cursors = cursors;
		this.delivery = delivery;
		this.notifier = notifier;
		this.closed = closed;
	}

	<T> T inTransaction(TransactionWork<T> work) {
		if (this.closed.getAsBoolean()) {
			throw new StoreException("PostgreSQL store is closed");
		}
		long start = System.nanoTime();
		List<Transaction> opened = new ArrayList<>(1);
		T result = this.connections.withConnectionForCaller("run a transaction", (connection) -> {
			Transaction transaction = new Transaction(connection);
			opened.add(transaction);
			return run(connection, transaction, work);
		});
		opened.get(0).committed(System.nanoTime() - start);
		return result;
	}

	private static <T> T run(Connection connection, Transaction transaction, TransactionWork<T> work)
			throws SQLException {
		connection.setAutoCommit(false);
		boolean committing = false;
		boolean committed = false;
		try {
			T result = work.run(transaction);
			transaction.end();
			committing = true;
			connection.commit();
			committed = true;
			return result;
		}
		catch (SQLException | RuntimeException ex) {
			if (committing && PostgresConnections.isConnectionFailure(ex)) {
				// Say so rather than let the caller believe nothing was stored.
				throw new SQLException("Connection lost while committing a transaction; it may have been stored: "
						+ ex.getMessage(), "08006", ex);
			}
			throw ex;
		}
		finally {
			transaction.end();
			if (!committed) {
				PostgresConnections.rollbackQuietly(connection);
			}
			try {
				PostgresConnections.restoreAutoCommit(connection);
			}
			catch (SQLException ex) {
				// The work's own failure matters more; the pool discards a broken connection.
				logger.debug("Restoring auto-commit failed", ex);
			}
		}
	}

	/** An open transaction, usable while its work runs. */
	private final class Transaction implements StoreTransaction {

		private final Connection connection;

		/** Rows appended, in the order of their rowids per stream. */
		private final List<PostgresCommit> commits = new ArrayList<>();

		/** Columns of the tables this transaction added columns to, known to others once it commits. */
		private final Map<PostgresTable, ColumnSet> columns = new IdentityHashMap<>();

		private volatile boolean open = true;

		Transaction(Connection connection) {
			this.connection = connection;
		}

		@Override
		public PublishResult append(String stream, List<? extends Map<String, ?>> events) {
			requireOpen();
			PostgresTable table = PostgresTransactions.this.tables.get(stream);
			UUID publishId = PublishIds.next();
			if (events.isEmpty()) {
				return PublishResult.empty(stream, publishId);
			}
			ColumnSet current = this.columns.getOrDefault(table, table.columns);
			ConvertedBatch batch = EventConverter.convert(table.definition, current, events);
			try {
				if (!batch.added().isEmpty()) {
					try {
						current = PostgresStreamTables.addColumnsUncommitted(this.connection, table.definition,
								batch.added());
					}
					catch (SQLException ex) {
						throw PostgresStreamWriter.columnsNotAdded(table, batch, ex);
					}
					this.columns.put(table, current);
					batch = EventConverter.convert(table.definition, current, events);
					PostgresStreamWriter.requireNoneAdded(table, batch);
				}
				// Nobody waits on this future: the caller has its result now, and delivery completes it unseen.
				AppendOp<PostgresTable> op = new AppendOp<>(table, events, batch, publishId, new CompletableFuture<>(),
						true, NewEntryId.auto());
				PreparedAppend<PostgresTable> prepared = new PreparedAppend<>(op, batch);
				PostgresCommit commit = PostgresTransactions.this.writer.writeUncommitted(this.connection, table,
						List.of(prepared));
				this.commits.add(commit);
				return PublishResult.accepted(stream, events.size(), publishId, commit.firstRowid(),
						commit.lastRowid(), prepared.firstId(), prepared.id(prepared.rows() - 1));
			}
			catch (SQLException ex) {
				DataRejectedException refused = PostgresConnections.refused("the publish to '" + stream + "'", ex);
				throw (refused != null) ? refused : failed("append to '" + stream + "'", ex);
			}
		}

		@Override
		public long commitCursor(String stream, String consumer, long rowid, int maxConsumers) {
			requireOpen();
			PostgresTransactions.this.tables.get(stream);
			try {
				return PostgresTransactions.this.cursors.commit(this.connection, stream, consumer, rowid,
						maxConsumers);
			}
			catch (SQLException ex) {
				throw failed("commit a cursor of '" + stream + "'", ex);
			}
		}

		@Override
		public Connection connection() {
			requireOpen();
			return this.connection;
		}

		private void requireOpen() {
			if (!this.open) {
				throw new IllegalStateException("The transaction has ended");
			}
		}

		void end() {
			this.open = false;
		}

		/** Tells this store of what the transaction committed, as a writer's commit does. */
		void committed(long nanos) {
			this.columns.forEach(PostgresTable::mergeColumns);
			for (PostgresCommit commit : this.commits) {
				PostgresTransactions.this.notifier.observe(commit.table().name(), commit.rows(), nanos);
				PostgresTransactions.this.delivery.committed(commit);
			}
		}

	}

	private static StoreException failed(String what, SQLException ex) {
		return PostgresConnections.isConnectionFailure(ex) ? PostgresConnections.unavailable(what, ex)
				: new StoreException("PostgreSQL could not " + what + ": " + ex.getMessage(), ex);
	}

}
