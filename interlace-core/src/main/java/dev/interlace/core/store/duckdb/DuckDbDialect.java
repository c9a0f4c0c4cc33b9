package dev.interlace.core.store.duckdb;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToLongFunction;

import dev.interlace.core.StoredEvent;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.EntryId;
import dev.interlace.core.store.support.EntryMarks;
import dev.interlace.core.store.support.SqlDialect;

import static dev.interlace.core.store.support.Sql.execute;
import static dev.interlace.core.store.support.Sql.quote;

/**
 * DuckDB's side of the shared SQL, and how the store spells its names: every name qualified with the store's catalog,
 * so that statements mean the same on any connection of the database.
 */
final class DuckDbDialect implements SqlDialect {

	/** Schema of the engine's own tables. */
	static final String ENGINE_SCHEMA = "interlace";

	private final String catalog;

	private final ToLongFunction<String> highestRowid;

	private final Function<String, DuckDbTable> tables;

	/**
	 * Creates the dialect of a store.
	 * @param catalog the catalog the store's tables are in
	 * @param highestRowid gives a stream's highest rowid as the writer thread sees it: the committed one, or inside
	 * a transaction the one its appends took
	 * @param tables gives a stream's table as the writer thread sees it
	 */
	DuckDbDialect(String catalog, ToLongFunction<String> highestRowid, Function<String, DuckDbTable> tables) {
		this.catalog = catalog;
		this.highestRowid = highestRowid;
		this.tables = tables;
	}

	/**
	 * Returns the same dialect with another view of the highest rowids, such as a transaction's.
	 * @param highestRowid gives a stream's highest rowid
	 * @return a new dialect
	 */
	DuckDbDialect withHighestRowid(ToLongFunction<String> highestRowid) {
		return new DuckDbDialect(this.catalog, highestRowid, this.tables);
	}

	@Override
	public String engineTable(String table) {
		return quote(this.catalog) + "." + ENGINE_SCHEMA + "." + table;
	}

	@Override
	public void lockNewCursors(Connection connection, String stream) {
		// Nothing to lock: cursors change on the writer thread alone.
	}

	/**
	 * Locks nothing: every write runs on the writer thread, one after the other.
	 */
	@Override
	public String lockRowClause() {
		return "";
	}

	@Override
	public long highestRowid(Connection connection, String stream) {
		// Called on the writer thread, which alone moves a table's last rowid.
		return this.highestRowid.applyAsLong(stream);
	}

	@Override
	public String streamTable(StreamDefinition stream) {
		return qualified(stream);
	}

	@Override
	public List<StoredEvent> readEvents(String stream, ResultSet rows) throws SQLException {
		return DuckDbTypes.readEvents(stream, rows);
	}

	/**
	 * Deletes a batch of a trim as a task of the writer thread, which alone moves a table's last rowid.
	 */
	@Override
	public long deleteOldest(Connection connection, StreamDefinition stream, String condition, Object bound,
			int limit) throws SQLException {
		mark(connection, stream);
		String table = qualified(stream);
		// The writer runs without the optimiser; oldest-first needs its top-N rather than a sort of the whole table.
		execute(connection, "PRAGMA enable_optimizer");
		try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + table + " WHERE "
				+ StoredEvent.ROWID + " IN (SELECT " + StoredEvent.ROWID + " FROM " + table + " WHERE " + condition
				+ " ORDER BY " + StoredEvent.ROWID + " LIMIT ?)")) {
			delete.setObject(1, bound);
			delete.setInt(2, limit);
			int deleted = delete.executeUpdate();
			// Not in a finally: a failure resets the writer, whose new connection starts without the optimiser.
			execute(connection, "PRAGMA disable_optimizer");
			return deleted;
		}
	}

	/**
	 * Records a stream's high-water marks in the registry before rows go: rowids and entry IDs must never repeat,
	 * even when the table is emptied (the table's last row holds them otherwise, so appends need not write them).
	 */
	private void mark(Connection connection, StreamDefinition stream) throws SQLException {
		DuckDbTable appended = this.tables.apply(stream.name());
		try (PreparedStatement mark = connection.prepareStatement("UPDATE " + engineTable("streams")
				+ " SET last_rowid = ?, last_id_ms = ?, last_id_seq = ?, entries_added = ? WHERE name = ?")) {
			mark.setLong(1, this.highestRowid.applyAsLong(stream.name()));
			mark.setLong(2, appended.lastId.ms());
			mark.setLong(3, appended.lastId.seq());
			mark.setLong(4, appended.entriesAdded);
			mark.setString(5, stream.name());
			mark.executeUpdate();
		}
	}

	/**
	 * Reads the highest deleted ID from the registry and the last ID and entries added from the table's state,
	 * which the writer keeps and writes to the registry only before deletes.
	 */
	@Override
	public EntryMarks entryMarks(Connection connection, String stream) throws SQLException {
		DuckDbTable table = this.tables.apply(stream);
		EntryId lastId = table.lastId;
		long entriesAdded = table.entriesAdded;
		EntryId maxDeleted = maxDeleted(connection, stream);
		return new EntryMarks(lastId, maxDeleted, entriesAdded);
	}

	private EntryId maxDeleted(Connection connection, String stream) throws SQLException {
		try (PreparedStatement query = connection.prepareStatement("SELECT max_deleted_id_ms, max_deleted_id_seq FROM "
				+ engineTable("streams") + " WHERE name = ?")) {
			query.setString(1, stream);
			try (ResultSet rs = query.executeQuery()) {
				return rs.next() ? new EntryId(rs.getLong(1), rs.getLong(2)) : EntryId.MIN;
			}
		}
	}

	/**
	 * Deletes entries by ID as a task of the writer thread, which alone moves a table's last rowid and ID.
	 */
	@Override
	public long deleteEntries(Connection connection, StreamDefinition stream, List<EntryId> ids) throws SQLException {
		mark(connection, stream);
		String table = qualified(stream);
		String condition = SqlDialect.idsCondition(ids.size());
		EntryId highest = null;
		try (PreparedStatement query = connection.prepareStatement("SELECT " + StoredEvent.ID_MS + ", "
				+ StoredEvent.ID_SEQ + " FROM " + table + " WHERE " + condition + " ORDER BY " + StoredEvent.ROWID
				+ " DESC LIMIT 1")) {
			SqlDialect.bindIds(query, 1, ids);
			try (ResultSet rs = query.executeQuery()) {
				if (rs.next()) {
					highest = new EntryId(rs.getLong(1), rs.getLong(2));
				}
			}
		}
		if (highest == null) {
			return 0;
		}
		int deleted;
		try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + table + " WHERE " + condition)) {
			SqlDialect.bindIds(delete, 1, ids);
			deleted = delete.executeUpdate();
		}
		if (highest.isAfter(maxDeleted(connection, stream.name()))) {
			try (PreparedStatement update = connection.prepareStatement("UPDATE " + engineTable("streams")
					+ " SET max_deleted_id_ms = ?, max_deleted_id_seq = ? WHERE name = ?")) {
				update.setLong(1, highest.ms());
				update.setLong(2, highest.seq());
				update.setString(3, stream.name());
				update.executeUpdate();
			}
		}
		return deleted;
	}

	/**
	 * Returns the catalog the store's tables are in.
	 * @return the catalog
	 */
	String catalog() {
		return this.catalog;
	}

	/**
	 * Returns a stream's table name as statements spell it.
	 * @param definition the stream
	 * @return the qualified name
	 */
	String qualified(StreamDefinition definition) {
		return quote(this.catalog) + "." + quote(definition.schema()) + "." + quote(definition.name());
	}

}
