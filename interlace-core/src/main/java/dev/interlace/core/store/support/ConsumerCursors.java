package dev.interlace.core.store.support;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Queries on the engine's {@code consumer_cursors} table that read the same in every database the stores support.
 *
 * @since 0.1.0
 */
public final class ConsumerCursors {

	private ConsumerCursors() {
	}

	/**
	 * Reads the positions of a stream's consumers.
	 * @param connection the connection to read on
	 * @param table the {@code consumer_cursors} table, qualified as the database needs
	 * @param stream the stream
	 * @return consumer to position, in consumer order
	 * @throws SQLException when the query fails
	 */
	public static Map<String, Long> readAll(Connection connection, String table, String stream) throws SQLException {
		Map<String, Long> cursors = new LinkedHashMap<>();
		try (PreparedStatement select = connection
			.prepareStatement("SELECT consumer, position FROM " + table + " WHERE stream = ? ORDER BY consumer")) {
			select.setString(1, stream);
			try (ResultSet rows = select.executeQuery()) {
				while (rows.next()) {
					cursors.put(rows.getString(1), rows.getLong(2));
				}
			}
		}
		return cursors;
	}

	/**
	 * Says whether a consumer has a cursor.
	 * @param connection the connection to read on
	 * @param table the {@code consumer_cursors} table, qualified as the database needs
	 * @param stream the stream
	 * @param consumer the consumer
	 * @return whether its cursor exists
	 * @throws SQLException when the query fails
	 */
	public static boolean exists(Connection connection, String table, String stream, String consumer)
			throws SQLException {
		try (PreparedStatement select = connection
			.prepareStatement("SELECT 1 FROM " + table + " WHERE stream = ? AND consumer = ?")) {
			select.setString(1, stream);
			select.setString(2, consumer);
			try (ResultSet rows = select.executeQuery()) {
				return rows.next();
			}
		}
	}

	/**
	 * Counts a stream's cursors.
	 * @param connection the connection to read on
	 * @param table the {@code consumer_cursors} table, qualified as the database needs
	 * @param stream the stream
	 * @return the number of consumers with a cursor
	 * @throws SQLException when the query fails
	 */
	public static long count(Connection connection, String table, String stream) throws SQLException {
		try (PreparedStatement select = connection
			.prepareStatement("SELECT count(*) FROM " + table + " WHERE stream = ?")) {
			select.setString(1, stream);
			try (ResultSet rows = select.executeQuery()) {
				rows.next();
				return rows.getLong(1);
			}
		}
	}

	/**
	 * Deletes a consumer's cursor.
	 * @param connection the connection to write on
	 * @param table the {@code consumer_cursors} table, qualified as the database needs
	 * @param stream the stream
	 * @param consumer the consumer
	 * @return whether there was one
	 * @throws SQLException when the statement fails
	 */
	public static boolean delete(Connection connection, String table, String stream, String consumer)
			throws SQLException {
		try (PreparedStatement delete = connection
			.prepareStatement("DELETE FROM " + table + " WHERE stream = ? AND consumer = ?")) {
			delete.setString(1, stream);
			delete.setString(2, consumer);
			return delete.executeUpdate() > 0;
		}
	}

}
