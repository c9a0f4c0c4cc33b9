package dev.interlace.core.store.duckdb;

import org.junit.jupiter.api.extension.RegisterExtension;

import dev.interlace.core.store.ConsumerGroupStoreContractTests;
import dev.interlace.core.store.DatabaseStores;

/**
 * The consumer groups contract on a DuckDB file.
 */
class DuckDbConsumerGroupStoreTests extends ConsumerGroupStoreContractTests {

	@RegisterExtension
	final DuckDbTestStores database = new DuckDbTestStores();

	@Override
	protected DatabaseStores openStores() {
		return this.database.openStores();
	}

}
