package dev.interlace.core.store.postgres;

import org.junit.jupiter.api.extension.RegisterExtension;

import dev.interlace.core.store.CursorStoreContractTests;
import dev.interlace.core.store.DatabaseStores;

/**
 * The cursors contract on a fresh PostgreSQL database.
 */
class PostgresCursorStoreTests extends CursorStoreContractTests {

	@RegisterExtension
	final PostgresTestStores database = new PostgresTestStores();

	@Override
	protected DatabaseStores openStores() {
		return this.database.openStores();
	}

}
