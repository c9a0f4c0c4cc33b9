package dev.interlace.core.store.support;

import java.sql.Connection;
import java.sql.SQLException;

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
	 * Returns the highest rowid a stream has assigned, as seen by a transaction on {@code connection} (including the
	 * rowids its own appends took).
	 * @param connection the connection
	 * @param stream the stream
	 * @return the highest rowid, 0 when none was assigned
	 * @throws SQLException when the query fails
	 */
	long highestRowid(Connection connection, String stream) throws SQLException;

}
