package dev.interlace.core.store.postgres;

import org.junit.jupiter.api.extension.RegisterExtension;

import dev.interlace.core.store.CommitListenerContractTests;
import dev.interlace.core.store.StreamStore;

/**
 * The commit listeners contract on a fresh PostgreSQL database.
 */
class PostgresCommitListenerTests extends CommitListenerContractTests {

	@RegisterExtension
	final PostgresTestStores database = new PostgresTestStores();

	@Override
	protected StreamStore openStore() {
		return this.database.open();
	}

}
