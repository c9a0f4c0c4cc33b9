package dev.interlace.core.store.duckdb;

import dev.interlace.core.StreamDefinition;
import dev.interlace.core.store.support.ColumnSet;

/**
 * A stream's table as the store sees it. Publishers read it to convert their events; the writer thread alone changes
 * it, after the commits that change the table.
 */
final class DuckDbTable {

	volatile StreamDefinition definition;

	/** Replaced, never mutated, by the writer after a commit that added columns. */
	volatile ColumnSet columns;

	/** Highest rowid committed; written by the writer thread only. */
	volatile long lastRowid;

	DuckDbTable(StreamDefinition definition, ColumnSet columns, long lastRowid) {
		this.definition = definition;
		this.columns = columns;
		this.lastRowid = lastRowid;
	}

	String stream() {
		return this.definition.name();
	}

}
