package dev.interlace.autoconfigure;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;

import org.duckdb.DuckDBConnection;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.util.ClassUtils;

import dev.interlace.core.store.StreamStore;
import dev.interlace.core.store.duckdb.DuckDbStreamStore;
import dev.interlace.core.store.postgres.PostgresStreamStore;

/**
 * Opens the stores of the configured connections. The {@code default} connection is, in order of precedence: the
 * application's own {@link StreamStore} bean, {@code interlace.connections.default.*}, the application's
 * {@link DataSource} when it is DuckDB or PostgreSQL, and the embedded file
 * {@value InterlaceProperties#DEFAULT_DUCKDB_PATH}.
 * <p>
 * Every connection is checked before any database is opened, so a configuration mistake leaves no file locked and
 * no pool open.
 */
final class InterlaceStoresFactory {

	private static final Logger logger = LoggerFactory.getLogger(InterlaceStoresFactory.class);

	static final String PREFIX = "interlace.connections.";

	private static final String DEFAULT = InterlaceProperties.DEFAULT_CONNECTION;

	/** Schema of the store's own tables in every database. */
	private static final String ENGINE_SCHEMA = "interlace";

	private static final String POSTGRESQL_PRODUCT = "PostgreSQL";

	private InterlaceStoresFactory() {
	}

	static InterlaceStores create(InterlaceProperties properties, @Nullable StreamStore applicationStore,
			@Nullable DataSource dataSource, @Nullable ClassLoader classLoader) {
		Map<String, Target> targets = new LinkedHashMap<>();
		InterlaceProperties.Connection defaultConnection = properties.connections().get(DEFAULT);
		boolean useDataSource = false;
		if (applicationStore == null) {
			if (defaultConnection != null) {
				targets.put(DEFAULT, target(DEFAULT, defaultConnection, properties.resilience(), classLoader));
			}
			else if (dataSource != null) {
				useDataSource = true;
			}
			else {
				targets.put(DEFAULT,
						new DuckDbTarget(InterlaceProperties.DEFAULT_DUCKDB_PATH, DuckDbStreamStore.Options.DEFAULTS));
			}
		}
		else if (defaultConnection != null) {
			logger.warn("Ignoring " + PREFIX + DEFAULT + ".*: the application's StreamStore bean is the default "
					+ "connection");
		}
		properties.connections().forEach((name, connection) -> {
			if (!DEFAULT.equals(name)) {
				targets.put(name, target(name, connection, properties.resilience(), classLoader));
			}
		});
		Map<String, StreamStore> stores = new LinkedHashMap<>();
		List<StreamStore> owned = new ArrayList<>();
		List<AutoCloseable> resources = new ArrayList<>();
		// Two connections on one file share its store: a process attaches a DuckDB file once.
		Map<String, StreamStore> byFile = new LinkedHashMap<>();
		try {
			if (applicationStore != null) {
				stores.put(DEFAULT, applicationStore);
			}
			if (useDataSource) {
				DataSourceStore store = openOn(dataSource, properties.resilience(), classLoader);
				owned.add(store.store());
				stores.put(DEFAULT, store.store());
				if (store.file() != null) {
					byFile.put(store.file(), store.store());
				}
			}
			targets.forEach((name, target) -> {
				if (target instanceof PostgresTarget postgres) {
					logger.debug("Opening Interlace connection '" + name + "' on PostgreSQL "
							+ JdbcUrls.redact(postgres.url()));
					PostgresStores.Pooled pooled = PostgresStores.open(name, postgres.url(), postgres.connection(),
							postgres.options());
					resources.add(pooled.pool());
					owned.add(pooled.store());
					stores.put(name, pooled.store());
					return;
				}
				DuckDbTarget duckDb = (DuckDbTarget) target;
				@Nullable String file = fileKey(duckDb.path());
				@Nullable StreamStore store = (file != null) ? byFile.get(file) : null;
				if (store == null) {
					logger.debug("Opening Interlace connection '" + name + "' on DuckDB " + duckDb.path());
					store = new DuckDbStreamStore(duckDb.path(), duckDb.options());
					owned.add(store);
					if (file != null) {
						byFile.put(file, store);
					}
				}
				stores.put(name, store);
			});
		}
		catch (RuntimeException ex) {
			try {
				new InterlaceStores(stores, owned, resources).close();
			}
			catch (RuntimeException closeFailure) {
				ex.addSuppressed(closeFailure);
			}
			throw ex;
		}
		return new InterlaceStores(stores, owned, resources);
	}

