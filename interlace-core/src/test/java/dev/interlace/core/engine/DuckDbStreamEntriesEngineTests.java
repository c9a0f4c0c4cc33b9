package dev.interlace.core.engine;

import org.junit.jupiter.api.extension.RegisterExtension;

import dev.interlace.core.store.StreamStore;
import dev.interlace.core.store.duckdb.DuckDbTestStores;

/**
 * The entries engine on a DuckDB file.
 */
class DuckDbStreamEntriesEngineTests extends StreamEntriesEngineContractTests {

	@RegisterExtension
	final DuckDbTestStores database = new DuckDbTestStores();

	@Override
	protected StreamStore openStore() {
		return this.database.open();
	}

}
