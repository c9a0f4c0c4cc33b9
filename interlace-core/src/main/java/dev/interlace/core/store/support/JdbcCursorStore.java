package dev.interlace.core.store.support;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.interlace.core.ConsumerLimitException;
import dev.interlace.core.InvalidRequestException;
import dev.interlace.core.store.CursorStore;

/**
 * The {@link CursorStore} of every backend: the engine's {@code consumer_cursors} table, read and written through the
 * backend's {@link TransactionRunner}, with what differs in its {@link SqlDialect}.
 */
public final class JdbcCursorStore implements CursorStore {

	private final TransactionRunner runner;

	private final SqlDialect dialect;

	private final StreamRegistry<?> streams;

	private final String cursors;

	/**
	 * Creates the store.
	 * @param runner how the backend runs SQL
	 * @param dialect the backend's SQL
	 * @param streams the streams the backend ensured: cursors of any other stream are refused as not found
	 */
	public JdbcCursorStore(TransactionRunner runner, SqlDialect dialect, StreamRegistry<?> streams) {
		this.runner = runner;
		this.dialect = dialect;
		this.streams = streams;
		this.cursors = dialect.engineTable("consumer_cursors");
	}

	@Override
	public long readCursor(String stream, String consumer) {
		this.streams.get(stream);
		return this.runner.read("read a cursor of '" + stream + "'", (connection) -> {
			try (PreparedStatement select = connection
				.prepareStatement("SELECT position FROM " + this.cursors + " WHERE stream = ? AND consumer = ?")) {
				select.setString(1, stream);
				select.setString(2, consumer);
				try (ResultSet rows = select.executeQuery()) {
					return rows.next() ? rows.getLong(1) : 0L;
				}
			}
		});
	}

	@Override
	public long commitCursor(String stream, String consumer, long rowid, int maxConsumers) {
		this.streams.get(stream);
		requireRowid(stream, rowid);
		return this.runner.inTransaction("commit a cursor of '" + stream + "'",
				(connection) -> commit(connection, stream, consumer, rowid, maxConsumers));
	}

	/**
	 * Moves a cursor in the caller's transaction, as {@link #commitCursor(String, String, long, int)} does: for the
	 * transactions of {@link dev.interlace.core.store.StoreTransactions}, whose appends' rowids the dialect counts.
	 * @param connection the connection, in a transaction
	 * @param stream the stream
	 * @param consumer the consumer
	 * @param rowid the acknowledged rowid
	 * @param maxConsumers most cursors the stream may have
	 * @return the cursor after the call
	 * @throws SQLException when a statement fails
	 */
	public long commit(Connection connection, String stream, String consumer, long rowid, int maxConsumers)
			throws SQLException {
		requireRowid(stream, rowid);
		long highest = this.dialect.highestRowid(connection, stream);
		if (rowid > highest) {
			throw new InvalidRequestException("Cannot acknowledge rowid " + rowid + " of stream '" + stream
					+ "': its rowids run from 1 to " + highest);
		}
		// An existing consumer, the usual case, takes one statement that moves the cursor only forwards, whatever
		// other stores acknowledge at the same time.
		try (PreparedStatement update = connection.prepareStatement("UPDATE " + this.cursors
				+ " SET position = greatest(position, ?), updated_at = now() WHERE stream = ? AND consumer = ?"
				+ " RETURNING position")) {
			update.setLong(1, rowid);
			update.setString(2, stream);
			update.setString(3, consumer);
			try (ResultSet rows = update.executeQuery()) {
				if (rows.next()) {
					return rows.getLong(1);
				}
			}
		}
		// A new consumer: counting and inserting under the dialect's lock keeps every store of the database to the
		// bound. A concurrent first acknowledgement of the same consumer makes the insert an update.
		this.dialect.lockNewCursors(connection, stream);
		if (count(connection, stream) >= maxConsumers && !exists(connection, stream, consumer)) {
			throw new ConsumerLimitException(stream, consumer, maxConsumers);
		}
		try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO " + this.cursors
				+ " (stream, consumer, position, updated_at) VALUES (?, ?, ?, now()) ON CONFLICT (stream, consumer)"
				+ " DO UPDATE SET position = greatest(consumer_cursors.position, excluded.position),"
				+ " updated_at = excluded.updated_at RETURNING position")) {
			upsert.setString(1, stream);
			upsert.setString(2, consumer);
			upsert.setLong(3, rowid);
			try (ResultSet rows = upsert.executeQuery()) {
				rows.next();
				return rows.getLong(1);
			}
		}
	}

	@Override
	public boolean deleteCursor(String stream, String consumer) {
		this.streams.get(stream);
		return this.runner.inTransaction("delete a cursor of '" + stream + "'", (connection) -> {
			try (PreparedStatement delete = connection
				.prepareStatement("DELETE FROM " + this.cursors + " WHERE stream = ? AND consumer = ?")) {
				delete.setString(1, stream);
				delete.setString(2, consumer);
				return delete.executeUpdate() > 0;
			}
		});
	}

	@Override
	public Map<String, Long> readCursors(String stream) {
		this.streams.get(stream);
		return this.runner.read("read the cursors of '" + stream + "'", (connection) -> {
			Map<String, Long> positions = new LinkedHashMap<>();
			try (PreparedStatement select = connection.prepareStatement(
					"SELECT consumer, position FROM " + this.cursors + " WHERE stream = ? ORDER BY consumer")) {
				select.setString(1, stream);
				try (ResultSet rows = select.executeQuery()) {
					while (rows.next()) {
						positions.put(rows.getString(1), rows.getLong(2));
					}
				}
			}
			return positions;
		});
	}

	private static void requireRowid(String stream, long rowid) {
		if (rowid < 0) {
			throw new InvalidRequestException(
					"Cannot acknowledge rowid " + rowid + " of stream '" + stream + "': rowids start at 1");
		}
	}

	private boolean exists(Connection connection, String stream, String consumer) throws SQLException {
		try (PreparedStatement select = connection
			.prepareStatement("SELECT 1 FROM " + this.cursors + " WHERE stream = ? AND consumer = ?")) {
			select.setString(1, stream);
			select.setString(2, consumer);
			try (ResultSet rows = select.executeQuery()) {
				return rows.next();
			}
		}
	}

	private long count(Connection connection, String stream) throws SQLException {
		try (PreparedStatement select = connection
			.prepareStatement("SELECT count(*) FROM " + this.cursors + " WHERE stream = ?")) {
			select.setString(1, stream);
			try (ResultSet rows = select.executeQuery()) {
				rows.next();
				return rows.getLong(1);
			}
		}
	}

}
