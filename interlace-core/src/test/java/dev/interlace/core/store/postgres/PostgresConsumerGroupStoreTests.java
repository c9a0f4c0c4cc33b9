package dev.interlace.core.store.postgres;

import org.junit.jupiter.api.extension.RegisterExtension;

import dev.interlace.core.store.ConsumerGroupStoreContractTests;
import dev.interlace.core.store.DatabaseStores;

/**
 * The consumer groups contract on a fresh PostgreSQL database, also through two store instances with pools of their
 * own, as two servers on one database.
 */
class PostgresConsumerGroupStoreTests extends ConsumerGroupStoreContractTests {

	@RegisterExtension
	final PostgresTestStores database = new PostgresTestStores();

	@Override
	protected DatabaseStores openStores() {
		return this.database.openStores();
	}

	@Override
	protected DatabaseStores openOtherInstance() {
		return DatabaseStores.of(this.database.openInstance());
	}

}
