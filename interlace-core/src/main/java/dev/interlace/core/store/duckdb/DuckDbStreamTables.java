package dev.interlace.core.store.duckdb;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.interlace.core.FieldType;
import dev.interlace.core.StoredEvent;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.EntryId;
import dev.interlace.core.store.StreamTable;
import dev.interlace.core.store.support.ColumnSet;
import dev.interlace.core.store.support.DefinitionDocument;
import dev.interlace.core.store.support.EventConverter;
import dev.interlace.core.store.support.StreamRegistry;

import static dev.interlace.core.store.support.Sql.execute;
import static dev.interlace.core.store.support.Sql.queryLong;
import static dev.interlace.core.store.support.Sql.quote;

/**
 * The streams' tables of a DuckDB database: creating, evolving and describing them. Changes run as tasks of the
 * writer thread, reads on reader connections; reads and trims of their rows are
 * {@link dev.interlace.core.store.support.StreamRows}'.
 */
final class DuckDbStreamTables {

	private static final Logger logger = LoggerFactory.getLogger(DuckDbStreamTables.class);

	private final DuckDbDatabase database;

	private final DuckDbDialect dialect;

	private final StreamRegistry<DuckDbTable> tables;

	DuckDbStreamTables(DuckDbDatabase database, DuckDbDialect dialect, StreamRegistry<DuckDbTable> tables) {
		this.database = database;
		this.dialect = dialect;
		this.tables = tables;
	}

	StreamTable ensure(StreamDefinition definition) {
		return this.database.write("ensure stream '" + definition.name() + "'",
				(connection) -> ensure(connection, definition));
	}

