package dev.interlace.core.store.postgres;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.interlace.core.FieldType;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.store.StreamTable;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The row count PostgreSQL keeps per stream in {@code interlace.streams}: exact whatever two instances on one
 * database publish, trim and change at once, and for streams an older version left uncounted.
 */
class PostgresRowCountTests {

	private static final StreamDefinition TICKS = PostgresMultiInstanceTests.TICKS;

	@RegisterExtension
	final PostgresTestStores database = new PostgresTestStores();

	private final HikariDataSource admin = this.database.dataSource();

	private final ExecutorService pool = Executors.newCachedThreadPool();

	@AfterEach
	void stopTheCallers() {
		// Callers stop before the fixture closes their stores.
		this.pool.shutdownNow();
	}

	@Test
	void countStaysExactWhileTwoInstancesPublishTrimAndAddColumnsAtOnce() throws Exception {
		PostgresStreamStore first = open();
		// Small groups on one instance, COPY on the other: both write paths count.
		PostgresStreamStore second = open(PostgresStreamStore.Options.DEFAULTS.withCopyThreshold(8));
		first.ensureStream(TICKS);
		second.ensureStream(TICKS);
		Load load = new Load(first, second);
		load.trim(first, (store) -> store.trimToMaxRows("ticks", 400, 50));
		load.trim(second, (store) -> store.trimToMaxRows("ticks", 300, 70));
		load.trim(second, (store) -> store.trimOlderThan("ticks", Instant.now().minusMillis(300), 40));
		// Schema changes lock the registry row and then the table, the reverse of a trim batch's order.
		load.background(() -> {
			for (int i = 0; i < 8 && load.running(); i++) {
				first.ensureStream(TICKS.toBuilder().field("extra_" + i, FieldType.STRING).build());
				Thread.sleep(100);
			}
		});
		long published = load.run(4, 150, 30);
		assertThat(published).isPositive();
		assertThat(load.trimmed()).isPositive();
		long rows = tableCount();
		assertThat(rows).isEqualTo(published - load.trimmed());
		assertThat(storedCount()).isEqualTo(rows);
		assertThat(first.describe("ticks").rowCount()).isEqualTo(rows);
		assertThat(second.describe("ticks").rowCount()).isEqualTo(rows);
		assertThat(load.checks()).isPositive();
	}

	@Test
	void aStreamAnOlderVersionLeftIsCountedOnceWhenUpgradedInstancesStartTogether() throws Exception {
		createAsOlderVersion(100_000);
		CountDownLatch start = new CountDownLatch(1);
		List<Future<StreamTable>> ensured = new ArrayList<>();
		for (int i = 0; i < 2; i++) {
			ensured.add(this.pool.submit(() -> {
				start.await();
				return open().ensureStream(TICKS);
			}));
		}
		start.countDown();
		for (Future<StreamTable> table : ensured) {
			assertThat(table.get(60, TimeUnit.SECONDS).rowCount()).isEqualTo(99_000);
		}
		assertThat(storedCount()).isEqualTo(99_000);
		assertThat(this.database.queryForLong("SELECT row_count_known::int FROM interlace.streams WHERE name = 'ticks'"))
			.isOne();
	}

	@Test
	void aCountTakenWhileBothInstancesPublishAndTrimIsExact() throws Exception {
		createAsOlderVersion(300_000);
		PostgresStreamStore first = open();
		PostgresStreamStore second = open();
		assertThat(first.ensureStream(TICKS).rowCount()).isEqualTo(299_000);
		second.ensureStream(TICKS);
		Load load = new Load(first, second);
		load.trim(first, (store) -> store.trimToMaxRows("ticks", 290_000, 500));
		load.trim(second, (store) -> store.trimToMaxRows("ticks", 289_000, 300));
		AtomicLong recounts = new AtomicLong();
		// Each round puts the stream back as the migration leaves an older stream, so that the scan, which takes a
		// while at this size, overlaps commits of both instances.
		load.background(() -> {
			while (load.running()) {
				this.database.execute(
						"UPDATE interlace.streams SET row_count = 0, row_count_known = false WHERE name = 'ticks'");
				if (recounts.incrementAndGet() % 2 == 0) {
					first.describe("ticks");
				}
				else {
					second.ensureStream(TICKS);
				}
			}
		});
		long published = load.run(4, 150, 30);
		assertThat(recounts.get()).isGreaterThan(3);
		long rows = tableCount();
		assertThat(rows).isEqualTo(299_000 + published - load.trimmed());
		// The last round may have ended with the count unknown: the next describe counts it.
		assertThat(first.describe("ticks").rowCount()).isEqualTo(rows);
		assertThat(second.describe("ticks").rowCount()).isEqualTo(rows);
		assertThat(storedCount()).isEqualTo(rows);
		assertThat(load.checks()).isPositive();
	}