	/** Identifies a DuckDB file, or returns {@code null} for an in-memory database, which is never shared. */
	private static @Nullable String fileKey(String path) {
		return path.startsWith(DuckDbStreamStore.IN_MEMORY) ? null
				: Path.of(path).toAbsolutePath().normalize().toString();
	}

	/**
	 * Resolves a configured connection to the database it names, refusing anything Interlace cannot hold streams in
	 * with the property to fix.
	 */
	static Target target(String name, InterlaceProperties.Connection connection,
			InterlaceProperties.Resilience resilience, @Nullable ClassLoader classLoader) {
		String prefix = PREFIX + name;
		String url = (connection.url() != null && !connection.url().isBlank()) ? connection.url().trim() : null;
		String type = (connection.type() != null) ? connection.type().trim().toLowerCase(Locale.ROOT) : "";
		if (type.isEmpty() && url != null) {
			// No type: the URL names the database.
			if (url.startsWith(JdbcUrls.POSTGRESQL_PREFIX)) {
				type = "postgres";
			}
			else if (!url.startsWith(JdbcUrls.DUCKDB_PREFIX)) {
				throw new UnsupportedConnectionException("Connection '" + name + "' (" + prefix + ".url="
						+ JdbcUrls.redact(url) + ") is neither DuckDB nor PostgreSQL, the databases Interlace keeps "
						+ "streams in.", connectionAction(name));
			}
		}
		return switch (type) {
			case "", "duckdb" -> duckDbTarget(name, connection, url);
			case "postgres", "postgresql" -> postgresTarget(name, connection, url, resilience, classLoader);
			default -> throw new InvalidConfigurationPropertyValueException(prefix + ".type", connection.type(),
					"unknown connection type; expected duckdb or postgres");
		};
	}

	private static DuckDbTarget duckDbTarget(String name, InterlaceProperties.Connection connection,
			@Nullable String url) {
		String prefix = PREFIX + name;
		if (connection.pool() != null) {
			throw new InvalidConfigurationPropertyValueException(prefix + ".pool", connection.pool(),
					"pool settings apply only to PostgreSQL connections; a DuckDB store keeps its own connections");
		}
		DuckDbStreamStore.Options options = connection.duckDbOptions();
		if (url != null) {
			if (!url.startsWith(JdbcUrls.DUCKDB_PREFIX)) {
				throw new InvalidConfigurationPropertyValueException(prefix + ".url", JdbcUrls.redact(url),
						"not a DuckDB URL; a DuckDB connection's URL is jdbc:duckdb:<file>"
								+ (url.startsWith(JdbcUrls.POSTGRESQL_PREFIX)
										? " (for PostgreSQL set " + prefix + ".type=postgres)" : ""));
			}
			String path = pathOf(url);
			if (connection.path() != null && !connection.path().isBlank() && !connection.path().equals(path)) {
				throw new InvalidConfigurationPropertyValueException(prefix + ".path", connection.path(),
						"set either " + prefix + ".path or " + prefix + ".url, not both");
			}
			return new DuckDbTarget(path, options);
		}
		if (connection.path() != null && !connection.path().isBlank()) {
			return new DuckDbTarget(connection.path().trim(), options);
		}
		if (DEFAULT.equals(name)) {
			return new DuckDbTarget(InterlaceProperties.DEFAULT_DUCKDB_PATH, options);
		}
		throw new InvalidConfigurationPropertyValueException(prefix + ".path", null,
				"a DuckDB connection needs a file path, or " + DuckDbStreamStore.IN_MEMORY
						+ " (or, for PostgreSQL, set " + prefix + ".url=jdbc:postgresql://<host>:<port>/<database>)");
	}

