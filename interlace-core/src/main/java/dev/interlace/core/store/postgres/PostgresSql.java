package dev.interlace.core.store.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import dev.interlace.core.StreamDefinition;

/**
 * Names and one-line statements shared by the PostgreSQL store's classes.
 */
final class PostgresSql {

	/** Schema of the engine's own tables. */
	static final String ENGINE_SCHEMA = "interlace";

	private PostgresSql() {
	}

	static String qualified(StreamDefinition definition) {
		return quote(definition.schema()) + "." + quote(definition.name());
	}

	static String engine(String table) {
		return ENGINE_SCHEMA + "." + table;
	}

	static String quote(String identifier) {
		return '"' + identifier.replace("\"", "\"\"") + '"';
	}

	static void execute(Connection connection, String sql) throws SQLException {
		try (Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
	}

	static long queryLong(Connection connection, String sql, Object... parameters) throws SQLException {
		try (PreparedStatement query = connection.prepareStatement(sql)) {
			for (int i = 0; i < parameters.length; i++) {
				query.setObject(i + 1, parameters[i]);
			}
			try (ResultSet rs = query.executeQuery()) {
				return rs.next() ? rs.getLong(1) : 0L;
			}
		}
	}

	static long single(PreparedStatement query) throws SQLException {
		try (ResultSet rs = query.executeQuery()) {
			rs.next();
			return rs.getLong(1);
		}
	}

}
