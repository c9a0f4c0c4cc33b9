package dev.interlace.core.store.postgres;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import dev.interlace.core.FieldType;
import dev.interlace.core.PublishResult;
import dev.interlace.core.StoredEvent;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.EntryId;
import dev.interlace.core.store.StreamStore;
import dev.interlace.core.store.StreamStoreContractTests;
import dev.interlace.core.store.StreamTable;

import static dev.interlace.core.store.StoreTestSupport.assertAFullWriterQueueRefusesPublishesAtOnce;
import static dev.interlace.core.store.StoreTestSupport.event;
import static dev.interlace.core.store.StoreTestSupport.everyFieldType;
import static dev.interlace.core.store.StoreTestSupport.orders;
import static dev.interlace.core.store.StoreTestSupport.rowids;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The store contract on a real PostgreSQL, each test on a fresh database, plus PostgreSQL's own write paths and
 * failure modes.
 */
class PostgresStreamStoreTests extends StreamStoreContractTests {

	@RegisterExtension
	final PostgresTestStores database = new PostgresTestStores();

	@Override
	protected StreamStore openStore() {
		return this.database.open();
	}

	@Override
	protected void executeSql(String sql) throws Exception {
		this.database.execute(sql);
	}

	@Test
	void aSmallGroupTheDatabaseRefusesIsCommittedAgainPublishByPublish() throws Exception {
		groupTheDatabaseRefusesIsCommittedAgainPublishByPublish(1);
	}

	@Test
	void aLargeGroupTheDatabaseRefusesIsCommittedAgainPublishByPublish() throws Exception {
		// 30 publishes of 10 rows: past the COPY threshold as a group, below it alone.
		groupTheDatabaseRefusesIsCommittedAgainPublishByPublish(10);
	}

	private void groupTheDatabaseRefusesIsCommittedAgainPublishByPublish(int rowsPerPublish) throws Exception {
		this.store.ensureStream(orders());
		// A constraint the store does not know about makes PostgreSQL refuse rows that passed Interlace's checks.
		this.database.execute("ALTER TABLE events.orders ALTER COLUMN order_id SET NOT NULL");
		List<CompletableFuture<PublishResult>> good = new ArrayList<>();
		CompletableFuture<PublishResult> bad = null;
		try (Connection blocker = this.database.dataSource().getConnection()) {
			lockStreamRow(blocker, "orders");
			good.add(this.store.append("orders", publish("first", rowsPerPublish)));
			awaitWriterBlocked();
			// Queued while the writer waits: these commit together as one group once it is free.
			for (int i = 1; i < 30; i++) {
				good.add(this.store.append("orders", publish("o" + i, rowsPerPublish)));
				if (i == 15) {
					bad = this.store.append("orders", List.of(event("order_id", "ok", "amount", 1), event("amount", 2)));
				}
			}
			blocker.rollback();
		}
		CompletableFuture<PublishResult> rejected = bad;
		for (CompletableFuture<PublishResult> future : good) {
			assertThat(future.get(30, TimeUnit.SECONDS).rowsReceived()).isEqualTo(rowsPerPublish);
		}
		assertThatThrownBy(() -> rejected.get(30, TimeUnit.SECONDS))
			.hasCauseInstanceOf(dev.interlace.core.DataRejectedException.class)
			.hasMessageContaining("order_id")
			.hasMessageContaining("23502");
		assertThat(((PostgresStreamStore) this.store).getGroupRetries()).isPositive();
		// The database answered: a refusal is no outage.
		assertThat(((PostgresStreamStore) this.store).isBreakerClosed()).isTrue();
		// The refused group took no rowids: they stay contiguous.
		int stored = 30 * rowsPerPublish;
		assertThat(this.store.readAfter("orders", 0, 1_000)).extracting(StoredEvent::rowid)
			.containsExactlyElementsOf(rowids(1, stored));
		assertThat(this.store.readAfter("orders", 0, 1_000)).extracting((e) -> e.data().get("order_id"))
			.doesNotContain("ok");
		assertThat(this.store.appendAndWait("orders", List.of(event("order_id", "after"))).firstRowid())
			.isEqualTo(stored + 1);
		// The refused publish's rows went nowhere, and neither did their count.
		assertThat(this.store.describe("orders").rowCount()).isEqualTo(stored + 1).isEqualTo(tableCount("orders"));
	}

