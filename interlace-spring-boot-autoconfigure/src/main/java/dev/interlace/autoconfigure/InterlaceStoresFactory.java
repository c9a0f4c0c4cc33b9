package dev.interlace.autoconfigure;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.sql.DataSource;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.duckdb.DuckDBConnection;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

import dev.interlace.core.store.StreamStore;
import dev.interlace.core.store.duckdb.DuckDbStreamStore;

/**
 * Opens the stores of the configured connections. The {@code default} connection is, in order of precedence: the
 * application's own {@link StreamStore} bean, {@code interlace.connections.default.*}, the application's
 * {@link DataSource} when it is DuckDB, and the embedded file {@value InterlaceProperties#DEFAULT_DUCKDB_PATH}.
 * <p>
 * Every connection is checked before any file is opened, so a configuration mistake leaves no database locked.
 */
final class InterlaceStoresFactory {

	private static final Log logger = LogFactory.getLog(InterlaceStoresFactory.class);

	static final String PREFIX = "interlace.connections.";

	private static final String DUCKDB_URL_PREFIX = "jdbc:duckdb:";

	private static final String DEFAULT = InterlaceProperties.DEFAULT_CONNECTION;

	/** Schema of the store's own tables in every database. */
	private static final String ENGINE_SCHEMA = "interlace";

	private InterlaceStoresFactory() {
	}

