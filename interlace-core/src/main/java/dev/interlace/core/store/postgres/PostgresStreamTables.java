package dev.interlace.core.store.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.interlace.core.FieldType;
import dev.interlace.core.StoreException;
import dev.interlace.core.StoredEvent;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.StreamNotFoundException;
import dev.interlace.core.store.StreamTable;
import dev.interlace.core.store.support.ColumnSet;
import dev.interlace.core.store.support.DefinitionDocument;
import dev.interlace.core.store.support.EventConverter;
import dev.interlace.core.store.support.StreamRegistry;

import static dev.interlace.core.store.postgres.PostgresSql.engine;
import static dev.interlace.core.store.postgres.PostgresSql.qualified;
import static dev.interlace.core.store.postgres.PostgresSql.single;
import static dev.interlace.core.store.support.Sql.execute;
import static dev.interlace.core.store.support.Sql.queryLong;
import static dev.interlace.core.store.support.Sql.quote;

/**
 * The streams' tables and their rows in the registry {@code interlace.streams}: the engine's schema, a stream's table
 * and registry row, the columns publishes add, descriptions and row counts (the rows' reads and trims are
 * {@link dev.interlace.core.store.support.StreamRows}', with this backend's SQL in {@link PostgresDialect}).
 * <p>
 * <b>Locks.</b> Schema changes of every instance are serialised by one advisory lock. Every path takes a stream's
 * table before its registry row, in the order a one-statement append takes them, so that schema changes cannot
 * deadlock with appends.
 * <p>
 * <b>Row counts.</b> Each append adds its rows to the registry's {@code row_count}, and each trim batch subtracts
 * what it deleted in its own transaction, so {@link #describe} reads an exact count instead of scanning the table.
 * Streams from before counts were kept are counted once, by the first {@link #ensure} or {@link #describe}.
 */
final class PostgresStreamTables {

	/** Logs as the store: the category operators configure. */
	private static final Logger logger = LoggerFactory.getLogger(PostgresStreamStore.class);

	/** Settings checked by {@link #checkDurability()}. */
	static final List<String> DURABILITY_SETTINGS = List.of("fsync", "synchronous_commit");

	/** Advisory lock serialising the schema changes of all instances ("Interlace" in ASCII). */
	private static final long DDL_LOCK = 0x496e_7465_726c_6163L;

	private final PostgresConnections connections;

	private final PostgresDialect dialect;

	private final StreamRegistry<PostgresTable> tables;

	/** Monitors of the streams this store counts or once counted, by name. */
	private final ConcurrentMap<String, Object> recounts = new ConcurrentHashMap<>();

	PostgresStreamTables(PostgresConnections connections, PostgresDialect dialect,
			StreamRegistry<PostgresTable> tables) {
		this.connections = connections;
		this.dialect = dialect;
		this.tables = tables;
	}

	void migrate() {
		for (int attempt = 1;; attempt++) {
			try {
				Flyway.configure(PostgresStreamTables.class.getClassLoader())
					.dataSource(this.connections.dataSource())
					.schemas(PostgresSql.ENGINE_SCHEMA)
					.createSchemas(true)
					.table("interlace_schema_history")
					.locations("classpath:dev/interlace/db/postgres")
					.load()
					.migrate();
				return;
			}
			catch (FlywayException ex) {
				// Instances starting together on an empty database race to create the schema; the loser finds it
				// made on its next attempt.
				if (attempt == 3) {
					throw new StoreException("Cannot create Interlace's tables in PostgreSQL: " + ex.getMessage(), ex);
				}
				logger.debug("Migrating Interlace's tables failed, retrying", ex);
			}
		}
	}

