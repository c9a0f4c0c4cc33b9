package dev.interlace.autoconfigure;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Schedulers;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ContextConsumer;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import dev.interlace.autoconfigure.records.AuditEvent;
import dev.interlace.autoconfigure.records.conflict.ConflictPackage;
import dev.interlace.autoconfigure.records.orders.OrderPlaced;
import dev.interlace.autoconfigure.records.orders.OrdersPackage;
import dev.interlace.core.ConsumedBatch;
import dev.interlace.core.FieldType;
import dev.interlace.core.PublishResult;
import dev.interlace.core.StoreException;
import dev.interlace.core.StoredEvent;
import dev.interlace.core.StreamAuth;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.Streams;
import dev.interlace.core.engine.DefaultStreams;
import dev.interlace.core.engine.ReadRetry;
import dev.interlace.core.engine.RetentionTask;
import dev.interlace.core.store.StreamStore;
import dev.interlace.core.store.duckdb.DuckDbStreamStore;

import static dev.interlace.autoconfigure.StartupFailures.assertInvalidProperty;
import static dev.interlace.autoconfigure.StartupFailures.count;
import static dev.interlace.autoconfigure.StartupFailures.startupFailureMessages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link InterlaceAutoConfiguration}, on real DuckDB files.
 */
class InterlaceAutoConfigurationTests {

	@TempDir
	Path temp;

	private ApplicationContextRunner runner;

	private String path;