	static InterlaceStores create(InterlaceProperties properties, @Nullable StreamStore applicationStore,
			@Nullable DataSource dataSource) {
		Map<String, String> paths = new LinkedHashMap<>();
		InterlaceProperties.Connection defaultConnection = properties.connections().get(DEFAULT);
		boolean useDataSource = false;
		if (applicationStore == null) {
			if (defaultConnection != null) {
				paths.put(DEFAULT, duckDbPath(DEFAULT, defaultConnection));
			}
			else if (dataSource != null) {
				useDataSource = true;
			}
			else {
				paths.put(DEFAULT, InterlaceProperties.DEFAULT_DUCKDB_PATH);
			}
		}
		else if (defaultConnection != null) {
			logger.warn("Ignoring " + PREFIX + DEFAULT + ".*: the application's StreamStore bean is the default "
					+ "connection");
		}
		properties.connections().forEach((name, connection) -> {
			if (!DEFAULT.equals(name)) {
				paths.put(name, duckDbPath(name, connection));
			}
		});
		Map<String, StreamStore> stores = new LinkedHashMap<>();
		List<StreamStore> owned = new ArrayList<>();
		// Two connections on one file share its store: a process attaches a DuckDB file once.
		Map<String, StreamStore> byFile = new LinkedHashMap<>();
		try {
			if (applicationStore != null) {
				stores.put(DEFAULT, applicationStore);
			}
			if (useDataSource) {
				DataSourceStore store = openOn(dataSource);
				owned.add(store.store());
				stores.put(DEFAULT, store.store());
				if (store.file() != null) {
					byFile.put(store.file(), store.store());
				}
			}
			paths.forEach((name, path) -> {
				@Nullable String file = fileKey(path);
				@Nullable StreamStore store = (file != null) ? byFile.get(file) : null;
				if (store == null) {
					logger.debug("Opening Interlace connection '" + name + "' on DuckDB " + path);
					InterlaceProperties.Connection connection = properties.connections().get(name);
					store = new DuckDbStreamStore(path, (connection != null) ? connection.duckDbOptions()
							: DuckDbStreamStore.Options.DEFAULTS);
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
				new InterlaceStores(stores, owned).close();
			}
			catch (RuntimeException closeFailure) {
				ex.addSuppressed(closeFailure);
			}
			throw ex;
		}
		return new InterlaceStores(stores, owned);
	}

	/** Identifies a DuckDB file, or returns {@code null} for an in-memory database, which is never shared. */
	private static @Nullable String fileKey(String path) {
		return path.startsWith(DuckDbStreamStore.IN_MEMORY) ? null
				: Path.of(path).toAbsolutePath().normalize().toString();
	}

	/** Resolves a configured connection to a DuckDB path, refusing anything else with the property to fix. */
	static String duckDbPath(String name, InterlaceProperties.Connection connection) {
		String prefix = PREFIX + name;
		String type = (connection.type() != null) ? connection.type().trim().toLowerCase(Locale.ROOT) : "";
		switch (type) {
			case "", "duckdb" -> {
			}
			case "postgres", "postgresql" -> throw unsupported("Connection '" + name + "' (" + prefix
					+ ".type=" + connection.type() + ") is PostgreSQL, and Interlace supports only DuckDB "
					+ "connections so far (PostgreSQL support is planned for a later milestone).", name);
			default -> throw new InvalidConfigurationPropertyValueException(prefix + ".type", connection.type(),
					"unknown connection type; expected duckdb (postgres is planned for a later milestone)");
		}
		String url = connection.url();
		if (url != null && !url.isBlank()) {
			if (!url.startsWith(DUCKDB_URL_PREFIX)) {
				throw unsupported("Connection '" + name + "' (" + prefix + ".url=" + withoutParameters(url)
						+ ") is not a DuckDB database, and Interlace supports only DuckDB connections so far.", name);
			}
			String path = pathOf(url);
			if (connection.path() != null && !connection.path().isBlank() && !connection.path().equals(path)) {
				throw new InvalidConfigurationPropertyValueException(prefix + ".path", connection.path(),
						"set either " + prefix + ".path or " + prefix + ".url, not both");
			}
			return path;
		}
		if (connection.path() != null && !connection.path().isBlank()) {
			return connection.path().trim();
		}
		if (DEFAULT.equals(name)) {
			return InterlaceProperties.DEFAULT_DUCKDB_PATH;
		}
		throw new InvalidConfigurationPropertyValueException(prefix + ".path", null,
				"a DuckDB connection needs a file path, or " + DuckDbStreamStore.IN_MEMORY);
	}

	/**
	 * Opens a store on the database behind the application's DataSource, refusing any database but DuckDB. The
	 * store duplicates one of the DataSource's connections: DuckDB lets a process attach a file once, so the store
	 * and the application share one database.
	 */
	static DataSourceStore openOn(DataSource dataSource) {
		try (Connection connection = dataSource.getConnection()) {
			String url = connection.getMetaData().getURL();
			if (url == null || !url.startsWith(DUCKDB_URL_PREFIX) || !connection.isWrapperFor(DuckDBConnection.class)) {
				throw unsupported("The application's DataSource (" + ((url != null) ? withoutParameters(url) : "no URL")
						+ ") is not a DuckDB database, and Interlace supports only DuckDB connections so far "
						+ "(PostgreSQL support is planned for a later milestone).", DEFAULT);
			}
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
						+ "is a database of its own: the application may not see Interlace's streams. Set "
						+ PREFIX + DEFAULT + ".path to keep them in a file.");
			}
			else {
				logger.info("Interlace keeps the streams of connection '" + DEFAULT
						+ "' in the application's DuckDB database " + path);
			}
			return new DataSourceStore(new DuckDbStreamStore(connection.unwrap(DuckDBConnection.class)),
					fileKey(path));
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Interlace could not use the application's DataSource, which would hold "
					+ "its streams: " + ex.getMessage() + ". Set " + PREFIX + DEFAULT
					+ ".path to keep streams in a DuckDB file of their own instead.", ex);
		}
	}

	private static String catalogOf(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("SELECT current_database()")) {
			result.next();
			return result.getString(1);
		}
	}

	record DataSourceStore(StreamStore store, @Nullable String file) {
	}

	private static UnsupportedConnectionException unsupported(String description, String name) {
		String prefix = PREFIX + name;
		return new UnsupportedConnectionException(description,
				"Keep the streams in an embedded DuckDB file instead: set " + prefix + ".type=duckdb and, optionally, "
						+ prefix + ".path=<file> (default " + InterlaceProperties.DEFAULT_DUCKDB_PATH + ", or "
						+ DuckDbStreamStore.IN_MEMORY + ")"
						+ (DEFAULT.equals(name) ? "; or point spring.datasource.url at jdbc:duckdb:<file>." : "."));
	}

	/** DuckDB URLs carry the database path after the prefix; connection options after it are not part of it. */
	private static String pathOf(String url) {
		String path = withoutParameters(url.substring(DUCKDB_URL_PREFIX.length())).trim();
		return (path.isEmpty() || path.equals(DuckDbStreamStore.IN_MEMORY)) ? DuckDbStreamStore.IN_MEMORY : path;
	}

	/** Cuts URL parameters, which may carry credentials, before a URL is shown. */
	private static String withoutParameters(String url) {
		int end = url.length();
		for (char separator : new char[] { '?', ';' }) {
			int index = url.indexOf(separator);
			if (index >= 0 && index < end) {
				end = index;
			}
		}
		return url.substring(0, end);
	}

}
