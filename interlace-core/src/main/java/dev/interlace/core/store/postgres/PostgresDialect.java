package dev.interlace.core.store.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

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
	public long highestRowid(Connection connection, String stream) throws SQLException {
		try (PreparedStatement query = connection
			.prepareStatement("SELECT last_rowid FROM " + engineTable("streams") + " WHERE name = ?")) {
			query.setString(1, stream);
			try (ResultSet rs = query.executeQuery()) {
				return rs.next() ? rs.getLong(1) : 0L;
			}
		}
	}

}
