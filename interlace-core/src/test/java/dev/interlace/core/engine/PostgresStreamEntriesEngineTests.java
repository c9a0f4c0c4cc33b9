package dev.interlace.core.engine;

import org.junit.jupiter.api.extension.RegisterExtension;

import dev.interlace.core.store.StreamStore;
import dev.interlace.core.store.postgres.PostgresTestStores;

/**
 * The entries engine on a real PostgreSQL.
 */
class PostgresStreamEntriesEngineTests extends StreamEntriesEngineContractTests {

	@RegisterExtension
	final PostgresTestStores database = new PostgresTestStores();

	@Override
	protected StreamStore openStore() {
		return this.database.open();
	}

}