	private StreamTable ensure(DuckDBConnection connection, StreamDefinition definition) throws SQLException {
		String table = this.dialect.qualified(definition);
		StringBuilder create = new StringBuilder("CREATE TABLE IF NOT EXISTS ").append(table)
			.append(" (" + StoredEvent.ROWID + " BIGINT NOT NULL PRIMARY KEY, " + StoredEvent.PUBLISHED_AT
					+ " TIMESTAMPTZ NOT NULL, " + StoredEvent.PUBLISH_ID + " UUID NOT NULL, " + StoredEvent.ID_MS
					+ " BIGINT NOT NULL, " + StoredEvent.ID_SEQ + " BIGINT NOT NULL");
		definition.fields()
			.forEach((field, type) -> create.append(", ").append(quote(field)).append(' ').append(DuckDbTypes.sqlType(type)));
		create.append(')');
		execute(connection, "CREATE SCHEMA IF NOT EXISTS " + quote(this.dialect.catalog()) + "."
				+ quote(definition.schema()));
		execute(connection, create.toString());
		requireUniqueRowids(connection, definition);
		addEntryIds(connection, definition);
		Layout layout = loadColumns(connection, definition);
		ColumnSet columns = layout.columns();
		Map<String, FieldType> missing = columns.missingFields(definition, table);
		addColumns(connection, table, missing);
		columns = columns.with(missing);
		String streams = this.dialect.engineTable("streams");
		try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO " + streams + " "
				+ "(name, schema_name, definition, last_rowid, created_at, updated_at) VALUES (?, ?, ?, 0, now(), now()) "
				+ "ON CONFLICT (name) DO UPDATE SET schema_name = excluded.schema_name, "
				+ "definition = excluded.definition, updated_at = excluded.updated_at")) {
			upsert.setString(1, definition.name());
			upsert.setString(2, definition.schema());
			upsert.setString(3, EventConverter.JSON.writeValueAsString(DefinitionDocument.of(definition)));
			upsert.executeUpdate();
		}
		// The registry holds what trims and deletes must not lower; the table's last row holds what was appended
		// since: the higher of the two is the truth, so a restart never lowers either.
		long lastRowid;
		EntryId lastId;
		long entriesAdded;
		try (PreparedStatement query = connection.prepareStatement("SELECT last_rowid, last_id_ms, last_id_seq, "
				+ "entries_added FROM " + streams + " WHERE name = ?")) {
			query.setString(1, definition.name());
			try (ResultSet rs = query.executeQuery()) {
				rs.next();
				lastRowid = rs.getLong(1);
				lastId = new EntryId(rs.getLong(2), rs.getLong(3));
				entriesAdded = rs.getLong(4);
			}
		}
		try (PreparedStatement query = connection.prepareStatement("SELECT " + StoredEvent.ROWID + ", "
				+ StoredEvent.ID_MS + ", " + StoredEvent.ID_SEQ + " FROM " + table + " ORDER BY " + StoredEvent.ROWID
				+ " DESC LIMIT 1");
				ResultSet rs = query.executeQuery()) {
			if (rs.next()) {
				lastRowid = Math.max(lastRowid, rs.getLong(1));
				EntryId last = new EntryId(rs.getLong(2), rs.getLong(3));
				lastId = last.isAfter(lastId) ? last : lastId;
			}
		}
		// Rowids start at 1 and are never reused, so every rowid up to the last was an entry once.
		entriesAdded = Math.max(entriesAdded, lastRowid);
		DuckDbTable existing = this.tables.find(definition.name());
		if (existing != null) {
			existing.definition = definition;
			existing.columns = columns;
			existing.idColumnsAt = layout.idColumnsAt();
		}
		else {
			this.tables.put(definition.name(),
					new DuckDbTable(definition, columns, layout.idColumnsAt(), lastRowid, lastId, entriesAdded));
		}
		return new StreamTable(definition.name(), definition.schema(), columns.asMap(), count(connection, table),
				lastRowid);
	}

	/**
	 * Gives a table made before entry IDs its two ID columns, after its fields, numbering its rows as the writer
	 * would have: in rowid order, the milliseconds part the highest publish time so far, the sequence counting
	 * from 0 within each millisecond, so that IDs increase strictly with rowids. DuckDB refuses a NOT NULL
	 * constraint on a column with updates outstanding in the transaction: the columns are added with a default,
	 * constrained, and only then numbered.
	 */
	private void addEntryIds(DuckDBConnection connection, StreamDefinition definition) throws SQLException {
		long present = queryLong(connection, "SELECT count(*) FROM information_schema.columns WHERE table_catalog = ? "
				+ "AND table_schema = ? AND table_name = ? AND column_name = ?", this.dialect.catalog(),
				definition.schema(), definition.name(), StoredEvent.ID_MS);
		if (present > 0) {
			return;
		}
		String table = this.dialect.qualified(definition);
		logger.info("Adding entry IDs ({}, {}) to the table of stream '{}'", StoredEvent.ID_MS, StoredEvent.ID_SEQ,
				definition.name());
		for (String column : List.of(StoredEvent.ID_MS, StoredEvent.ID_SEQ)) {
			execute(connection, "ALTER TABLE " + table + " ADD COLUMN " + column + " BIGINT DEFAULT 0");
			execute(connection, "ALTER TABLE " + table + " ALTER COLUMN " + column + " SET NOT NULL");
			execute(connection, "ALTER TABLE " + table + " ALTER COLUMN " + column + " DROP DEFAULT");
		}
		execute(connection, "UPDATE " + table + " SET " + StoredEvent.ID_MS + " = numbered.ms, " + StoredEvent.ID_SEQ
				+ " = numbered.seq FROM (SELECT r, ms, row_number() OVER (PARTITION BY ms ORDER BY r) - 1 AS seq FROM "
				+ "(SELECT " + StoredEvent.ROWID + " AS r, max(epoch_ms(" + StoredEvent.PUBLISHED_AT + ")) OVER (ORDER BY "
				+ StoredEvent.ROWID + " ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS ms FROM " + table
				+ ")) AS numbered WHERE " + table + "." + StoredEvent.ROWID + " = numbered.r");
	}

	/**
	 * Gives a table made before rowids were a primary key one, so that no rowid can be stored twice. A table that
	 * already holds a rowid twice keeps working without it, with a warning: the operator has to remove the repeats.
	 */
	private void requireUniqueRowids(DuckDBConnection connection, StreamDefinition definition) throws SQLException {
		long keys = queryLong(connection, "SELECT count(*) FROM duckdb_constraints() WHERE database_name = ? AND "
				+ "schema_name = ? AND table_name = ? AND constraint_type = 'PRIMARY KEY'", this.dialect.catalog(),
				definition.schema(), definition.name());
		if (keys > 0) {
			return;
		}
		String table = this.dialect.qualified(definition);
		long repeated = queryLong(connection, "SELECT count(*) - count(DISTINCT " + StoredEvent.ROWID + ") FROM " + table);
		if (repeated > 0) {
			logger.warn("Stream '{}' holds {} repeated rowids (left by an earlier version after a failed or interrupted "
					+ "publish); its table {} gets no primary key until they are removed", definition.name(), repeated,
					table);
			return;
		}
		logger.info("Adding a primary key on {} to the table of stream '{}'", StoredEvent.ROWID, definition.name());
		execute(connection, "ALTER TABLE " + table + " ADD PRIMARY KEY (" + StoredEvent.ROWID + ")");
	}

	/**
	 * Loads a table's field columns, by name rather than position, and where its entry ID columns sit among them.
	 */
	private Layout loadColumns(Connection connection, StreamDefinition definition) throws SQLException {
		Map<String, FieldType> columns = new LinkedHashMap<>();
		int idColumnsAt = 0;
		try (PreparedStatement query = connection.prepareStatement("SELECT column_name, data_type "
				+ "FROM information_schema.columns WHERE table_catalog = ? AND table_schema = ? AND table_name = ? "
				+ "ORDER BY ordinal_position")) {
			query.setString(1, this.dialect.catalog());
			query.setString(2, definition.schema());
			query.setString(3, definition.name());
			try (ResultSet rs = query.executeQuery()) {
				while (rs.next()) {
					String name = rs.getString(1);
					if (name.equals(StoredEvent.ID_MS)) {
						idColumnsAt = columns.size();
					}
					if (!name.startsWith(StreamDefinition.RESERVED_PREFIX)) {
						columns.put(name, DuckDbTypes.fieldType(rs.getString(2)));
					}
				}
			}
		}
		return new Layout(ColumnSet.of(columns), idColumnsAt);
	}

	/**
	 * A table's field columns and where its entry ID columns are.
	 *
	 * @param columns the field columns, in table order
	 * @param idColumnsAt how many of them precede the entry ID columns
	 */
	private record Layout(ColumnSet columns, int idColumnsAt) {
	}

	/**
	 * Adds columns to a stream's table.
	 * @param connection the connection
	 * @param table the table's qualified name
	 * @param columns the columns, in order
	 * @throws SQLException when DuckDB refuses a column
	 */
	static void addColumns(Connection connection, String table, Map<String, FieldType> columns) throws SQLException {
		for (Map.Entry<String, FieldType> column : columns.entrySet()) {
			execute(connection, "ALTER TABLE " + table + " ADD COLUMN " + quote(column.getKey()) + " "
					+ DuckDbTypes.sqlType(column.getValue()));
		}
	}

	StreamTable describe(String stream) {
		DuckDbTable table = this.tables.get(stream);
		long rows = this.database.read("describe '" + stream + "'",
				(connection) -> count(connection, this.dialect.qualified(table.definition)));
		return new StreamTable(stream, table.definition.schema(), table.columns.asMap(), rows, table.lastRowid);
	}

	private static long count(Connection connection, String table) throws SQLException {
		return queryLong(connection, "SELECT count(*) FROM " + table);
	}

}
