package dev.interlace.core.store.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import dev.interlace.core.StreamDefinition;

import static dev.interlace.core.store.support.Sql.quote;

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

	static long single(PreparedStatement query) throws SQLException {
		try (ResultSet rs = query.executeQuery()) {
			rs.next();
			return rs.getLong(1);
		}
	}

}