	@BeforeEach
	void setUp() {
		this.path = this.temp.resolve("interlace.duckdb").toString();
		this.runner = new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(InterlaceAutoConfiguration.class))
			.withPropertyValues("interlace.connections.default.path=" + this.path);
	}

	@Test
	void retentionKeepsWhatConsumerGroupsStillNeedWhenAskedTo() {
		this.runner
			.withPropertyValues("interlace.streams.orders.retention.max-rows=1000",
					"interlace.streams.orders.retention.keep-unacknowledged=true",
					"interlace.streams.audit.retention.max-age-days=7")
			.run((context) -> {
				Streams streams = context.getBean(Streams.class);
				assertThat(streams.definition("orders").retention())
					.isEqualTo(new dev.interlace.core.Retention(null, 1000L, true));
				// Redis' XTRIM trims whatever groups still need: so does a stream that does not ask otherwise.
				assertThat(streams.definition("audit").retention())
					.isEqualTo(new dev.interlace.core.Retention(7, null, false));
			});
	}

	@Test
	void streamsDeclaredInPropertiesArePublishableAndConsumable() {
		this.runner
			.withPropertyValues("interlace.streams.orders.description=Orders as placed",
					"interlace.streams.orders.tags[0]=sales", "interlace.streams.orders.owner=checkout",
					"interlace.streams.orders.fields.order_id=string", "interlace.streams.orders.fields.amount=decimal",
					"interlace.streams.orders.fields.quantity=int32", "interlace.streams.orders.validate-schema=true",
					"interlace.streams.orders.auth.type=bearer", "interlace.streams.orders.auth.token=s3cret",
					"interlace.streams.orders.rate-limit.requests-per-second=50",
					"interlace.streams.orders.retention.max-rows=1000")
			.run((context) -> {
				assertThat(context).hasSingleBean(Streams.class)
					.hasSingleBean(DefaultStreams.class)
					.hasSingleBean(InterlaceStores.class)
					.hasSingleBean(StreamDefinitions.class);
				Streams streams = context.getBean(Streams.class);
				StreamDefinition orders = streams.definition("orders");
				assertThat(orders.fields()).containsExactly(Map.entry("order_id", FieldType.STRING),
						Map.entry("amount", FieldType.DECIMAL), Map.entry("quantity", FieldType.INT32));
				assertThat(orders.description()).isEqualTo("Orders as placed");
				assertThat(orders.tags()).containsExactly("sales");
				assertThat(orders.owner()).isEqualTo("checkout");
				assertThat(orders.validateSchema()).isTrue();
				assertThat(orders.auth()).isEqualTo(new StreamAuth.Bearer("s3cret"));
				assertThat(orders.rateLimit()).isEqualTo(new dev.interlace.core.RateLimit(50));
				assertThat(orders.retention()).isEqualTo(new dev.interlace.core.Retention(null, 1000L));
				assertThat(orders.connection()).isEqualTo("default");
				assertThat(context.getBean(StreamDefinitions.class).declaration("orders").source())
					.isEqualTo("property interlace.streams.orders");

				PublishResult published = streams
					.publish("orders", Map.of("order_id", "o-1", "amount", new BigDecimal("12.50"), "quantity", 2))
					.block(Duration.ofSeconds(10));
				assertThat(published.rowsReceived()).isEqualTo(1);
				ConsumedBatch batch = streams.consume("orders", "billing");
				assertThat(batch.events()).singleElement()
					.satisfies((event) -> assertThat(event.data()).containsEntry("order_id", "o-1"));
				assertThat(streams.ack("orders", "billing", batch.events())).isEqualTo(published.lastRowid());
				assertThat(streams.consume("orders", "billing").events()).isEmpty();
			});
	}

	@Test
	void subscriberBufferSizeDefaultsToTheCoreDefault() {
		this.runner.run((context) -> assertThat(context.getBean(InterlaceProperties.class).subscriberBufferSize())
			.isEqualTo(DefaultStreams.DEFAULT_SUBSCRIBER_BUFFER_SIZE));
	}

	@Test
	void consumeMaxBytesDefaultsToTheCoreDefault() {
		this.runner.run((context) -> {
			assertThat(context.getBean(InterlaceProperties.class).consume().maxBytes().toBytes())
				.isEqualTo(DefaultStreams.DEFAULT_CONSUME_MAX_BYTES);
			assertThat(context.getBean(DefaultStreams.class).consumeMaxBytes())
				.isEqualTo(DefaultStreams.DEFAULT_CONSUME_MAX_BYTES);
		});
	}

	@Test
	void consumeMaxBytesBoundsTheConsumesOfTheStreams() {
		this.runner.withPropertyValues("interlace.consume.max-bytes=4KB", "interlace.streams.orders.fields.note=string")
			.run((context) -> {
				DefaultStreams streams = context.getBean(DefaultStreams.class);
				assertThat(streams.consumeMaxBytes()).isEqualTo(4096);
				List<Map<String, Object>> events = new java.util.ArrayList<>();
				for (int i = 0; i < 10; i++) {
					events.add(Map.of("note", i + "n".repeat(1_000)));
				}
				streams.publishBlocking("orders", events);
				ConsumedBatch batch = streams.consume("orders", "billing", 100);
				assertThat(batch.count()).isBetween(1, 4);
				assertThat(batch.truncated()).isTrue();
			});
	}

	@Test
	void consumeMaxBytesMustBePositive() {
		this.runner.withPropertyValues("interlace.consume.max-bytes=0B")
			.run(failsOn("interlace.consume.max-bytes", "0B", "must be positive"));
	}

	@Test
	void streamRecordInAnApplicationPackageIsFoundPublishedAndConsumedTyped() {
		this.runner.withUserConfiguration(OrdersPackage.class)
			.withPropertyValues("orders.description=Placed orders, resolved")
			.run((context) -> {
				Streams streams = context.getBean(Streams.class);
				StreamDefinition definition = streams.definition("order_placed");
				assertThat(definition.description()).isEqualTo("Placed orders, resolved");
				assertThat(definition.fields()).containsExactly(Map.entry("orderId", FieldType.STRING),
						Map.entry("amount", FieldType.DECIMAL), Map.entry("placedAt", FieldType.TIMESTAMP));
				assertThat(context.getBean(StreamDefinitions.class).declaration("order_placed").source())
					.isEqualTo("@Stream on " + OrderPlaced.class.getName());

				OrderPlaced order = new OrderPlaced("o-7", new BigDecimal("99.95"),
						Instant.now().truncatedTo(ChronoUnit.MICROS));
				PublishResult published = streams.publish(order).block(Duration.ofSeconds(10));
				List<Streams.Consumed<OrderPlaced>> consumed = streams.consume(OrderPlaced.class, "shipping", 10);
				assertThat(consumed).singleElement().satisfies((one) -> {
					assertThat(one.rowid()).isEqualTo(published.lastRowid());
					assertThat(one.value().orderId()).isEqualTo("o-7");
					assertThat(one.value().amount()).isEqualByComparingTo("99.95");
					assertThat(one.value().placedAt()).isEqualTo(order.placedAt());
				});
			});
	}

	@Test
	void streamRecordsAreNotScannedWithoutApplicationPackages() {
		this.runner.run((context) -> assertThat(context.getBean(Streams.class).definitions()).isEmpty());
	}

	@Test
	void beanWhoseClassIsAStreamRecordDeclaresTheStream() {
		this.runner.withPropertyValues("audit.token=from-environment")
			.withBean(AuditEvent.class, () -> new AuditEvent("system", "boot"))
			.run((context) -> {
				StreamDefinition audit = context.getBean(Streams.class).definition("audit_event");
				assertThat(audit.auth()).isEqualTo(new StreamAuth.Bearer("from-environment"));
			});
	}

	@Test
	void streamRecordWithAnUnresolvablePlaceholderFailsNamingTheClass() {
		this.runner.withBean(AuditEvent.class, () -> new AuditEvent("system", "boot"))
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("audit.token")
				.satisfies((ex) -> assertThat(startupFailureMessages(context))
					.contains("Invalid @Stream on " + AuditEvent.class.getName())));
	}

	@Test
	void streamDeclaredByPropertyAndByRecordFailsNamingBoth() {
		this.runner.withUserConfiguration(OrdersPackage.class)
			.withPropertyValues("interlace.streams.order_placed.description=duplicate")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(IllegalStateException.class)
				.hasMessage("Stream 'order_placed' is declared twice: by property interlace.streams.order_placed "
						+ "and by @Stream on " + OrderPlaced.class.getName()));
	}

	@Test
	void streamDeclaredByTwoRecordsFailsNamingBoth() {
		this.runner.withUserConfiguration(ConflictPackage.class)
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessage("Stream 'clash' is declared twice: by @Stream on dev.interlace.autoconfigure.records."
						+ "conflict.FirstClash and by @Stream on dev.interlace.autoconfigure.records.conflict."
						+ "SecondClash"));
	}

	@Test
	void unknownFieldTypeFailsNamingTheProperty() {
		this.runner.withPropertyValues("interlace.streams.orders.fields.amount=money")
			.run(failsOn("interlace.streams.orders.fields.amount", "money", "unknown field type 'money'; expected "
					+ "one of string, int32, int64, float32, float64, boolean, timestamp, date, json, decimal"));
	}

	@Test
	void invalidFieldNameFailsNamingTheProperty() {
		this.runner.withPropertyValues("interlace.streams.orders.fields._interlace_rowid=int64")
			.run(failsOn("interlace.streams.orders.fields._interlace_rowid", "int64", "is reserved"));
	}

	@Test
	void negativeMaxRowsFailsNamingTheProperty() {
		this.runner.withPropertyValues("interlace.streams.orders.retention.max-rows=-1")
			.run(failsOn("interlace.streams.orders.retention.max-rows", "-1", "max-rows must be positive, was -1"));
	}

	@Test
	void zeroMaxAgeDaysFailsNamingTheProperty() {
		this.runner.withPropertyValues("interlace.streams.orders.retention.max-age-days=0")
			.run(failsOn("interlace.streams.orders.retention.max-age-days", "0", "must be positive"));
	}

	@Test
	void negativeRateLimitFailsNamingTheProperty() {
		this.runner.withPropertyValues("interlace.streams.orders.rate-limit.requests-per-second=-5")
			.run(failsOn("interlace.streams.orders.rate-limit.requests-per-second", "-5", "must be positive"));
	}

	@Test
	void perClientRateLimitIsBoundAloneOrBesideTheStreamsLimit() {
		this.runner
			.withPropertyValues("interlace.streams.orders.rate-limit.per-client-requests-per-second=5",
					"interlace.streams.clicks.rate-limit.requests-per-second=50",
					"interlace.streams.clicks.rate-limit.per-client-requests-per-second=2")
			.run((context) -> {
				Streams streams = context.getBean(Streams.class);
				assertThat(streams.definition("orders").rateLimit()).isEqualTo(new dev.interlace.core.RateLimit(0, 5));
				assertThat(streams.definition("clicks").rateLimit())
					.isEqualTo(new dev.interlace.core.RateLimit(50, 2));
			});
	}

	@Test
	void negativeOrZeroPerClientRateLimitFailsNamingTheProperty() {
		this.runner.withPropertyValues("interlace.streams.orders.rate-limit.per-client-requests-per-second=-1")
			.run(failsOn("interlace.streams.orders.rate-limit.per-client-requests-per-second", "-1",
					"must be positive"));
		this.runner.withPropertyValues("interlace.streams.orders.rate-limit.per-client-requests-per-second=0")
			.run(failsOn("interlace.streams.orders.rate-limit.per-client-requests-per-second", "0",
					"must be positive"));
	}

	@Test
	void unknownAuthTypeFailsNamingTheProperty() {
		this.runner.withPropertyValues("interlace.streams.orders.auth.type=basic")
			.run(failsOn("interlace.streams.orders.auth.type", "basic",
					"unknown auth type 'basic'; expected bearer or api_key"));
	}

	@Test
	void bearerAuthWithoutTokenFailsNamingTheProperty() {
		this.runner.withPropertyValues("interlace.streams.orders.auth.type=bearer")
			.run(failsOn("interlace.streams.orders.auth.token", "null", "auth.token must not be blank"));
	}

	@Test
	void apiKeyAuthWithoutKeyFailsNamingTheProperty() {
		this.runner.withPropertyValues("interlace.streams.orders.auth.type=api_key")
			.run(failsOn("interlace.streams.orders.auth.key", "null", "auth.key must not be blank"));
	}

	@Test
	void apiKeyAuthBindsHeaderAndKey() {
		this.runner
			.withPropertyValues("interlace.streams.orders.auth.type=api-key", "interlace.streams.orders.auth.key=k",
					"interlace.streams.orders.auth.header=X-Orders-Key")
			.run((context) -> assertThat(context.getBean(Streams.class).definition("orders").auth())
				.isEqualTo(new StreamAuth.ApiKey("X-Orders-Key", "k")));
	}

	@Test
	void invalidStreamNameFailsNamingTheProperty() {
		this.runner.withPropertyValues("interlace.streams.order-placed.description=dashes are not allowed")
			.run(failsOn("interlace.streams.order-placed", "order-placed", "stream name 'order-placed' is invalid"));
	}

	@Test
	void validateSchemaWithoutFieldsFailsNamingTheProperty() {
		this.runner.withPropertyValues("interlace.streams.orders.validate-schema=true")
			.run(failsOn("interlace.streams.orders.validate-schema", "true", "needs declared fields"));
	}

	@Test
	void unsupportedCursorFailsNamingTheProperty() {
		this.runner.withPropertyValues("interlace.streams.orders.cursor=published_at")
			.run(failsOn("interlace.streams.orders.cursor", "published_at", "only 'rowid' is supported"));
	}

	@Test
	void streamOnAnUnknownConnectionFailsNamingTheProperty() {
		this.runner.withPropertyValues("interlace.streams.orders.connection=archive")
			.run(failsOn("interlace.streams.orders.connection", "archive", "no connection 'archive' is configured"));
	}

	@Test
	void nonPositiveSubscriberBufferSizeFailsNamingTheProperty() {
		this.runner.withPropertyValues("interlace.subscriber-buffer-size=0")
			.run(failsOn("interlace.subscriber-buffer-size", "0", "must be positive"));
	}

	@Test
	void namedConnectionHoldsItsStreamsInItsOwnFile() {
		String archive = this.temp.resolve("archive/archive.duckdb").toString();
		this.runner
			.withPropertyValues("interlace.connections.archive.path=" + archive,
					"interlace.streams.audit.connection=archive", "interlace.streams.orders.description=default")
			.run((context) -> {
				InterlaceStores stores = context.getBean(InterlaceStores.class);
				assertThat(stores.asMap()).containsOnlyKeys("default", "archive");
				assertThat(((DuckDbStreamStore) stores.get("archive")).getPath()).isEqualTo(archive);
				DefaultStreams streams = context.getBean(DefaultStreams.class);
				assertThat(streams.store("audit")).isSameAs(stores.get("archive"));
				assertThat(streams.store("orders")).isSameAs(stores.getDefault());
				streams.publishBlocking("audit", Map.of("action", "login"));
				assertThat(streams.count("audit")).isEqualTo(1);
			});
	}

	@Test
	void connectionTuningReachesTheDuckDbStore() {
		this.runner.withPropertyValues("interlace.connections.default.linger=2ms", "interlace.connections.default.threads=2")
			.run((context) -> {
				DuckDbStreamStore store = (DuckDbStreamStore) context.getBean(InterlaceStores.class).getDefault();
				assertThat(store.getOptions().linger()).isEqualTo(java.time.Duration.ofMillis(2));
				assertThat(store.getOptions().threads()).isEqualTo(2);
				try (java.sql.Connection connection = store.openConnection();
						java.sql.ResultSet rs = connection.createStatement()
							.executeQuery("SELECT current_setting('threads')")) {
					rs.next();
					assertThat(rs.getLong(1)).isEqualTo(2);
				}
			});
	}

	@Test
	void duckDbStoreDefaultsToOneThreadAndTheDefaultLinger() {
		this.runner.run((context) -> {
			DuckDbStreamStore store = (DuckDbStreamStore) context.getBean(InterlaceStores.class).getDefault();
			assertThat(store.getOptions()).isEqualTo(DuckDbStreamStore.Options.DEFAULTS);
		});
	}

	@Test
	void namedConnectionWithoutPathFailsNamingTheProperty() {
		this.runner.withPropertyValues("interlace.connections.archive.type=duckdb")
			.run(failsOn("interlace.connections.archive.path", "null", "needs a file path"));
	}

	@Test
	void connectionUrlIsAnAlternativeToThePath() {
		this.runner.withPropertyValues("interlace.connections.default.path=",
				"interlace.connections.default.url=jdbc:duckdb:" + this.path)
			.run((context) -> assertThat(
					((DuckDbStreamStore) context.getBean(InterlaceStores.class).getDefault()).getPath())
				.isEqualTo(this.path));
	}

	@Test
	void unknownConnectionTypeFailsNamingTheProperty() {
		this.runner.withPropertyValues("interlace.connections.default.type=oracle")
			.run(failsOn("interlace.connections.default.type", "oracle", "unknown connection type"));
	}

	@Test
	void applicationStreamsBeanWins() {
		Streams own = new DefaultStreams(List.of(), Map.of(), 16, Schedulers.immediate());
		this.runner.withBean(Streams.class, () -> own).run((context) -> {
			assertThat(context).hasSingleBean(Streams.class).doesNotHaveBean(InterlaceStores.class);
			assertThat(context.getBean(Streams.class)).isSameAs(own);
		});
	}

	@Test
	void applicationStreamStoreBeanIsTheDefaultConnection() {
		String own = this.temp.resolve("own.duckdb").toString();
		this.runner.withBean("ownStore", StreamStore.class, () -> new DuckDbStreamStore(own))
			.withPropertyValues("interlace.streams.orders.description=x")
			.run((context) -> {
				assertThat(context).hasSingleBean(StreamStore.class);
				StreamStore store = context.getBean(StreamStore.class);
				assertThat(context.getBean(InterlaceStores.class).getDefault()).isSameAs(store);
				assertThat(context.getBean(DefaultStreams.class).store("orders")).isSameAs(store);
			});
	}

	@Test
	void applicationStreamStoreIsLeftOpenForItsOwnerToClose() {
		try (DuckDbStreamStore own = new DuckDbStreamStore(this.temp.resolve("own.duckdb").toString())) {
			// No destroy method: only Interlace could close the store, and it must not.
			this.runner.withBean("ownStore", StreamStore.class, () -> own, (definition) -> definition
				.setDestroyMethodName(""))
				.run((context) -> assertThat(context.getBean(InterlaceStores.class).getDefault()).isSameAs(own));
			assertThat(own.ensureStream(StreamDefinition.builder("still_open").build())).isNotNull();
		}
	}

	@Test
	void storesOpenedByInterlaceAreClosedWhenTheContextCloses() {
		StreamStore[] opened = new StreamStore[1];
		this.runner.run((context) -> opened[0] = context.getBean(InterlaceStores.class).getDefault());
		assertThatExceptionOfType(StoreException.class)
			.isThrownBy(() -> opened[0].ensureStream(StreamDefinition.builder("late").build()))
			.withMessageContaining("closed");
	}

	@Test
	void duckDbDataSourceIsTheDefaultConnection() {
		String app = this.temp.resolve("app.duckdb").toString();
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(InterlaceAutoConfiguration.class))
			.withBean(DataSource.class, () -> new DriverManagerDataSource("jdbc:duckdb:" + app))
			.withPropertyValues("interlace.streams.orders.fields.order_id=string")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				context.getBean(Streams.class).publishBlocking("orders", Map.of("order_id", "o-1"));
				assertThat(count(context.getBean(DataSource.class), "events.orders")).isEqualTo(1);
			});
	}

	@Test
	void duckDbDataSourceFromTheDataSourceAutoConfigurationIsTheDefaultConnection() {
		String app = this.temp.resolve("pooled.duckdb").toString();
		ApplicationContextRunner runner = new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(InterlaceAutoConfiguration.class, DataSourceAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=jdbc:duckdb:" + app,
					"spring.datasource.driver-class-name=org.duckdb.DuckDBDriver",
					"interlace.streams.orders.description=x");
		runner.run((context) -> {
			assertThat(context).hasNotFailed();
			context.getBean(Streams.class).publishBlocking("orders", Map.of("note", "pooled"));
			assertThat(count(context.getBean(DataSource.class), "events.orders")).isEqualTo(1);
		});
		// Both the pool and the store let go of the file on shutdown: a second context opens it again.
		runner.run((context) -> assertThat(context.getBean(Streams.class).count("orders")).isEqualTo(1));
	}

	@Test
	void inMemoryDuckDbDataSourceHoldsTheStreamsInTheDatabaseOfTheConnectionItLends() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(InterlaceAutoConfiguration.class))
			.withBean(DataSource.class, () -> new DriverManagerDataSource("jdbc:duckdb:"))
			.withPropertyValues("interlace.streams.orders.description=x")
			.run((context) -> {
				Streams streams = context.getBean(Streams.class);
				streams.publishBlocking("orders", Map.of("note", "in memory"));
				assertThat(streams.count("orders")).isEqualTo(1);
			});
	}

	@Test
	void duckDbDataSourceOnAFileNamedLikeTheEngineSchemaFailsSayingHowToFixIt() {
		String app = this.temp.resolve("interlace.duckdb").toString();
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(InterlaceAutoConfiguration.class))
			.withBean(DataSource.class, () -> new DriverManagerDataSource("jdbc:duckdb:" + app))
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("is named 'interlace' after its file")
				.hasMessageContaining("interlace.connections.default.path"));
	}

	@Test
	void dataSourceNeitherDuckDbNorPostgresFailsSayingWhichDatabasesHoldStreams() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(InterlaceAutoConfiguration.class))
			.withBean(DataSource.class,
					() -> new DriverManagerDataSource("jdbc:h2:mem:app;DB_CLOSE_DELAY=-1;PASSWORD_HASH=x"))
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOfSatisfying(UnsupportedConnectionException.class, (ex) -> {
					assertThat(ex.getDescription()).isEqualTo("The application's DataSource (jdbc:h2:mem:app) is H2, "
							+ "and Interlace keeps streams only in DuckDB or PostgreSQL.");
					assertThat(ex.getAction()).contains("spring.datasource.url",
							"interlace.connections.default.url=jdbc:postgresql://",
							"interlace.connections.default.type=duckdb");
				})
				.hasMessageNotContaining("PASSWORD_HASH"));
	}

	@Test
	void configuredDefaultConnectionWinsOverANonDuckDbDataSource() {
		this.runner.withBean(DataSource.class, () -> new DriverManagerDataSource("jdbc:h2:mem:other"))
			.withPropertyValues("interlace.connections.default.type=duckdb")
			.run((context) -> assertThat(context).hasNotFailed().hasSingleBean(Streams.class));
	}

	@Test
	void acknowledgedCursorAndEventsSurviveARestartOnTheSameFile() {
		String[] properties = { "interlace.streams.orders.fields.order_id=string" };
		long[] acknowledged = new long[1];
		this.runner.withPropertyValues(properties).run((context) -> {
			Streams streams = context.getBean(Streams.class);
			for (String id : List.of("o-1", "o-2", "o-3")) {
				streams.publishBlocking("orders", Map.of("order_id", id));
			}
			ConsumedBatch batch = streams.consume("orders", "billing", 2);
			assertThat(batch.count()).isEqualTo(2);
			acknowledged[0] = streams.ack("orders", "billing", batch.events());
		});
		this.runner.withPropertyValues(properties).run((context) -> {
			Streams streams = context.getBean(Streams.class);
			assertThat(streams.count("orders")).isEqualTo(3);
			ConsumedBatch batch = streams.consume("orders", "billing");
			assertThat(batch.cursor()).isEqualTo(acknowledged[0]);
			assertThat(batch.events()).singleElement()
				.satisfies((event) -> assertThat(event.data()).containsEntry("order_id", "o-3"));
		});
	}

	@Test
	void retentionRunsOnASchedule() {
		this.runner
			.withPropertyValues("interlace.streams.orders.fields.amount=int64",
					"interlace.streams.orders.retention.max-rows=2", "interlace.retention.interval=50ms",
					"interlace.retention.batch-size=1")
			.run((context) -> {
				assertThat(context).hasSingleBean(RetentionTask.class);
				Streams streams = context.getBean(Streams.class);
				for (int i = 0; i < 5; i++) {
					streams.publishBlocking("orders", Map.of("amount", i));
				}
				long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
				while (streams.count("orders") > 2 && System.nanoTime() < deadline) {
					Thread.sleep(20);
				}
				assertThat(streams.consume("orders", "billing").events()).extracting(StoredEvent::rowid)
					.containsExactly(4L, 5L);
			});
	}

	@Test
	void idempotencyWindowsBindPerStreamAndDefaultTo24Hours() {
		this.runner
			.withPropertyValues("interlace.streams.orders.fields.amount=int64",
					"interlace.streams.orders.idempotency.window=90m", "interlace.streams.refunds.fields.amount=int64")
			.run((context) -> {
				DefaultStreams streams = context.getBean(DefaultStreams.class);
				assertThat(streams.idempotencyWindow("orders")).isEqualTo(Duration.ofMinutes(90));
				assertThat(streams.idempotencyWindow("refunds")).isEqualTo(DefaultStreams.DEFAULT_IDEMPOTENCY_WINDOW)
					.isEqualTo(Duration.ofHours(24));
				PublishResult first = streams.publishBlocking("orders", List.of(Map.of("amount", 1)), "k");
				assertThat(streams.publishBlocking("orders", List.of(Map.of("amount", 1)), "k")).isEqualTo(first);
				assertThat(streams.count("orders")).isEqualTo(1);
			});
	}

	@Test
	void idempotencyWindowsMustBePositive() {
		this.runner
			.withPropertyValues("interlace.streams.orders.fields.amount=int64",
					"interlace.streams.orders.idempotency.window=0s")
			.run(failsOn("interlace.streams.orders.idempotency.window", "PT0S", "must be positive"));
	}

	@Test
	void retentionCanBeDisabled() {
		this.runner.withPropertyValues("interlace.retention.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(RetentionTask.class));
	}

	@Test
	void retentionSettingsMustBePositive() {
		this.runner.withPropertyValues("interlace.retention.batch-size=0")
			.run(failsOn("interlace.retention.batch-size", "0", "must be positive"));
		this.runner.withPropertyValues("interlace.retention.interval=0s")
			.run(failsOn("interlace.retention.interval", "PT0S", "must be positive"));
	}

	@Test
	void readRetriesBindFromResilienceProperties() {
		this.runner.run((context) -> assertThat(context.getBean(InterlaceProperties.class).resilience().readRetry())
			.isEqualTo(ReadRetry.DEFAULTS));
		this.runner
			.withPropertyValues("interlace.resilience.retry.max-attempts=5",
					"interlace.resilience.retry.backoff=250ms")
			.run((context) -> assertThat(context.getBean(InterlaceProperties.class).resilience().readRetry())
				.isEqualTo(new ReadRetry(5, Duration.ofMillis(250))));
		this.runner.withPropertyValues("interlace.resilience.retry.max-attempts=0")
			.run(failsOn("interlace.resilience.retry.max-attempts", "0", "must be at least 1"));
	}

	private static ContextConsumer<AssertableApplicationContext> failsOn(String property, String value,
			String reason) {
		return (context) -> assertInvalidProperty(context, property, value)
			.hasMessageStartingWith("Property " + property + " with value '" + value + "' is invalid: ")
			.hasMessageContaining(reason);
	}

}
