package dev.interlace.core.store.duckdb;

import org.junit.jupiter.api.extension.RegisterExtension;

import dev.interlace.core.store.EntryStoreContractTests;
import dev.interlace.core.store.StreamStore;

/**
 * The entry contract on a DuckDB file.
 */
class DuckDbEntryStoreTests extends EntryStoreContractTests {

	@RegisterExtension
	final DuckDbTestStores database = new DuckDbTestStores();

	@Override
	protected StreamStore openStore() {
		return this.database.open();
	}

}
