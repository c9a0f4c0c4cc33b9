package dev.interlace.core.store;

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

}
