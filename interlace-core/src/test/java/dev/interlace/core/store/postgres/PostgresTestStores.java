package dev.interlace.core.store.postgres;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import dev.interlace.core.store.DatabaseStores;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PostgreSQL stores for tests, on a fresh database of a {@link TestPostgres} server, the shared one unless told
 * otherwise: a store opened again after the first one closed sees its data. Stores opened with {@link #open()} share
 * one pool; {@link #openInstance()} gives each store a pool of its own, as separate server instances have. Registered
 * with {@code @RegisterExtension}, it closes the stores and pools it opened after each test, after the test's own
 * {@code @AfterEach} methods, in reverse order of opening.
 */
public final class PostgresTestStores implements AfterEachCallback, AutoCloseable {

	private final TestPostgres server;

	private final List<AutoCloseable> resources = new ArrayList<>();

	private @Nullable String database;

	private @Nullable HikariDataSource dataSource;

	/**
	 * Creates stores on a fresh database of the shared server.
	 */
	public PostgresTestStores() {
		this(TestPostgres.shared());
	}

	/**
	 * Creates stores on a fresh database of the given server.
	 * @param server the server
	 */
	public PostgresTestStores(TestPostgres server) {
		this.server = server;
	}

	/**
	 * Returns the name of this test's database, created on first use.
	 * @return the database
	 */
	public synchronized String databaseName() {
		if (this.database == null) {
			this.database = this.server.createDatabase();
		}
		return this.database;
	}

	/**
	 * Returns the pool the stores {@link #open()} opens share, opened on first use.
	 * @return the pool; closed with the stores
	 */
	public synchronized HikariDataSource dataSource() {
		if (this.dataSource == null) {
			this.dataSource = newDataSource();
		}
		return this.dataSource;
	}

	/**
	 * Opens another pool on this test's database, as another server instance has one.
	 * @return the pool; closed with the stores
	 */
	public synchronized HikariDataSource newDataSource() {
		HikariDataSource dataSource = this.server.dataSource(databaseName());
		this.resources.add(dataSource);
		return dataSource;
	}

	/**
	 * Opens a store with the default options on the shared pool.
	 * @return the store
	 */
	public PostgresStreamStore open() {
		return open(PostgresStreamStore.Options.DEFAULTS);
	}

	/**
	 * Opens a store on the shared pool.
	 * @param options the store's options
	 * @return the store
	 */
	public PostgresStreamStore open(PostgresStreamStore.Options options) {
		return open(dataSource(), options);
	}

	/**
	 * Opens a store with the default options on a pool of its own, as another server instance would.
	 * @return the store
	 */
	public PostgresStreamStore openInstance() {
		return openInstance(PostgresStreamStore.Options.DEFAULTS);
	}

	/**
	 * Opens a store on a pool of its own, as another server instance would.
	 * @param options the store's options
	 * @return the store
	 */
	public PostgresStreamStore openInstance(PostgresStreamStore.Options options) {
		return open(newDataSource(), options);
	}

	/**
	 * Opens a store on the given data source, closed with the others.
	 * @param dataSource the data source, such as one wrapping a pool of this fixture
	 * @param options the store's options
	 * @return the store
	 */
	public PostgresStreamStore open(DataSource dataSource, PostgresStreamStore.Options options) {
		// Opened outside the lock: instances starting at once are what some tests are about.
		PostgresStreamStore store = new PostgresStreamStore(dataSource, options);
		synchronized (this) {
			this.resources.add(store);
		}
		return store;
	}

	/**
	 * Opens a store on the shared pool and returns the capabilities it offers.
	 * @return the stores
	 */
	public DatabaseStores openStores() {
		return DatabaseStores.of(open());
	}

	/**
	 * Runs a statement on this test's database through the shared pool, as an operator would by hand.
	 * @param sql the statement
	 * @throws SQLException when it fails
	 */
	public void execute(String sql) throws SQLException {
		try (Connection connection = dataSource().getConnection(); Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
	}

	/**
	 * Runs a query of one row on this test's database through the shared pool.
	 * @param sql the query
	 * @return the row's first column
	 * @throws SQLException when it fails
	 */
	public long queryForLong(String sql) throws SQLException {
		try (Connection connection = dataSource().getConnection(); Statement statement = connection.createStatement();
				ResultSet rs = statement.executeQuery(sql)) {
			assertThat(rs.next()).as(sql).isTrue();
			return rs.getLong(1);
		}
	}

	@Override
	public void afterEach(ExtensionContext context) throws Exception {
		close();
	}

	/**
	 * Closes the stores and pools opened, the last first: a store never closes the caller's pool, and closing one
	 * twice does nothing. The database stays until its server closes.
	 * @throws Exception when a store or pool fails to close
	 */
	@Override
	public synchronized void close() throws Exception {
		for (int i = this.resources.size() - 1; i >= 0; i--) {
			this.resources.get(i).close();
		}
		this.resources.clear();
		this.dataSource = null;
	}

}
