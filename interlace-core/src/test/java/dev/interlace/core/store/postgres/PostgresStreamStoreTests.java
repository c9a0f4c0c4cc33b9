package dev.interlace.core.store.postgres;

import java.util.List;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;

import dev.interlace.core.store.StreamStore;
import dev.interlace.core.store.StreamStoreContractTests;

/**
 * The store contract on a real PostgreSQL, each test on a fresh database, plus PostgreSQL's own write paths and
 * failure modes.
 */
class PostgresStreamStoreTests extends StreamStoreContractTests {

	private HikariDataSource dataSource;

	@Override
	protected StreamStore openStore() {
		if (this.dataSource == null) {
			this.dataSource = TestPostgres.shared().newDatabase();
		}
		return new PostgresStreamStore(this.dataSource);
	}

	@AfterEach
	void closeTheDatabase() {
		// Runs before the suite's own @AfterEach: the store goes first, it never closes the caller's pool.
		this.store.close();
		if (this.dataSource != null) {
			this.dataSource.close();
		}
	}

}
