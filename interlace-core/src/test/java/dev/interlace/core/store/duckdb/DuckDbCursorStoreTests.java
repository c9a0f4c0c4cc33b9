package dev.interlace.core.store.duckdb;

import org.junit.jupiter.api.extension.RegisterExtension;

import dev.interlace.core.store.CursorStoreContractTests;
import dev.interlace.core.store.DatabaseStores;

/**
 * The cursors contract on a DuckDB file.
 */
class DuckDbCursorStoreTests extends CursorStoreContractTests {

	@RegisterExtension
	final DuckDbTestStores database = new DuckDbTestStores();

	@Override
	protected DatabaseStores openStores() {
		return this.database.openStores();
	}

}
