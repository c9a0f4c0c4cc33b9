package dev.interlace.core.store.postgres;

import dev.interlace.core.StreamDefinition;
import dev.interlace.core.store.support.ColumnSet;

/**
 * A stream's table as this store sees it.
 */
final class PostgresTable {

	volatile StreamDefinition definition;

	/** Replaced, never mutated; grows only, as columns are never dropped. */
	volatile ColumnSet columns;

	PostgresTable(StreamDefinition definition, ColumnSet columns) {
		this.definition = definition;
		this.columns = columns;
	}

	String name() {
		return this.definition.name();
	}

	/** Adopts columns read from the catalog when they are more than known, keeping the set's identity otherwise. */
	synchronized void mergeColumns(ColumnSet catalog) {
		if (catalog.size() > this.columns.size()) {
			this.columns = catalog;
		}
	}

}
