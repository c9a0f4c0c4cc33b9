package dev.interlace.core.engine;

import org.junit.jupiter.api.extension.RegisterExtension;

import dev.interlace.core.store.StreamStore;
import dev.interlace.core.store.duckdb.DuckDbTestStores;

/**
 * Competing consumers with one killed, on a DuckDB file.
 */
class DuckDbCompetingConsumersTests extends CompetingConsumersContractTests {

	@RegisterExtension
	final DuckDbTestStores database = new DuckDbTestStores();

	@Override
	protected StreamStore openStore() {
		return this.database.open();
	}

}