	/**
	 * Leaves a database as version 1 of the schema did: the registry without counts, and a stream whose oldest
	 * thousand rows retention already deleted.
	 */
	private void createAsOlderVersion(int lastRowid) throws Exception {
		Flyway.configure(getClass().getClassLoader())
			.dataSource(this.admin)
			.schemas("interlace")
			.createSchemas(true)
			.table("interlace_schema_history")
			.locations("classpath:dev/interlace/db/postgres")
			.target("1")
			.load()
			.migrate();
		this.database.execute("CREATE SCHEMA events");
		this.database.execute("CREATE TABLE events.ticks (_interlace_rowid bigint PRIMARY KEY,"
				+ " _interlace_published_at timestamptz NOT NULL, _interlace_publish_id uuid NOT NULL, instance text,"
				+ " thread integer, seq integer)");
		this.database.execute("INSERT INTO events.ticks SELECT g, now(), gen_random_uuid(), 'old', 0, g"
				+ " FROM generate_series(1001, " + lastRowid + ") g");
		this.database.execute("INSERT INTO interlace.streams"
				+ " (name, schema_name, definition, last_rowid, created_at, updated_at)"
				+ " VALUES ('ticks', 'events', '{}', " + lastRowid + ", now(), now())");
	}

	private PostgresStreamStore open() {
		return this.database.openInstance();
	}

	private PostgresStreamStore open(PostgresStreamStore.Options options) {
		return this.database.openInstance(options);
	}

	private long tableCount() throws Exception {
		return this.database.queryForLong("SELECT count(*) FROM events.ticks");
	}

	private long storedCount() throws Exception {
		return this.database
			.queryForLong("SELECT row_count FROM interlace.streams WHERE name = 'ticks' AND row_count_known");
	}

	@FunctionalInterface
	private interface Trim {

		long run(PostgresStreamStore store);

	}

	@FunctionalInterface
	private interface Task {

		void run() throws Exception;

	}

	/**
	 * Publishers on both instances, with trims and other work running until they are done, and a checker that
	 * compares the stored count with the table's rows in one snapshot whenever the count is known: it must never
	 * be off, not only at the end.
	 */
	private final class Load {

		private final PostgresStreamStore first;

		private final PostgresStreamStore second;

		private final AtomicBoolean running = new AtomicBoolean(true);

		private final AtomicLong trimmed = new AtomicLong();

		private final AtomicLong checks = new AtomicLong();

		private final List<Future<?>> background = new ArrayList<>();

		Load(PostgresStreamStore first, PostgresStreamStore second) {
			this.first = first;
			this.second = second;
			background(() -> {
				try (Connection connection = PostgresRowCountTests.this.admin.getConnection();
						Statement statement = connection.createStatement()) {
					while (running()) {
						try (ResultSet rs = statement.executeQuery("SELECT row_count_known, row_count,"
								+ " (SELECT count(*) FROM events.ticks) FROM interlace.streams WHERE name = 'ticks'")) {
							rs.next();
							if (rs.getBoolean(1)) {
								assertThat(rs.getLong(2)).as("stored count").isEqualTo(rs.getLong(3));
								this.checks.incrementAndGet();
							}
						}
						Thread.sleep(5);
					}
				}
			});
		}

		boolean running() {
			return this.running.get();
		}

		long trimmed() {
			return this.trimmed.get();
		}

		long checks() {
			return this.checks.get();
		}

		void trim(PostgresStreamStore store, Trim trim) {
			background(() -> {
				while (running()) {
					this.trimmed.addAndGet(trim.run(store));
					Thread.sleep(ThreadLocalRandom.current().nextInt(20));
				}
			});
		}

		void background(Task task) {
			this.background.add(PostgresRowCountTests.this.pool.submit(() -> {
				task.run();
				return null;
			}));
		}

		/**
		 * Publishes from threads on both instances, 1 to {@code maxEvents} events at a time, then stops the
		 * background work and fails with whatever failed there.
		 * @return the events published
		 */
		long run(int threadsPerInstance, int publishesPerThread, int maxEvents) throws Exception {
			CountDownLatch start = new CountDownLatch(1);
			List<Future<Long>> publishers = new ArrayList<>();
			for (PostgresStreamStore store : List.of(this.first, this.second)) {
				for (int t = 0; t < threadsPerInstance; t++) {
					int thread = t;
					publishers.add(PostgresRowCountTests.this.pool.submit(() -> {
						start.await();
						long events = 0;
						for (int p = 0; p < publishesPerThread; p++) {
							int size = 1 + ThreadLocalRandom.current().nextInt(maxEvents);
							List<Map<String, Object>> batch = new ArrayList<>();
							for (int e = 0; e < size; e++) {
								batch.add(Map.of("instance", (store == this.first) ? "first" : "second", "thread",
										thread, "seq", p));
							}
							events += store.appendAndWait("ticks", batch).rowsReceived();
						}
						return events;
					}));
				}
			}
			start.countDown();
			long published = 0;
			try {
				for (Future<Long> publisher : publishers) {
					published += publisher.get(180, TimeUnit.SECONDS);
				}
			}
			finally {
				this.running.set(false);
			}
			for (Future<?> task : this.background) {
				task.get(120, TimeUnit.SECONDS);
			}
			return published;
		}

	}

}