	/**
	 * Warns when the database may lose commits it acknowledged: with {@code fsync} off a crash of the machine can
	 * lose or corrupt committed data, with {@code synchronous_commit} off a crash of the server loses the last
	 * commits (up to three times {@code wal_writer_delay}) although their publishes were answered as stored. Both are
	 * the operator's choice and left as they are; the store only says so. Checked on a connection of the pool, so
	 * settings per database or per role show as the store's own connections see them.
	 */
	void checkDurability() {
		try (Connection connection = this.connections.connect()) {
			for (String setting : DURABILITY_SETTINGS) {
				String value = show(connection, setting);
				if ("off".equalsIgnoreCase(value)) {
					logger.warn("PostgreSQL runs with {} = off: a crash can lose publishes that were answered as "
							+ "stored{}. Set {} = on for Interlace's durability guarantee", setting,
							setting.equals("fsync") ? ", or corrupt the database" : "", setting);
				}
			}
		}
		catch (SQLException ex) {
			logger.warn("Cannot check PostgreSQL's durability settings (fsync, synchronous_commit): {}", ex.getMessage());
		}
	}

	private static String show(Connection connection, String setting) throws SQLException {
		try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery("SHOW " + setting)) {
			return rs.next() ? rs.getString(1) : "";
		}
	}

	/**
	 * Creates or updates a stream's table and registry row. The caller registers the table with
	 * {@link #register} once whoever must know of the stream first (delivery) does.
	 */
	Ensured ensure(StreamDefinition definition) {
		String table = qualified(definition);
		return this.connections.withConnection("ensure stream '" + definition.name() + "'", (connection) -> {
			Ensured changed = PostgresConnections.transaction(connection, () -> {
				lockSchemaChanges(connection);
				boolean existed = queryLong(connection, "SELECT count(*) FROM pg_class WHERE oid = to_regclass(?)",
						table) > 0;
				boolean withoutIds = existed && !hasEntryIds(connection, definition);
				if (existed && (withoutIds
						|| !loadColumns(connection, definition).missingFields(definition, table).isEmpty())) {
					// The table before the registry row, the order appenders and trims take them in: a one-statement
					// append locks the table as it starts and the registry row as it runs.
					execute(connection, "LOCK TABLE " + table + " IN ACCESS EXCLUSIVE MODE");
				}
				long lastRowid;
				try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO " + engine("streams")
						+ " (name, schema_name, definition, last_rowid, row_count, row_count_known, created_at,"
						+ " updated_at) VALUES (?, ?, ?::jsonb, 0, 0, false, now(), now()) ON CONFLICT (name) DO UPDATE"
						+ " SET schema_name = excluded.schema_name, definition = excluded.definition,"
						+ " updated_at = excluded.updated_at RETURNING last_rowid")) {
					upsert.setString(1, definition.name());
					upsert.setString(2, definition.schema());
					upsert.setString(3, EventConverter.JSON.writeValueAsString(DefinitionDocument.of(definition)));
					lastRowid = single(upsert);
				}
				execute(connection, "CREATE SCHEMA IF NOT EXISTS " + quote(definition.schema()));
				StringBuilder create = new StringBuilder("CREATE TABLE IF NOT EXISTS ").append(table)
					.append(" (" + StoredEvent.ROWID + " bigint PRIMARY KEY, " + StoredEvent.PUBLISHED_AT
							+ " timestamptz NOT NULL, " + StoredEvent.PUBLISH_ID + " uuid NOT NULL, " + StoredEvent.ID_MS
							+ " bigint NOT NULL, " + StoredEvent.ID_SEQ + " bigint NOT NULL");
				definition.fields()
					.forEach((field, type) -> create.append(", ")
						.append(quote(field))
						.append(' ')
						.append(PostgresTypes.sqlType(type)));
				execute(connection, create.append(')').toString());
				if (!existed) {
					indexEntryIds(connection, table);
				}
				else if (withoutIds) {
					addEntryIds(connection, definition);
				}
				ColumnSet columns = loadColumns(connection, definition);
				Map<String, FieldType> missing = columns.missingFields(definition, table);
				addColumns(connection, table, missing);
				columns = columns.with(missing);
				if (!existed) {
					// Nobody can have rows in a table this uncommitted transaction made, and appenders wait for the
					// registry row locked above: zero is exact, whatever the registry said of a table dropped by hand.
					updateRegistry(connection, definition.name(), "row_count = 0, row_count_known = true");
				}
				long highest = queryLong(connection, "SELECT coalesce(max(" + StoredEvent.ROWID + "), 0) FROM " + table);
				if (highest > lastRowid) {
					// Rows the registry does not account for (a table restored by hand, say): never reuse their rowids,
					// and count them again as they were never added to the count.
					updateRegistry(connection, definition.name(),
							"last_rowid = " + highest + ", row_count_known = false");
					lastRowid = highest;
				}
				syncEntryIds(connection, definition);
				return new Ensured(columns, lastRowid, 0);
			});
			// Counted (if need be) after the commit, outside the locks that hold up every instance's appends.
			return new Ensured(changed.columns(), changed.lastRowid(), rowCount(connection, definition));
		});
	}

	/** Makes an ensured stream's table known to the store, the last step of ensuring it. */
	StreamTable register(StreamDefinition definition, Ensured ensured) {
		this.tables.compute(definition.name(), (name, existing) -> {
			if (existing == null) {
				return new PostgresTable(definition, ensured.columns());
			}
			existing.definition = definition;
			existing.mergeColumns(ensured.columns());
			return existing;
		});
		return new StreamTable(definition.name(), definition.schema(), ensured.columns().asMap(), ensured.rowCount(),
				ensured.lastRowid());
	}

	private static boolean hasEntryIds(Connection connection, StreamDefinition definition) throws SQLException {
		return queryLong(connection, "SELECT count(*) FROM pg_attribute WHERE attrelid = to_regclass(?) AND attname = ?"
				+ " AND NOT attisdropped", quote(definition.schema()) + "." + quote(definition.name()),
				StoredEvent.ID_MS) > 0;
	}

	/**
	 * Indexes a table's entry IDs for ranges by ID. They only grow, so inserts land at the index's right edge, as
	 * they do in the rowid's.
	 */
	private static void indexEntryIds(Connection connection, String table) throws SQLException {
		execute(connection, "CREATE INDEX ON " + table + " (" + StoredEvent.ID_MS + ", " + StoredEvent.ID_SEQ + ")");
	}

	/**
	 * Gives a table made before entry IDs its two ID columns, after its fields, numbering its rows as appends would
	 * have: in rowid order, the milliseconds part the highest publish time so far, the sequence counting from 0
	 * within each millisecond, so that IDs increase strictly with rowids. The caller holds the table exclusively.
	 */
	private static void addEntryIds(Connection connection, StreamDefinition definition) throws SQLException {
		String table = qualified(definition);
		logger.info("Adding entry IDs ({}, {}) to the table of stream '{}'", StoredEvent.ID_MS, StoredEvent.ID_SEQ,
				definition.name());
		execute(connection, "ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS " + StoredEvent.ID_MS
				+ " bigint, ADD COLUMN IF NOT EXISTS " + StoredEvent.ID_SEQ + " bigint");
		execute(connection, "UPDATE " + table + " SET " + StoredEvent.ID_MS + " = numbered.ms, " + StoredEvent.ID_SEQ
				+ " = numbered.seq FROM (SELECT r, ms, row_number() OVER (PARTITION BY ms ORDER BY r) - 1 AS seq FROM "
				+ "(SELECT " + StoredEvent.ROWID + " AS r, max(floor(extract(epoch FROM " + StoredEvent.PUBLISHED_AT
				+ ") * 1000)::bigint) OVER (ORDER BY " + StoredEvent.ROWID + " ROWS BETWEEN UNBOUNDED PRECEDING AND "
				+ "CURRENT ROW) AS ms FROM " + table + ") AS running) AS numbered WHERE " + table + "."
				+ StoredEvent.ROWID + " = numbered.r");
		execute(connection, "ALTER TABLE " + table + " ALTER COLUMN " + StoredEvent.ID_MS + " SET NOT NULL, ALTER COLUMN "
				+ StoredEvent.ID_SEQ + " SET NOT NULL");
		indexEntryIds(connection, table);
	}

	/**
	 * Raises the registry's last entry ID to the table's last row's (a stream from before entry IDs, or rows the
	 * registry does not account for) and its entries added to the last rowid: rowids start at 1 and are never
	 * reused, so every rowid up to the last was an entry once. Neither is ever lowered.
	 */
	private static void syncEntryIds(Connection connection, StreamDefinition definition) throws SQLException {
		try (PreparedStatement update = connection.prepareStatement("UPDATE " + engine("streams") + " AS s SET"
				+ " last_id_ms = last.ms, last_id_seq = last.seq FROM (SELECT " + StoredEvent.ID_MS + " AS ms, "
				+ StoredEvent.ID_SEQ + " AS seq FROM " + qualified(definition) + " ORDER BY " + StoredEvent.ROWID
				+ " DESC LIMIT 1) AS last WHERE s.name = ? AND (s.last_id_ms, s.last_id_seq) < (last.ms, last.seq)")) {
			update.setString(1, definition.name());
			update.executeUpdate();
		}
		updateRegistry(connection, definition.name(),
				"entries_added = greatest(entries_added, last_rowid)");
	}

	private static void updateRegistry(Connection connection, String stream, String assignments) throws SQLException {
		try (PreparedStatement update = connection
			.prepareStatement("UPDATE " + engine("streams") + " SET " + assignments + " WHERE name = ?")) {
			update.setString(1, stream);
			update.executeUpdate();
		}
	}

	/**
	 * Returns the stream's row count from the registry, counting the table first when the registry does not know it
	 * (a stream from before counts were kept, or a recount asked for).
	 * <p>
	 * Appenders and trims of every instance change {@code row_count} by what they insert or delete, in the same
	 * transaction, so the difference between the table's rows and {@code row_count} is the same in every snapshot
	 * once counts are kept, whatever happens concurrently. Both are read in one statement (one snapshot), and that
	 * difference is added to whatever {@code row_count} holds by the time the update takes the row lock: publishes
	 * and trims that commit in between, on any instance, are in the row count and not in the snapshot, so they are
	 * counted exactly once. Counting under the row lock instead would be simpler but would stop every instance's
	 * appends to the stream for the whole scan. Two instances counting at once agree on the difference; the
	 * {@code row_count_known} condition keeps the second from adding it again. This relies on READ COMMITTED or
	 * stricter, where one statement sees one snapshot.
	 */
	private long rowCount(Connection connection, StreamDefinition definition) throws SQLException {
		String stream = definition.name();
		try (PreparedStatement query = connection.prepareStatement(
				"SELECT row_count, row_count_known FROM " + engine("streams") + " WHERE name = ?")) {
			query.setString(1, stream);
			try (ResultSet rs = query.executeQuery()) {
				if (!rs.next()) {
					throw new StreamNotFoundException(stream);
				}
				if (rs.getBoolean(2)) {
					return rs.getLong(1);
				}
			}
		}
		// One instance counts once: concurrent callers of this store wait for its answer rather than scan again.
		synchronized (this.recounts.computeIfAbsent(stream, (key) -> new Object())) {
			long uncounted = queryLong(connection, "SELECT (SELECT count(*) FROM " + qualified(definition)
					+ ") - row_count FROM " + engine("streams") + " WHERE name = ? AND NOT row_count_known", stream);
			try (PreparedStatement update = connection.prepareStatement("UPDATE " + engine("streams")
					+ " SET row_count = row_count + ?, row_count_known = true WHERE name = ? AND NOT row_count_known")) {
				update.setLong(1, uncounted);
				update.setString(2, stream);
				update.executeUpdate();
			}
			return queryLong(connection, "SELECT row_count FROM " + engine("streams") + " WHERE name = ?", stream);
		}
	}

	static ColumnSet loadColumns(Connection connection, StreamDefinition definition) throws SQLException {
		Map<String, FieldType> columns = new LinkedHashMap<>();
		try (PreparedStatement query = connection.prepareStatement("SELECT a.attname, t.typname FROM pg_attribute a"
				+ " JOIN pg_type t ON t.oid = a.atttypid WHERE a.attrelid = to_regclass(?) AND a.attnum > 0"
				+ " AND NOT a.attisdropped ORDER BY a.attnum")) {
			query.setString(1, quote(definition.schema()) + "." + quote(definition.name()));
			try (ResultSet rs = query.executeQuery()) {
				while (rs.next()) {
					String name = rs.getString(1);
					if (!name.startsWith(StreamDefinition.RESERVED_PREFIX)) {
						columns.put(name, PostgresTypes.fieldType(rs.getString(2)));
					}
				}
			}
		}
		return ColumnSet.of(columns);
	}

	private static void addColumns(Connection connection, String table, Map<String, FieldType> columns)
			throws SQLException {
		for (Map.Entry<String, FieldType> column : columns.entrySet()) {
			execute(connection, "ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS " + quote(column.getKey()) + " "
					+ PostgresTypes.sqlType(column.getValue()));
		}
	}

	/**
	 * Adds columns a publish brings, in a transaction of its own so that they exist whatever becomes of the rows.
	 * @return the table's columns afterwards
	 */
	static ColumnSet addColumns(Connection connection, PostgresTable table, Map<String, FieldType> added)
			throws SQLException {
		StreamDefinition definition = table.definition;
		ColumnSet columns = PostgresConnections.transaction(connection,
				() -> addColumnsUncommitted(connection, definition, added));
		table.mergeColumns(columns);
		return columns;
	}

	/**
	 * Adds columns a publish brings in the caller's transaction, holding the schema lock until it ends. Another
	 * instance may have added some already, possibly with another type: the catalog decides.
	 * @return the table's columns once the transaction commits
	 */
	static ColumnSet addColumnsUncommitted(Connection connection, StreamDefinition definition,
			Map<String, FieldType> added) throws SQLException {
		lockSchemaChanges(connection);
		ColumnSet catalog = loadColumns(connection, definition);
		Map<String, FieldType> missing = new LinkedHashMap<>();
		added.forEach((name, type) -> {
			if (catalog.indexOf(name) < 0) {
				missing.put(name, type);
			}
		});
		if (!missing.isEmpty()) {
			// Locked up front rather than by ALTER TABLE, and never with the registry row held by a writer: every
			// path takes the table before the registry row, as a one-statement append must.
			execute(connection, "LOCK TABLE " + qualified(definition) + " IN ACCESS EXCLUSIVE MODE");
		}
		addColumns(connection, qualified(definition), missing);
		return catalog.with(missing);
	}

	private static void lockSchemaChanges(Connection connection) throws SQLException {
		try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
			lock.setLong(1, DDL_LOCK);
			lock.execute();
		}
	}

	StreamTable describe(String stream) {
		PostgresTable table = this.tables.get(stream);
		StreamDefinition definition = table.definition;
		return this.connections.withConnection("describe '" + stream + "'", (connection) -> {
			ColumnSet columns = loadColumns(connection, definition);
			table.mergeColumns(columns);
			long rowCount = rowCount(connection, definition);
			return new StreamTable(stream, definition.schema(), columns.asMap(), rowCount,
					this.dialect.highestRowid(connection, stream));
		});
	}

	/**
	 * A stream as {@link #ensure} left it.
	 *
	 * @param columns its table's columns
	 * @param lastRowid its highest rowid
	 * @param rowCount its rows
	 */
	record Ensured(ColumnSet columns, long lastRowid, long rowCount) {
	}

}
