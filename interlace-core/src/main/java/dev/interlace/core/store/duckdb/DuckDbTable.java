package dev.interlace.core.store.duckdb;

import dev.interlace.core.StreamDefinition;
import dev.interlace.core.EntryId;
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

	/** Last entry ID assigned, never lowered; written by the writer thread only. */
	volatile EntryId lastId;

	/** Entries ever added; written by the writer thread only. */
	volatile long entriesAdded;

	/**
	 * How many field columns precede the entry ID columns in the table: 0 in a table made with them, the fields it
	 * had then in a table that gained them by migration. The appender writes by position, so it has to know.
	 */
	volatile int idColumnsAt;

	DuckDbTable(StreamDefinition definition, ColumnSet columns, int idColumnsAt, long lastRowid, EntryId lastId,
			long entriesAdded) {
		this.definition = definition;
		this.columns = columns;
		this.idColumnsAt = idColumnsAt;
		this.lastRowid = lastRowid;
		this.lastId = lastId;
		this.entriesAdded = entriesAdded;
	}

	String stream() {
		return this.definition.name();
	}

}