	@Test
	void aCheckConstraintAddedByHandRefusesTheDataNotTheDatabase() throws Exception {
		this.store.ensureStream(orders());
		this.database.execute("ALTER TABLE events.orders ADD CONSTRAINT amount_positive CHECK (amount > 0)");
		for (int attempt = 0; attempt < 10; attempt++) {
			assertThatThrownBy(() -> this.store.appendAndWait("orders", List.of(event("order_id", "x", "amount", -1))))
				.isInstanceOfSatisfying(dev.interlace.core.DataRejectedException.class,
						(ex) -> assertThat(ex.getSqlState()).isEqualTo("23514"))
				.hasMessageContaining("amount_positive")
				.hasMessageNotContaining("INSERT");
		}
		// Ten refusals in a row and the breaker still lets publishes through.
		assertThat(((PostgresStreamStore) this.store).isBreakerClosed()).isTrue();
		assertThat(this.store.appendAndWait("orders", List.of(event("order_id", "y", "amount", 1))).firstRowid())
			.isEqualTo(1);
	}

	@Test
	void aPublishBeyondPostgresColumnLimitIsRefusedAndStoresNothing() throws Exception {
		this.store.ensureStream(orders());
		// Dropped columns still count against PostgreSQL's 1,600 but are in no catalog Interlace reads: no limit of
		// Interlace's own sees this coming, the database has to refuse it.
		StringBuilder add = new StringBuilder("ALTER TABLE events.orders");
		StringBuilder drop = new StringBuilder("ALTER TABLE events.orders");
		for (int i = 0; i < 1_590; i++) {
			add.append((i > 0) ? "," : "").append(" ADD COLUMN wide_").append(i).append(" int");
			drop.append((i > 0) ? "," : "").append(" DROP COLUMN wide_").append(i);
		}
		this.database.execute(add.toString());
		this.database.execute(drop.toString());
		Map<String, Object> wide = new java.util.LinkedHashMap<>();
		wide.put("order_id", "w");
		for (int i = 0; i < 10; i++) {
			wide.put("extra_" + i, i);
		}
		assertThatThrownBy(() -> this.store.appendAndWait("orders", List.of(wide)))
			.isInstanceOfSatisfying(dev.interlace.core.DataRejectedException.class,
					(ex) -> assertThat(ex.getSqlState()).isEqualTo("54011"))
			.hasMessageContaining("1600 columns");
		assertThat(((PostgresStreamStore) this.store).isBreakerClosed()).isTrue();
		assertThat(this.store.describe("orders").columns()).doesNotContainKey("extra_0");
		assertThat(this.store.appendAndWait("orders", List.of(event("order_id", "narrow"))).firstRowid()).isEqualTo(1);
		assertThat(tableCount("orders")).isEqualTo(1);
	}

	@Test
	void aDatabaseThatDoesNotWaitForItsCommitsToReachTheDiskIsReportedAtStartUp() throws Exception {
		this.database.execute("ALTER DATABASE " + this.database.databaseName() + " SET synchronous_commit = off");
		this.store.close();
		// Sessions take the setting as they start: those of a new pool do.
		HikariDataSource newSessions = this.database.newDataSource();
		List<ILoggingEvent> logged = loggedWhile(
				() -> this.store = this.database.open(newSessions, PostgresStreamStore.Options.DEFAULTS));
		assertThat(logged).filteredOn((event) -> event.getLevel() == Level.WARN)
			.extracting(ILoggingEvent::getFormattedMessage)
			.anyMatch((message) -> message.contains("synchronous_commit = off"))
			.noneMatch((message) -> message.contains("fsync = off"));
	}

