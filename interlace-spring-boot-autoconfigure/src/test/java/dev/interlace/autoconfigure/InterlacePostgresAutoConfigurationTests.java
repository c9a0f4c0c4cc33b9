package dev.interlace.autoconfigure;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ContextConsumer;

import dev.interlace.core.ConsumedBatch;
import dev.interlace.core.Streams;
import dev.interlace.core.engine.DefaultStreams;
import dev.interlace.core.store.StreamStore;
import dev.interlace.core.store.duckdb.DuckDbStreamStore;
import dev.interlace.core.store.postgres.PostgresStreamStore;
import dev.interlace.core.store.postgres.TestPostgres;

import static dev.interlace.autoconfigure.StartupFailures.assertInvalidProperty;
import static dev.interlace.autoconfigure.StartupFailures.count;
import static dev.interlace.autoconfigure.StartupFailures.startupFailureMessages;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link InterlaceAutoConfiguration} with PostgreSQL connections, on a real PostgreSQL server; each test
 * takes a fresh database.
 */
class InterlacePostgresAutoConfigurationTests {

	private static final String SECRET = "pg-secret-5150";

	@TempDir
	Path temp;

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(InterlaceAutoConfiguration.class));

	private TestPostgres postgres;

	private String database;

	@BeforeEach
	void setUp() {
		this.postgres = TestPostgres.shared();
		this.database = this.postgres.createDatabase();
	}

	@Test
	void postgresConnectionCreatesAPostgresStoreOnAHikariPool() {
		HikariDataSource[] pool = new HikariDataSource[1];
		this.runner.withPropertyValues(postgresConnection("default"))
			.withPropertyValues("interlace.streams.orders.fields.order_id=string")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				InterlaceStores stores = context.getBean(InterlaceStores.class);
				assertThat(stores.getDefault()).isInstanceOf(PostgresStreamStore.class);
				assertThat(((PostgresStreamStore) stores.getDefault()).getOptions())
					.isEqualTo(PostgresStreamStore.Options.DEFAULTS);
				assertThat(stores.resources()).singleElement().isInstanceOf(HikariDataSource.class);
				pool[0] = (HikariDataSource) stores.resources().get(0);
				assertThat(pool[0].getPoolName()).isEqualTo("interlace-default");
				assertThat(pool[0].getJdbcUrl()).isEqualTo(this.postgres.jdbcUrl(this.database));
				assertThat(pool[0].getMaximumPoolSize()).isEqualTo(InterlaceProperties.Pool.DEFAULT_MAXIMUM_SIZE);
				assertThat(pool[0].getConnectionTimeout()).isEqualTo(2_000);
				assertThat(pool[0].getValidationTimeout()).isEqualTo(1_000);

				Streams streams = context.getBean(Streams.class);
				streams.publishBlocking("orders", Map.of("order_id", "o-1"));
				ConsumedBatch batch = streams.consume("orders", "billing");
				assertThat(batch.events()).singleElement()
					.satisfies((event) -> assertThat(event.data()).containsEntry("order_id", "o-1"));
				streams.ack("orders", "billing", batch.events());
				assertThat(streams.consume("orders", "billing").events()).isEmpty();
				assertThat(countIn(this.database, "events.orders")).isEqualTo(1);
				assertThat(applicationNames(this.database)).contains("interlace-default");
			});
		assertThat(pool[0].isClosed()).as("pool closed with the context").isTrue();
	}

	@Test
	void circuitBreakerOpenDurationComesFromResilienceProperties() {
		this.runner.withPropertyValues(postgresConnection("default"))
			.withPropertyValues("interlace.resilience.circuit-breaker.open-duration=7s")
			.run((context) -> assertThat(
					((PostgresStreamStore) context.getBean(InterlaceStores.class).getDefault()).getOptions())
				.isEqualTo(PostgresStreamStore.Options.DEFAULTS.withBreakerOpenDuration(Duration.ofSeconds(7))));
		this.runner.withPropertyValues(postgresConnection("default"))
			.withPropertyValues("interlace.resilience.circuit-breaker.open-duration=0s")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("interlace.resilience.circuit-breaker.open-duration"));
	}

	@Test
	void postgresqlIsAnotherNameOfTheType() {
		this.runner.withPropertyValues(postgresConnection("default"))
			.withPropertyValues("interlace.connections.default.type=PostgreSQL")
			.run((context) -> assertThat(context.getBean(InterlaceStores.class).getDefault())
				.isInstanceOf(PostgresStreamStore.class));
	}

	@Test
	void postgresUrlNeedsNoType() {
		this.runner
			.withPropertyValues("interlace.connections.default.url=" + this.postgres.jdbcUrl(this.database),
					"interlace.connections.default.username=" + this.postgres.username())
			.run((context) -> assertThat(context.getBean(InterlaceStores.class).getDefault())
				.isInstanceOf(PostgresStreamStore.class));
	}

	@Test
	void poolAndStoreSettingsReachThePoolAndTheStore() {
		this.runner.withPropertyValues(postgresConnection("default"))
			.withPropertyValues("interlace.connections.default.pool.maximum-size=3",
					"interlace.connections.default.pool.minimum-idle=1",
					"interlace.connections.default.pool.connection-timeout=500ms",
					"interlace.connections.default.linger=2ms")
			.run((context) -> {
				InterlaceStores stores = context.getBean(InterlaceStores.class);
				HikariDataSource pool = (HikariDataSource) stores.resources().get(0);
				assertThat(pool.getMaximumPoolSize()).isEqualTo(3);
				assertThat(pool.getMinimumIdle()).isEqualTo(1);
				assertThat(pool.getConnectionTimeout()).isEqualTo(500);
				assertThat(pool.getValidationTimeout()).isEqualTo(500);
				assertThat(((PostgresStreamStore) stores.getDefault()).getOptions().linger())
					.isEqualTo(Duration.ofMillis(2));
			});
	}

	@Test
	void streamsOfOneApplicationLiveInDuckDbAndPostgresByTheirConnection() {
		String duckDb = this.temp.resolve("streams.duckdb").toString();
		this.runner.withPropertyValues(postgresConnection("warehouse"))
			.withPropertyValues("interlace.connections.default.path=" + duckDb,
					"interlace.streams.orders.fields.order_id=string",
					"interlace.streams.audit.connection=warehouse", "interlace.streams.audit.fields.action=string")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				InterlaceStores stores = context.getBean(InterlaceStores.class);
				assertThat(stores.asMap()).containsOnlyKeys("default", "warehouse");
				DefaultStreams streams = context.getBean(DefaultStreams.class);
				assertThat(streams.store("orders")).isInstanceOf(DuckDbStreamStore.class);
				assertThat(streams.store("audit")).isInstanceOf(PostgresStreamStore.class);
				assertThat(((HikariDataSource) stores.resources().get(0)).getPoolName())
					.isEqualTo("interlace-warehouse");

				streams.publishBlocking("orders", Map.of("order_id", "o-1"));
				streams.publishBlocking("audit", List.of(Map.of("action", "login"), Map.of("action", "logout")));
				assertThat(streams.count("orders")).isEqualTo(1);
				assertThat(streams.count("audit")).isEqualTo(2);
				assertThat(countIn(this.database, "events.audit")).isEqualTo(2);
				assertThat(tableExists(this.database, "events", "orders")).isFalse();
				try (Connection connection = ((DuckDbStreamStore) streams.store("orders")).openConnection();
						Statement statement = connection.createStatement();
						ResultSet rows = statement.executeQuery(
								"SELECT count(*) FROM information_schema.tables WHERE table_name = 'audit'")) {
					rows.next();
					assertThat(rows.getLong(1)).as("audit table in DuckDB").isZero();
				}
			});
	}

	@Test
	void applicationPostgresDataSourceIsTheDefaultConnectionAndStaysOpen() throws Exception {
		try (HikariDataSource application = this.postgres.dataSource(this.database)) {
			this.runner
				.withBean(DataSource.class, () -> application, (definition) -> definition.setDestroyMethodName(""))
				.withPropertyValues("interlace.streams.orders.fields.order_id=string")
				.run((context) -> {
					assertThat(context).hasNotFailed();
					InterlaceStores stores = context.getBean(InterlaceStores.class);
					assertThat(stores.getDefault()).isInstanceOf(PostgresStreamStore.class);
					assertThat(stores.resources()).isEmpty();
					context.getBean(Streams.class).publishBlocking("orders", Map.of("order_id", "o-1"));
					assertThat(count(application, "events.orders")).isEqualTo(1);
				});
			assertThat(application.isClosed()).isFalse();
			assertThat(count(application, "events.orders")).isEqualTo(1);
		}
	}

	@Test
	void postgresDataSourceFromTheDataSourceAutoConfigurationIsTheDefaultConnection() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(InterlaceAutoConfiguration.class, DataSourceAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=" + this.postgres.jdbcUrl(this.database),
					"spring.datasource.username=" + this.postgres.username(), "spring.datasource.password=" + SECRET,
					"interlace.streams.orders.description=x")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(InterlaceStores.class).getDefault())
					.isInstanceOf(PostgresStreamStore.class);
				context.getBean(Streams.class).publishBlocking("orders", Map.of("note", "pooled"));
				assertThat(count(context.getBean(DataSource.class), "events.orders")).isEqualTo(1);
			});
	}

	@Test
	void applicationPostgresDataSourceWithADuckDbNamedConnection() {
		String archive = this.temp.resolve("archive.duckdb").toString();
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(InterlaceAutoConfiguration.class, DataSourceAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=" + this.postgres.jdbcUrl(this.database),
					"spring.datasource.username=" + this.postgres.username(),
					"interlace.connections.archive.path=" + archive, "interlace.streams.orders.description=x",
					"interlace.streams.old_orders.connection=archive")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				DefaultStreams streams = context.getBean(DefaultStreams.class);
				assertThat(streams.store("orders")).isInstanceOf(PostgresStreamStore.class);
				assertThat(streams.store("old_orders")).isInstanceOf(DuckDbStreamStore.class);
				streams.publishBlocking("old_orders", Map.of("note", "archived"));
				assertThat(streams.count("old_orders")).isEqualTo(1);
			});
	}

	@Test
	void applicationStreamStoreBeanWinsOverAPostgresDataSourceAndConnection() {
		String own = this.temp.resolve("own.duckdb").toString();
		try (HikariDataSource application = this.postgres.dataSource(this.database)) {
			this.runner.withBean(DataSource.class, () -> application, (definition) -> definition.setDestroyMethodName(""))
				.withBean("ownStore", StreamStore.class, () -> new DuckDbStreamStore(own))
				.withPropertyValues(postgresConnection("default"))
				.run((context) -> {
					InterlaceStores stores = context.getBean(InterlaceStores.class);
					assertThat(stores.getDefault()).isSameAs(context.getBean(StreamStore.class));
					assertThat(stores.resources()).isEmpty();
				});
		}
	}

	@Test
	void unreachableDatabaseFailsStartupFastNamingTheConnectionButNotThePassword() {
		long start = System.nanoTime();
		this.runner
			.withPropertyValues("interlace.connections.default.url=jdbc:postgresql://127.0.0.1:1/nowhere",
					"interlace.connections.default.username=app", "interlace.connections.default.password=" + SECRET)
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.satisfies((ex) -> assertThat(startupFailureMessages(context)).contains(
						"Interlace connection 'default' could not connect to PostgreSQL at "
								+ "jdbc:postgresql://127.0.0.1:1/nowhere")
					.doesNotContain(SECRET)));
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
	}

	@Test
	void postgresConnectionWithoutUrlFailsNamingTheProperty() {
		this.runner.withPropertyValues("interlace.connections.events.type=postgres")
			.run(failsOn("interlace.connections.events.url", "null",
					"a PostgreSQL connection needs a JDBC URL: jdbc:postgresql://<host>:<port>/<database>"));
	}

	@Test
	void postgresConnectionWithAnotherDatabasesUrlFailsNamingThePropertyButNotItsParameters() {
		this.runner
			.withPropertyValues("interlace.connections.events.type=postgres",
					"interlace.connections.events.url=jdbc:mysql://db:3306/events?password=" + SECRET)
			.run(failsOn("interlace.connections.events.url", "jdbc:mysql://db:3306/events",
					"not a PostgreSQL URL; expected jdbc:postgresql://<host>:<port>/<database>"));
	}

	@Test
	void urlOfADatabaseThatHoldsNoStreamsFailsSayingWhichDo() {
		this.runner.withPropertyValues("interlace.connections.events.url=jdbc:mysql://admin:" + SECRET + "@db/events")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOfSatisfying(UnsupportedConnectionException.class, (ex) -> {
					assertThat(ex.getDescription()).isEqualTo("Connection 'events' (interlace.connections.events.url="
							+ "jdbc:mysql://db/events) is neither DuckDB nor PostgreSQL, the databases Interlace keeps "
							+ "streams in.");
					assertThat(ex.getAction()).contains("interlace.connections.events.url=jdbc:postgresql://",
							"interlace.connections.events.type=duckdb");
				})
				.hasMessageNotContaining(SECRET));
	}

	@Test
	void duckDbConnectionWithAPostgresUrlFailsSuggestingTheType() {
		this.runner
			.withPropertyValues("interlace.connections.events.type=duckdb",
					"interlace.connections.events.url=jdbc:postgresql://db/events")
			.run(failsOn("interlace.connections.events.url", "jdbc:postgresql://db/events",
					"(for PostgreSQL set interlace.connections.events.type=postgres)"));
	}

	@Test
	void postgresConnectionWithAPathFailsNamingTheProperty() {
		this.runner.withPropertyValues(postgresConnection("default"))
			.withPropertyValues("interlace.connections.default.path=./data/x.duckdb")
			.run(failsOn("interlace.connections.default.path", "./data/x.duckdb",
					"a path applies only to DuckDB connections"));
	}

	@Test
	void postgresConnectionWithDuckDbThreadsFailsNamingTheProperty() {
		this.runner.withPropertyValues(postgresConnection("default"))
			.withPropertyValues("interlace.connections.default.threads=4")
			.run(failsOn("interlace.connections.default.threads", "4", "applies only to DuckDB connections"));
	}

	@Test
	void duckDbConnectionWithPoolSettingsFailsNamingTheProperty() {
		this.runner.withPropertyValues("interlace.connections.default.path=" + this.temp.resolve("x.duckdb"),
				"interlace.connections.default.pool.maximum-size=4")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOfSatisfying(InvalidConfigurationPropertyValueException.class,
						(ex) -> assertThat(ex.getName()).isEqualTo("interlace.connections.default.pool"))
				.hasMessageContaining("pool settings apply only to PostgreSQL connections"));
	}

	@Test
	void invalidPoolSettingsFailNamingTheProperty() {
		this.runner.withPropertyValues(postgresConnection("default"))
			.withPropertyValues("interlace.connections.default.pool.maximum-size=1")
			.run(failsOn("interlace.connections.default.pool.maximum-size", "1",
					"must be at least 2: the store keeps one connection to listen for commits"));
		this.runner.withPropertyValues(postgresConnection("default"))
			.withPropertyValues("interlace.connections.default.pool.maximum-size=2",
					"interlace.connections.default.pool.minimum-idle=3")
			.run(failsOn("interlace.connections.default.pool.minimum-idle", "3",
					"must be between 0 and the pool's maximum size (2)"));
		this.runner.withPropertyValues(postgresConnection("default"))
			.withPropertyValues("interlace.connections.default.pool.connection-timeout=100ms")
			.run(failsOn("interlace.connections.default.pool.connection-timeout", "PT0.1S", "must be at least 250ms"));
	}

	@Test
	void missingDriverFailsSayingWhichDependencyToAdd() {
		this.runner.withPropertyValues(postgresConnection("default"))
			.withClassLoader(new FilteredClassLoader("org.postgresql"))
			.run(failsWithUnsupported("Connection 'default' is PostgreSQL (" + this.postgres.jdbcUrl(this.database)
					+ "), but the PostgreSQL JDBC driver (org.postgresql.Driver) is not on the class path.",
					"Add org.postgresql:postgresql to the application's dependencies"));
	}

	@Test
	void missingPoolFailsSayingWhichDependencyToAdd() {
		this.runner.withPropertyValues(postgresConnection("default"))
			.withClassLoader(new FilteredClassLoader("com.zaxxer.hikari"))
			.run(failsWithUnsupported("Connection 'default' is PostgreSQL (" + this.postgres.jdbcUrl(this.database)
					+ "), but HikariCP, the pool Interlace opens for it (com.zaxxer.hikari.HikariDataSource) is not "
					+ "on the class path.", "Add com.zaxxer:HikariCP"));
	}

	@Test
	void missingFlywayPostgresSupportFailsSayingWhichDependencyToAdd() {
		this.runner.withPropertyValues(postgresConnection("default"))
			.withClassLoader(new FilteredClassLoader("org.flywaydb.database.postgresql"))
			.run(failsWithUnsupported("Connection 'default' is PostgreSQL (" + this.postgres.jdbcUrl(this.database)
					+ "), but Flyway's PostgreSQL support, which creates Interlace's schema "
					+ "(org.flywaydb.database.postgresql.PostgreSQLDatabaseType) is not on the class path.",
					"Add org.flywaydb:flyway-database-postgresql"));
	}

	@Test
	void connectionToStringHidesThePasswordAndUrlParameters() {
		InterlaceProperties.Connection connection = new InterlaceProperties.Connection("postgres", null,
				"jdbc:postgresql://db/events?password=" + SECRET, "app", SECRET, null, null, null);
		assertThat(connection.toString()).contains("jdbc:postgresql://db/events", "username=app", "password=******")
			.doesNotContain(SECRET);
	}

	private String[] postgresConnection(String name) {
		String prefix = "interlace.connections." + name + ".";
		return new String[] { prefix + "type=postgres", prefix + "url=" + this.postgres.jdbcUrl(this.database),
				prefix + "username=" + this.postgres.username(), prefix + "password=" + SECRET };
	}

	private static ContextConsumer<AssertableApplicationContext> failsOn(String property, String value,
			String reason) {
		return (context) -> assertInvalidProperty(context, property, value).hasMessageContaining(reason)
			.hasMessageNotContaining(SECRET);
	}

	private static ContextConsumer<AssertableApplicationContext> failsWithUnsupported(String description,
			String action) {
		return (context) -> assertThat(context).getFailure()
			.rootCause()
			.isInstanceOfSatisfying(UnsupportedConnectionException.class, (ex) -> {
				assertThat(ex.getDescription()).isEqualTo(description);
				assertThat(ex.getAction()).startsWith(action);
			});
	}

	private List<String> applicationNames(String database) throws Exception {
		try (Connection connection = this.postgres.admin().getConnection();
				Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery(
						"SELECT DISTINCT application_name FROM pg_stat_activity WHERE datname = '" + database + "'")) {
			List<String> names = new java.util.ArrayList<>();
			while (rows.next()) {
				names.add(rows.getString(1));
			}
			return names;
		}
	}

	private boolean tableExists(String database, String schema, String table) throws Exception {
		try (HikariDataSource dataSource = this.postgres.dataSource(database);
				Connection connection = dataSource.getConnection();
				Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery("SELECT to_regclass('" + schema + "." + table + "')")) {
			rows.next();
			return rows.getString(1) != null;
		}
	}

	private long countIn(String database, String table) throws Exception {
		try (HikariDataSource dataSource = this.postgres.dataSource(database)) {
			return count(dataSource, table);
		}
	}

}