	private static PostgresTarget postgresTarget(String name, InterlaceProperties.Connection connection,
			@Nullable String url, InterlaceProperties.Resilience resilience, @Nullable ClassLoader classLoader) {
		String prefix = PREFIX + name;
		if (url == null) {
			throw new InvalidConfigurationPropertyValueException(prefix + ".url", null,
					"a PostgreSQL connection needs a JDBC URL: jdbc:postgresql://<host>:<port>/<database>");
		}
		if (!url.startsWith(JdbcUrls.POSTGRESQL_PREFIX)) {
			throw new InvalidConfigurationPropertyValueException(prefix + ".url", JdbcUrls.redact(url),
					"not a PostgreSQL URL; expected jdbc:postgresql://<host>:<port>/<database>");
		}
		if (connection.path() != null && !connection.path().isBlank()) {
			throw new InvalidConfigurationPropertyValueException(prefix + ".path", connection.path(),
					"a path applies only to DuckDB connections; a PostgreSQL connection is given by its url");
		}
		if (connection.linger() != null && connection.linger().isNegative()) {
			throw new InvalidConfigurationPropertyValueException(prefix + ".linger", connection.linger(),
					"must not be negative");
		}
		if (connection.threads() != null) {
			throw new InvalidConfigurationPropertyValueException(prefix + ".threads", connection.threads(),
					"applies only to DuckDB connections");
		}
		InterlaceProperties.Pool pool = connection.poolOrDefaults();
		if (pool.maximumSize() < PostgresStores.MINIMUM_POOL_SIZE) {
			throw new InvalidConfigurationPropertyValueException(prefix + ".pool.maximum-size", pool.maximumSize(),
					"must be at least " + PostgresStores.MINIMUM_POOL_SIZE
							+ ": the store keeps one connection to listen for commits and needs another to work");
		}
		if (pool.minimumIdle() != null && (pool.minimumIdle() < 0 || pool.minimumIdle() > pool.maximumSize())) {
			throw new InvalidConfigurationPropertyValueException(prefix + ".pool.minimum-idle", pool.minimumIdle(),
					"must be between 0 and the pool's maximum size (" + pool.maximumSize() + ")");
		}
		if (pool.connectionTimeout().toMillis() < PostgresStores.MINIMUM_CONNECTION_TIMEOUT_MILLIS) {
			throw new InvalidConfigurationPropertyValueException(prefix + ".pool.connection-timeout",
					pool.connectionTimeout(),
					"must be at least " + PostgresStores.MINIMUM_CONNECTION_TIMEOUT_MILLIS + "ms");
		}
		String description = "Connection '" + name + "' is PostgreSQL (" + JdbcUrls.redact(url) + ")";
		requireClass(classLoader, PostgresStores.DRIVER, description, "the PostgreSQL JDBC driver",
				"org.postgresql:postgresql");
		requireClass(classLoader, PostgresStores.POOL, description, "HikariCP, the pool Interlace opens for it",
				"com.zaxxer:HikariCP (the Interlace starter brings it)");
		requireClass(classLoader, PostgresStores.FLYWAY_POSTGRESQL, description,
				"Flyway's PostgreSQL support, which creates Interlace's schema",
				"org.flywaydb:flyway-database-postgresql (the Interlace starter brings it)");
		return new PostgresTarget(url, connection, resilience.apply(connection.postgresOptions()));
	}

	private static void requireClass(@Nullable ClassLoader classLoader, String className, String description,
			String what, String artifact) {
		if (!ClassUtils.isPresent(className, classLoader)) {
			throw new UnsupportedConnectionException(
					description + ", but " + what + " (" + className + ") is not on the class path.",
					"Add " + artifact + " to the application's dependencies; Spring Boot's dependency management "
							+ "gives its version.");
		}
	}

	/**
	 * Opens a store on the database behind the application's DataSource: DuckDB or PostgreSQL, refusing any other.
	 * A DuckDB store duplicates one of the DataSource's connections (DuckDB lets a process attach a file once, so
	 * the store and the application share one database); a PostgreSQL store borrows connections from the
	 * DataSource, which stays the application's to close.
	 */
	static DataSourceStore openOn(DataSource dataSource, InterlaceProperties.Resilience resilience,
			@Nullable ClassLoader classLoader) {
		String shownUrl;
		try (Connection connection = dataSource.getConnection()) {
			DatabaseMetaData metaData = connection.getMetaData();
			String url = metaData.getURL();
			shownUrl = (url != null) ? JdbcUrls.redact(url) : "no URL";
			if (url != null && url.startsWith(JdbcUrls.DUCKDB_PREFIX)
					&& connection.isWrapperFor(DuckDBConnection.class)) {
				return openOnDuckDb(connection, url);
			}
			if (!POSTGRESQL_PRODUCT.equals(metaData.getDatabaseProductName())) {
				throw new UnsupportedConnectionException("The application's DataSource (" + shownUrl + ") is "
						+ metaData.getDatabaseProductName() + ", and Interlace keeps streams only in DuckDB or "
						+ "PostgreSQL.", dataSourceAction());
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Interlace could not use the application's DataSource, which would hold "
					+ "its streams: " + ex.getMessage() + ". Check that its database is up, or set " + PREFIX
					+ DEFAULT + ".path to keep streams in a DuckDB file of their own instead.", ex);
		}
		requireClass(classLoader, PostgresStores.FLYWAY_POSTGRESQL,
				"The application's DataSource (" + shownUrl + ") is PostgreSQL",
				"Flyway's PostgreSQL support, which creates Interlace's schema",
				"org.flywaydb:flyway-database-postgresql (the Interlace starter brings it)");
		logger.info("Interlace keeps the streams of connection '" + DEFAULT
				+ "' in the application's PostgreSQL database " + shownUrl);
		return new DataSourceStore(
				PostgresStores.open(dataSource, resilience.apply(PostgresStreamStore.Options.DEFAULTS)), null);
	}