	@Test
	void aDatabaseThatWaitsForItsCommitsIsNotReported() {
		assertThat(loggedWhile(() -> this.database.open())).extracting(ILoggingEvent::getFormattedMessage)
			.noneMatch((message) -> message.contains("= off"));
	}

	/** Returns what the store logs while {@code opening} runs. */
	private static List<ILoggingEvent> loggedWhile(Runnable opening) {
		Logger logger = (Logger) LoggerFactory.getLogger(PostgresStreamStore.class);
		ListAppender<ILoggingEvent> appender = new ListAppender<>();
		appender.start();
		logger.addAppender(appender);
		try {
			opening.run();
		}
		finally {
			logger.detachAppender(appender);
		}
		return appender.list;
	}

	@Test
	void rowsRestoredByHandBeyondTheLastRowidAreCountedWhenTheStreamIsEnsured() throws Exception {
		this.store.ensureStream(orders());
		this.store.appendAndWait("orders", List.of(event("amount", 1), event("amount", 2)));
		this.database.execute("INSERT INTO events.orders (_interlace_rowid, _interlace_published_at,"
				+ " _interlace_publish_id, _interlace_id_ms, _interlace_id_seq, order_id, amount) SELECT g, now(),"
				+ " gen_random_uuid(), 9000000000000, g, 'restored', g FROM generate_series(10, 19) g");
		assertThat(this.store.describe("orders").rowCount()).isEqualTo(2);
		StreamTable ensured = this.store.ensureStream(orders());
		assertThat(ensured.rowCount()).isEqualTo(12);
		assertThat(ensured.lastRowid()).isEqualTo(19);
		PublishResult next = this.store.appendAndWait("orders", List.of(event("amount", 3)));
		assertThat(next.firstRowid()).isEqualTo(20);
		// Their entry IDs are never reused either: the next one follows the highest restored.
		assertThat(next.firstId()).isEqualTo(new EntryId(9_000_000_000_000L, 20));
		assertThat(this.store.describe("orders").rowCount()).isEqualTo(13).isEqualTo(tableCount("orders"));
	}

	@Test
	void aStreamTableDroppedByHandCountsFromZeroOnceEnsuredAgain() throws Exception {
		this.store.ensureStream(orders());
		this.store.appendAndWait("orders", List.of(event("amount", 1), event("amount", 2)));
		this.database.execute("DROP TABLE events.orders");
		assertThat(this.store.ensureStream(orders()).rowCount()).isZero();
		this.store.appendAndWait("orders", List.of(event("amount", 3)));
		assertThat(this.store.describe("orders").rowCount()).isOne();
	}

	@Test
	void aRecountAskedForInTheRegistryIsMadeByTheNextDescribe() throws Exception {
		this.store.ensureStream(orders());
		this.store.appendAndWait("orders", List.of(event("amount", 1), event("amount", 2)));
		this.database.execute("DELETE FROM events.orders WHERE amount = 1");
		this.database.execute("UPDATE interlace.streams SET row_count_known = false WHERE name = 'orders'");
		assertThat(this.store.describe("orders").rowCount()).isOne();
	}

	private long tableCount(String stream) throws Exception {
		return this.database.queryForLong("SELECT count(*) FROM events." + stream);
	}
	private static List<Map<String, Object>> publish(String orderId, int rows) {
		List<Map<String, Object>> events = new ArrayList<>();
		for (int i = 0; i < rows; i++) {
			events.add(event("order_id", orderId, "amount", i));
		}
		return events;
	}

