package dev.interlace.core.engine;

import org.junit.jupiter.api.extension.RegisterExtension;

import dev.interlace.core.store.StreamStore;
import dev.interlace.core.store.postgres.PostgresTestStores;

/**
 * Competing consumers with one killed, on a fresh PostgreSQL database, half of them on a second instance sharing it.
 */
class PostgresCompetingConsumersTests extends CompetingConsumersContractTests {

	@RegisterExtension
	final PostgresTestStores database = new PostgresTestStores();

	@Override
	protected StreamStore openStore() {
		return this.database.open();
	}

	@Override
	protected StreamStore openOtherInstance() {
		return this.database.openInstance();
	}

}
