package dev.interlace.core.store.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

import dev.interlace.core.StoredEvent;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.EntryId;
import dev.interlace.core.store.support.EntryMarks;
import dev.interlace.core.store.support.SqlDialect;

/**
 * PostgreSQL's {@link SqlDialect}: engine tables in schema {@code interlace}, new cursors ordered by a
 * transaction-scoped advisory lock per stream, and the highest rowid read from the registry's {@code last_rowid},
 * which an append transaction advances before it commits.
 */
final class PostgresDialect implements SqlDialect {

	/** First key of the per-stream advisory locks that order new consumers' first acknowledgements ("Intr"). */
	private static final int CURSOR_LOCK_CLASS = 0x496e_7472;

	private final String schema;

	PostgresDialect(String schema) {
		this.schema = schema;
	}

	@Override
	public String engineTable(String table) {
		return this.schema + "." + table;
	}

	@Override
	public void lockNewCursors(Connection connection, String stream) throws SQLException {
		try (PreparedStatement lock = connection
			.prepareStatement("SELECT pg_advisory_xact_lock(" + CURSOR_LOCK_CLASS + ", hashtext(?))")) {
			lock.setString(1, stream);
			lock.execute();
		}
	}

	@Override
	public void rowsDeleted(Connection connection, String stream, long rows) throws SQLException {
		if (rows == 0) {
			return;
		}
		try (PreparedStatement update = connection.prepareStatement(
				"UPDATE " + engineTable("streams") + " SET row_count = row_count - ? WHERE name = ?")) {
			update.setLong(1, rows);
			update.setString(2, stream);
			update.executeUpdate();
		}
	}

	@Override
	public String lockRowClause() {
		return " FOR UPDATE";
	}

	@Override
	public long highestRowid(Connection connection, String stream) throws SQLException {
		try (PreparedStatement query = connection
			.prepareStatement("SELECT last_rowid FROM " + engineTable("streams") + " WHERE name = ?")) {
			query.setString(1, stream);
			try (ResultSet rs = query.executeQuery()) {
				return rs.next() ? rs.getLong(1) : 0L;
			}
		}
	}

	@Override
	public String streamTable(StreamDefinition stream) {
		return PostgresSql.qualified(stream);
	}

	@Override
	public List<StoredEvent> readEvents(String stream, ResultSet rows) throws SQLException {
		return PostgresTypes.readEvents(stream, rows);
	}

	/**
	 * Deletes a batch of a trim in one statement that also takes what it deleted off the registry's row count. The
	 * registry row is updated after the delete, so publishes (which only insert) wait at most for a batch's commit,
	 * never for its delete. The registry keeps the highest rowid, so rowids never repeat however many rows go. Rows
	 * another trim (another instance's) is deleting are left to it: waiting for them in whatever order each plan
	 * visits them could deadlock.
	 */
	@Override
	public long deleteOldest(Connection connection, StreamDefinition stream, String condition, Object bound,
			int limit) throws SQLException {
		String table = PostgresSql.qualified(stream);
		try (PreparedStatement delete = connection.prepareStatement("WITH deleted AS (DELETE FROM " + table
				+ " WHERE " + StoredEvent.ROWID + " IN (SELECT " + StoredEvent.ROWID + " FROM " + table + " WHERE "
				+ condition + " ORDER BY " + StoredEvent.ROWID + " LIMIT ? FOR UPDATE SKIP LOCKED) RETURNING 1),"
				+ " trimmed AS (SELECT count(*) AS n FROM deleted), counted AS (UPDATE " + engineTable("streams")
				+ " SET row_count = row_count - trimmed.n FROM trimmed WHERE name = ? AND trimmed.n > 0)"
				+ " SELECT n FROM trimmed")) {
			delete.setObject(1, bound);
			delete.setInt(2, limit);
			delete.setString(3, stream.name());
			return PostgresSql.single(delete);
		}
	}

	@Override
	public EntryMarks entryMarks(Connection connection, String stream) throws SQLException {
		try (PreparedStatement query = connection.prepareStatement("SELECT last_id_ms, last_id_seq, max_deleted_id_ms, "
				+ "max_deleted_id_seq, entries_added FROM " + engineTable("streams") + " WHERE name = ?")) {
			query.setString(1, stream);
			try (ResultSet rs = query.executeQuery()) {
				if (!rs.next()) {
					return new EntryMarks(EntryId.MIN, EntryId.MIN, 0);
				}
				return new EntryMarks(new EntryId(rs.getLong(1), rs.getLong(2)), new EntryId(rs.getLong(3), rs.getLong(4)),
						rs.getLong(5));
			}
		}
	}

	/**
	 * Deletes entries by ID in one statement that also takes them off the registry's row count and raises its
	 * highest deleted ID. Like a trim batch, it updates the registry row after the delete, so publishes wait at most
	 * for its commit; the registry keeps the last rowid and ID, which deletes never touch.
	 */
	@Override
	public long deleteEntries(Connection connection, StreamDefinition stream, List<EntryId> ids) throws SQLException {
		String table = PostgresSql.qualified(stream);
		try (PreparedStatement delete = connection.prepareStatement("WITH deleted AS (DELETE FROM " + table
				+ " WHERE " + SqlDialect.idsCondition(ids.size()) + " RETURNING " + StoredEvent.ID_MS + " AS ms, "
				+ StoredEvent.ID_SEQ + " AS seq), top AS (SELECT ms, seq FROM deleted ORDER BY ms DESC, seq DESC LIMIT 1),"
				+ " counted AS (SELECT count(*) AS n FROM deleted), marked AS (UPDATE " + engineTable("streams")
				+ " SET row_count = row_count - counted.n,"
				+ " max_deleted_id_ms = CASE WHEN (top.ms, top.seq) > (max_deleted_id_ms, max_deleted_id_seq)"
				+ " THEN top.ms ELSE max_deleted_id_ms END,"
				+ " max_deleted_id_seq = CASE WHEN (top.ms, top.seq) > (max_deleted_id_ms, max_deleted_id_seq)"
				+ " THEN top.seq ELSE max_deleted_id_seq END FROM counted, top WHERE name = ?) SELECT n FROM counted")) {
			int index = SqlDialect.bindIds(delete, 1, ids);
			delete.setString(index, stream.name());
			return PostgresSql.single(delete);
		}
	}

}