	private static DataSourceStore openOnDuckDb(Connection connection, String url) throws SQLException {
		String path = pathOf(url);
		String catalog = catalogOf(connection);
		if (ENGINE_SCHEMA.equals(catalog)) {
			// The store cannot tell the catalog from its engine schema of the same name: its migration fails
			// after a long retry (an interlace-core limitation), so refuse at once with the way out.
			throw new IllegalStateException("The application's DuckDB database " + path + " is named '" + catalog
					+ "' after its file, which clashes with Interlace's own schema '" + ENGINE_SCHEMA
					+ "'. Rename the file (for example to app.duckdb), or set " + PREFIX + DEFAULT
					+ ".path to keep the streams in a file of their own.");
		}
		if (DuckDbStreamStore.IN_MEMORY.equals(path)) {
			logger.warn("The application's DataSource is an in-memory DuckDB database, where each new connection "
					+ "is a database of its own: the application may not see Interlace's streams. Set " + PREFIX
					+ DEFAULT + ".path to keep them in a file.");
		}
		else {
			logger.info("Interlace keeps the streams of connection '" + DEFAULT
					+ "' in the application's DuckDB database " + path);
		}
		return new DataSourceStore(new DuckDbStreamStore(connection.unwrap(DuckDBConnection.class)), fileKey(path));
	}

	private static String catalogOf(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("SELECT current_database()")) {
			result.next();
			return result.getString(1);
		}
	}

	/** Where a configured connection keeps its streams. */
	sealed interface Target permits DuckDbTarget, PostgresTarget {

	}

	record DuckDbTarget(String path, DuckDbStreamStore.Options options) implements Target {
	}

	record PostgresTarget(String url, InterlaceProperties.Connection connection,
			PostgresStreamStore.Options options) implements Target {
	}

	record DataSourceStore(StreamStore store, @Nullable String file) {
	}

	private static String connectionAction(String name) {
		String prefix = PREFIX + name;
		return "Keep the streams in PostgreSQL (set " + prefix + ".url=jdbc:postgresql://<host>:<port>/<database> "
				+ "with " + prefix + ".username and " + prefix + ".password) or in an embedded DuckDB file (set "
				+ prefix + ".type=duckdb and " + prefix + ".path=<file>, or " + DuckDbStreamStore.IN_MEMORY + ").";
	}

	private static String dataSourceAction() {
		String prefix = PREFIX + DEFAULT;
		return "Point spring.datasource.url at a PostgreSQL (jdbc:postgresql://...) or DuckDB (jdbc:duckdb:<file>) "
				+ "database, or keep the streams apart from the application's database: set " + prefix
				+ ".url=jdbc:postgresql://<host>:<port>/<database>, or " + prefix + ".type=duckdb for an embedded "
				+ "file (" + InterlaceProperties.DEFAULT_DUCKDB_PATH + " unless " + prefix + ".path says otherwise).";
	}

	/** DuckDB URLs carry the database path after the prefix; connection options after it are not part of it. */
	private static String pathOf(String url) {
		String path = JdbcUrls.withoutParameters(url.substring(JdbcUrls.DUCKDB_PREFIX.length())).trim();
		return (path.isEmpty() || path.equals(DuckDbStreamStore.IN_MEMORY)) ? DuckDbStreamStore.IN_MEMORY : path;
	}

}
