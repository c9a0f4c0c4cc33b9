package dev.interlace.core.store.support;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

import dev.interlace.core.StoredEvent;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.EntryId;

/**
 * The SQL that differs between the backends, for the SQL written once in this package. Kept small: a statement that
 * both databases accept is written once where it is used, not here.
 */
public interface SqlDialect {

	/**
	 * Returns an engine table's name as statements must spell it (qualified with the engine's schema and, where the
	 * database needs it, its catalog).
	 * @param table the table, such as {@code consumer_cursors}
	 * @return the qualified name
	 */
	String engineTable(String table);

	/**
	 * Serialises, until the current transaction ends, the creation of new cursors of one stream by every store that
	 * shares the database, so that a count of its cursors stays true until the insert that follows it.
	 * @param connection the connection, in a transaction
	 * @param stream the stream
	 * @throws SQLException when the lock cannot be taken
	 */
	void lockNewCursors(Connection connection, String stream) throws SQLException;

	/**
	 * Returns what a {@code SELECT} of one row appends to lock the row until the transaction ends, so that stores
	 * sharing the database take turns on it (a consumer group's row, before its writes).
	 * @return the clause with a leading space, or an empty string where writes are serialised anyway
	 */
	default String lockRowClause() {
		return "";
	}

	/**
	 * Records that a statement deleted rows of a stream's table other than by {@link #deleteOldest}, in the same
	 * transaction, for a backend that keeps counts of the rows.
	 * @param connection the connection, in the transaction of the delete
	 * @param stream the stream
	 * @param rows rows deleted
	 * @throws SQLException when the update fails
	 */
	default void rowsDeleted(Connection connection, String stream, long rows) throws SQLException {
	}

	/**
	 * Returns the highest rowid a stream has assigned, as seen by a transaction on {@code connection} (including the
	 * rowids its own appends took).
	 * @param connection the connection
	 * @param stream the stream
	 * @return the highest rowid, 0 when none was assigned
	 * @throws SQLException when the query fails
	 */
	long highestRowid(Connection connection, String stream) throws SQLException;

	/**
	 * Returns a stream's table name as statements must spell it.
	 * @param stream the stream
	 * @return the qualified name
	 */
	String streamTable(StreamDefinition stream);

	/**
	 * Reads the rows of a {@code SELECT *} on a stream's table, metadata columns found by name (a migrated table has
	 * its entry ID columns last), into events with the Java types {@link EventConverter} produces.
	 * @param stream the stream
	 * @param rows the rows
	 * @return the events
	 * @throws SQLException when reading fails
	 */
	List<StoredEvent> readEvents(String stream, ResultSet rows) throws SQLException;

	/**
	 * Deletes up to {@code limit} of a stream's rows matching {@code condition}, oldest first, keeping the stream's
	 * highest rowid recorded so that rowids never repeat, however many rows go.
	 * @param connection the connection
	 * @param stream the stream
	 * @param condition a condition on the stream's table with one parameter
	 * @param bound the parameter's value
	 * @param limit most rows deleted
	 * @return rows deleted
	 * @throws SQLException when a statement fails
	 */
	long deleteOldest(Connection connection, StreamDefinition stream, String condition, Object bound, int limit)
			throws SQLException;

	/**
	 * Reads what a stream's registry row keeps of its entry IDs, as a transaction on {@code connection} sees them.
	 * @param connection the connection
	 * @param stream the stream
	 * @return the marks
	 * @throws SQLException when the query fails
	 */
	EntryMarks entryMarks(Connection connection, String stream) throws SQLException;

	/**
	 * Deletes the rows with the given entry IDs, in the caller's transaction, raising the stream's highest deleted
	 * ID to the highest one deleted and keeping its last rowid and ID recorded, as a trim does.
	 * @param connection the connection, in a transaction
	 * @param stream the stream
	 * @param ids the IDs, distinct, a few hundred at most
	 * @return rows deleted
	 * @throws SQLException when a statement fails
	 */
	long deleteEntries(Connection connection, StreamDefinition stream, List<EntryId> ids) throws SQLException;

	/**
	 * Returns a condition matching the rows with the given entry IDs, with two parameters per ID, its parts, bound
	 * by {@link #bindIds}.
	 * @param ids how many IDs
	 * @return the condition
	 */
	static String idsCondition(int ids) {
		StringBuilder condition = new StringBuilder("(");
		for (int i = 0; i < ids; i++) {
			condition.append((i > 0) ? " OR " : "")
				.append("(" + StoredEvent.ID_MS + " = ? AND " + StoredEvent.ID_SEQ + " = ?)");
		}
		return condition.append(')').toString();
	}

	/**
	 * Binds the parameters of {@link #idsCondition}.
	 * @param statement the statement
	 * @param first the index of the first parameter
	 * @param ids the IDs
	 * @return the index after the last parameter
	 * @throws SQLException when binding fails
	 */
	static int bindIds(java.sql.PreparedStatement statement, int first, List<EntryId> ids) throws SQLException {
		int index = first;
		for (EntryId id : ids) {
			statement.setLong(index++, id.ms());
			statement.setLong(index++, id.seq());
		}
		return index;
	}

}
