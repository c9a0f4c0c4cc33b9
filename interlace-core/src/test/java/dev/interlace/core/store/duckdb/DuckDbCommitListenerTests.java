package dev.interlace.core.store.duckdb;

import org.junit.jupiter.api.extension.RegisterExtension;

import dev.interlace.core.store.CommitListenerContractTests;
import dev.interlace.core.store.StreamStore;

/**
 * The commit listeners contract on a DuckDB file.
 */
class DuckDbCommitListenerTests extends CommitListenerContractTests {

	@RegisterExtension
	final DuckDbTestStores database = new DuckDbTestStores();

	@Override
	protected StreamStore openStore() {
		return this.database.open();
	}

}