	@Test
	void aFullWriterQueueFailsPublishesFastInsteadOfBlockingTheCaller() throws Exception {
		this.store.ensureStream(orders());
		try (PostgresStreamStore small = this.database
			.open(PostgresStreamStore.Options.DEFAULTS.withQueueCapacity(1).withWriterThreads(1));
				Connection blocker = this.database.dataSource().getConnection()) {
			small.ensureStream(orders());
			lockStreamRow(blocker, "orders");
			CompletableFuture<PublishResult> first = small.append("orders", List.of(event("amount", 1)));
			awaitWriterBlocked();
			assertAFullWriterQueueRefusesPublishesAtOnce(small, first, blocker::rollback);
		}
	}

	@Test
	void closingTheStoreLeavesTheCallersPoolOpen() throws Exception {
		this.store.ensureStream(orders());
		this.store.close();
		assertThat(this.database.dataSource().isClosed()).isFalse();
		assertThat(tableCount("orders")).isZero();
	}

	@Test
	void streamTablesHaveTheDocumentedColumnTypes() throws Exception {
		this.store.ensureStream(everyFieldType("typed"));
		List<String> columns = new ArrayList<>();
		try (Connection connection = this.database.dataSource().getConnection(); Statement statement = connection.createStatement();
				ResultSet rs = statement.executeQuery("SELECT a.attname || ' ' || format_type(a.atttypid, a.atttypmod)"
						+ " || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END FROM pg_attribute a"
						+ " WHERE a.attrelid = 'events.typed'::regclass AND a.attnum > 0 ORDER BY a.attnum")) {
			while (rs.next()) {
				columns.add(rs.getString(1));
			}
		}
		assertThat(columns).containsExactly("_interlace_rowid bigint not null",
				"_interlace_published_at timestamp with time zone not null", "_interlace_publish_id uuid not null",
				"_interlace_id_ms bigint not null", "_interlace_id_seq bigint not null", "s text", "i integer", "l bigint", "f real", "d double precision", "b boolean",
				"t timestamp with time zone", "day date", "j jsonb", "m numeric(38,10)");
	}

	@Test
	void connectionFailuresAreToldFromOtherErrors() {
		assertThat(PostgresStreamStore.isConnectionFailure(new java.sql.SQLException("refused", "08001"))).isTrue();
		assertThat(PostgresStreamStore.isConnectionFailure(new java.sql.SQLException("shutdown", "57P01"))).isTrue();
		assertThat(PostgresStreamStore.isConnectionFailure(new java.sql.SQLException("starting", "57P03"))).isTrue();
		assertThat(PostgresStreamStore.isConnectionFailure(
				new java.sql.SQLTransientConnectionException("timeout", null, new java.sql.SQLException("x", "08006"))))
			.isTrue();
		assertThat(PostgresStreamStore.isConnectionFailure(new java.sql.SQLException("not null", "23502"))).isFalse();
		assertThat(PostgresStreamStore.isConnectionFailure(new java.sql.SQLException("deadlock", "40P01"))).isFalse();
		assertThat(PostgresStreamStore.isConnectionFailure(new java.sql.SQLTransientConnectionException("pool busy")))
			.isFalse();
	}

	/** Holds a stream's registry row locked, as an appender of another instance would, until rolled back. */
	private static void lockStreamRow(Connection connection, String stream) throws Exception {
		connection.setAutoCommit(false);
		try (Statement statement = connection.createStatement()) {
			statement.execute("SELECT last_rowid FROM interlace.streams WHERE name = '" + stream + "' FOR UPDATE");
		}
	}

	/** Waits until a session of this database waits for a lock: the writer, behind the test's lock. */
	private void awaitWriterBlocked() throws Exception {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		try (Connection connection = this.database.dataSource().getConnection(); Statement statement = connection.createStatement()) {
			while (System.nanoTime() < deadline) {
				try (ResultSet rs = statement.executeQuery("SELECT count(*) FROM pg_stat_activity"
						+ " WHERE datname = current_database() AND wait_event_type = 'Lock'")) {
					rs.next();
					if (rs.getInt(1) > 0) {
						return;
					}
				}
				Thread.onSpinWait();
			}
		}
		throw new AssertionError("The writer never waited for the locked row");
	}

}
