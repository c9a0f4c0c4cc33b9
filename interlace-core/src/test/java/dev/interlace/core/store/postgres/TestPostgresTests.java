package dev.interlace.core.store.postgres;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The test server is a real PostgreSQL that survives a stop and start with its data.
 */
class TestPostgresTests {

	@Test
	void aDedicatedServerKeepsItsDataAcrossARestart() throws Exception {
		try (TestPostgres postgres = TestPostgres.dedicated()) {
			String database = postgres.createDatabase();
			try (HikariDataSource dataSource = postgres.dataSource(database)) {
				try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
					statement.execute("CREATE TABLE kept (v int)");
					statement.execute("INSERT INTO kept VALUES (42)");
				}
				postgres.stop();
				assertThatThrownBy(() -> {
					try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
						statement.execute("SELECT 1");
					}
				}).isInstanceOf(java.sql.SQLException.class);
				postgres.restart();
				try (Connection connection = firstConnectionAfterRestart(dataSource);
						Statement statement = connection.createStatement();
						ResultSet result = statement.executeQuery("SELECT v, current_setting('fsync') FROM kept")) {
					assertThat(result.next()).isTrue();
					assertThat(result.getInt(1)).isEqualTo(42);
					assertThat(result.getString(2)).isEqualTo("on");
				}
			}
		}
	}

	/**
	 * The pool's 2 s connection timeout makes outage tests fail fast; a loaded machine may take longer than that for
	 * the restarted server's first connection, which is not what this test is about.
	 */
	private static Connection firstConnectionAfterRestart(HikariDataSource dataSource) throws Exception {
		long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
		while (true) {
			try {
				return dataSource.getConnection();
			}
			catch (java.sql.SQLException ex) {
				if (System.nanoTime() > deadline) {
					throw ex;
				}
				Thread.sleep(100);
			}
		}
	}

}
