package dev.interlace.core.store.duckdb;

import java.sql.Connection;
import java.util.function.ToLongFunction;

import dev.interlace.core.StreamDefinition;
import dev.interlace.core.store.support.SqlDialect;

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

	/**
	 * Creates the dialect of a store.
	 * @param catalog the catalog the store's tables are in
	 * @param highestRowid gives a stream's highest rowid as the writer thread sees it: the committed one, or inside
	 * a transaction the one its appends took
	 */
	DuckDbDialect(String catalog, ToLongFunction<String> highestRowid) {
		this.catalog = catalog;
		this.highestRowid = highestRowid;
	}

	/**
	 * Returns the same dialect with another view of the highest rowids, such as a transaction's.
	 * @param highestRowid gives a stream's highest rowid
	 * @return a new dialect
	 */
	DuckDbDialect withHighestRowid(ToLongFunction<String> highestRowid) {
		return new DuckDbDialect(this.catalog, highestRowid);
	}

	@Override
	public String engineTable(String table) {
		return quote(this.catalog) + "." + ENGINE_SCHEMA + "." + table;
	}

	@Override
	public void lockNewCursors(Connection connection, String stream) {
		// Nothing to lock: cursors change on the writer thread alone.
	}

	@Override
	public long highestRowid(Connection connection, String stream) {
		// Called on the writer thread, which alone moves a table's last rowid.
		return this.highestRowid.applyAsLong(stream);
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

	/**
	 * Quotes an identifier.
	 * @param identifier the identifier
	 * @return the quoted identifier
	 */
}
