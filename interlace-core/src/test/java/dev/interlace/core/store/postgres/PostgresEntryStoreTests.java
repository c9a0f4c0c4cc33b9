package dev.interlace.core.store.postgres;

import org.junit.jupiter.api.extension.RegisterExtension;

import dev.interlace.core.store.EntryStoreContractTests;
import dev.interlace.core.store.StreamStore;

/**
 * The entry contract on a real PostgreSQL, each test on a fresh database.
 */
class PostgresEntryStoreTests extends EntryStoreContractTests {

	@RegisterExtension
	final PostgresTestStores database = new PostgresTestStores();

	@Override
	protected StreamStore openStore() {
		return this.database.open();
	}

}
