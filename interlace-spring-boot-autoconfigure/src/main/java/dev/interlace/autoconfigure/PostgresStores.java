package dev.interlace.autoconfigure;

import java.time.Duration;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;

import dev.interlace.core.store.StreamStore;
import dev.interlace.core.store.postgres.PostgresStreamStore;

/**
 * Opens PostgreSQL stores. The only class here that names HikariCP and the PostgreSQL store, so that an application
 * keeping its streams in DuckDB needs neither on its class path.
 */
final class PostgresStores {

	static final String DRIVER = "org.postgresql.Driver";

	static final String POOL = "com.zaxxer.hikari.HikariDataSource";

	static final String FLYWAY_POSTGRESQL = "org.flywaydb.database.postgresql.PostgreSQLDatabaseType";

	/** The store holds one connection for listening and borrows others per operation. */
	static final int MINIMUM_POOL_SIZE = 2;

	/** HikariCP's floor: shorter connection timeouts are raised to it. */
	static final long MINIMUM_CONNECTION_TIMEOUT_MILLIS = 250;

	/** Longest a pooled connection's liveness check may take: a dead database must fail a call fast. */
	private static final Duration VALIDATION_TIMEOUT = Duration.ofSeconds(1);

	private PostgresStores() {
	}

	/**
	 * Opens a pool on a configured connection and a store on it.
	 * @param name the connection's name
	 * @param url its JDBC URL
	 * @param connection its settings
	 * @param options the store's settings
	 * @return the store and its pool, which the caller closes after the store
	 */
	static Pooled open(String name, String url, InterlaceProperties.Connection connection,
			PostgresStreamStore.Options options) {
		HikariDataSource pool = pool(name, url, connection);
		try {
			return new Pooled(open(pool, options), pool);
		}
		catch (RuntimeException ex) {
			pool.close();
			throw ex;
		}
	}

	/**
	 * Opens a store on a DataSource its caller owns.
	 * @param dataSource the DataSource
	 * @param options the store's settings
	 * @return the store
	 */
	static StreamStore open(DataSource dataSource, PostgresStreamStore.Options options) {
		return new PostgresStreamStore(dataSource, options);
	}

	private static HikariDataSource pool(String name, String url, InterlaceProperties.Connection connection) {
		InterlaceProperties.Pool pool = connection.poolOrDefaults();
		HikariConfig config = new HikariConfig();
		config.setPoolName("interlace-" + name);
		config.setDriverClassName(DRIVER);
		config.setJdbcUrl(url);
		config.setUsername(connection.username());
		config.setPassword(connection.password());
		config.setMaximumPoolSize(pool.maximumSize());
		config.setMinimumIdle((pool.minimumIdle() != null) ? pool.minimumIdle() : pool.maximumSize());
		long timeout = pool.connectionTimeout().toMillis();
		config.setConnectionTimeout(timeout);
		config.setValidationTimeout(Math.max(MINIMUM_CONNECTION_TIMEOUT_MILLIS,
				Math.min(timeout, VALIDATION_TIMEOUT.toMillis())));
		// Names the store's sessions in pg_stat_activity; an ApplicationName in the URL wins.
		config.addDataSourceProperty("ApplicationName", "interlace-" + name);
		try {
			return new HikariDataSource(config);
		}
		catch (HikariPool.PoolInitializationException ex) {
			Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
			throw new IllegalStateException("Interlace connection '" + name + "' could not connect to PostgreSQL at "
					+ JdbcUrls.redact(url) + ": " + cause.getMessage(), ex);
		}
	}

	/**
	 * A store on a pool of its own.
	 * @param store the store
	 * @param pool its pool
	 */
	record Pooled(StreamStore store, HikariDataSource pool) {
	}

}
