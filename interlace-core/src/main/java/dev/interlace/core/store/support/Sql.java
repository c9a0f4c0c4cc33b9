package dev.interlace.core.store.support;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The few JDBC helpers every backend's SQL uses, written once.
 */
public final class Sql {

	private static final Logger logger = LoggerFactory.getLogger(Sql.class);

	private Sql() {
	}

	/**
	 * Quotes an identifier the way both databases read it (double quotes, inner ones doubled).
	 * @param identifier the identifier
	 * @return the quoted identifier
	 */
	public static String quote(String identifier) {
		return '"' + identifier.replace("\"", "\"\"") + '"';
	}

	/**
	 * Runs a statement without parameters.
	 * @param connection the connection
	 * @param sql the statement
	 * @throws SQLException when it fails
	 */
	public static void execute(Connection connection, String sql) throws SQLException {
		try (Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
	}

	/**
	 * Runs a query for one number.
	 * @param connection the connection
	 * @param sql the query
	 * @param parameters its parameters
	 * @return the first column of the first row, 0 when there is no row
	 * @throws SQLException when it fails
	 */
	public static long queryLong(Connection connection, String sql, Object... parameters) throws SQLException {
		try (PreparedStatement query = connection.prepareStatement(sql)) {
			for (int i = 0; i < parameters.length; i++) {
				query.setObject(i + 1, parameters[i]);
			}
			try (ResultSet rs = query.executeQuery()) {
				return rs.next() ? rs.getLong(1) : 0L;
			}
		}
	}

	/**
	 * Closes a connection that is no longer wanted: a failure to close it leaves nothing to undo.
	 * @param connection the connection
	 */
	public static void closeQuietly(Connection connection) {
		try {
			connection.close();
		}
		catch (SQLException ex) {
			logger.debug("Closing a connection failed", ex);
		}
	}

}
