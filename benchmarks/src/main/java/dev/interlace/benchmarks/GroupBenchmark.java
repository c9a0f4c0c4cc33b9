package dev.interlace.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import dev.interlace.core.EntryId;
import dev.interlace.core.FieldType;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.engine.DefaultConsumerGroups;
import dev.interlace.core.engine.DefaultStreams;
import dev.interlace.core.group.BlockingConsumerGroups;
import dev.interlace.core.group.GroupEntry;
import dev.interlace.core.group.GroupSettings;
import dev.interlace.core.group.GroupStart;
import dev.interlace.core.group.ReadOptions;
import dev.interlace.core.store.StreamStore;
import dev.interlace.core.store.duckdb.DuckDbStreamStore;
import dev.interlace.core.store.postgres.PostgresStreamStore;

/**
 * Consumer group throughput through the public Java API ({@link BlockingConsumerGroups}): each op is one entry read
 * with {@code >} and acknowledged, in reads of {@link #BATCH} entries followed by one acknowledgement of all of them.
 * <p>
 * The stream is filled before the trial; when a consumer finds it drained, the group's position is set back to the
 * beginning (the entries are acknowledged, so they are new to the group again), so every invocation reads and
 * acknowledges exactly {@link #BATCH} entries. DuckDB runs on a file in a fresh temporary directory; PostgreSQL on
 * the database of {@code -Dinterlace.bench.postgres.url} (user and password {@code interlace}, as
 * {@code benchmarks/load/start-postgres.sh} sets them up), whose engine tables and stream are dropped first.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class GroupBenchmark {

	/** Entries per read and per acknowledgement. */
	static final int BATCH = 1_000;

	static final String STREAM = "bench_group";

	static final String GROUP = "workers";

	@State(Scope.Benchmark)
	public static class Groups {

		@Param({ "duckdb" })
		public String backend;

		/** Entries published before the trial. */
		@Param({ "200000" })
		public int entries;

		Path dir;

		HikariDataSource dataSource;

		StreamStore store;

		BlockingConsumerGroups groups;

		final AtomicInteger consumers = new AtomicInteger();

		/** Held shared by every read-and-acknowledge, exclusively to start the group again. */
		final java.util.concurrent.locks.ReentrantReadWriteLock cycles = new java.util.concurrent.locks.ReentrantReadWriteLock();

		@Setup(Level.Trial)
		public void open() throws IOException {
			StreamDefinition definition = StreamDefinition.builder(STREAM)
				.field("id", FieldType.INT64)
				.field("user", FieldType.STRING)
				.field("amount", FieldType.FLOAT64)
				.build();
			if (this.backend.equals("postgres")) {
				HikariConfig config = new HikariConfig();
				config.setJdbcUrl(System.getProperty("interlace.bench.postgres.url",
						"jdbc:postgresql://127.0.0.1:55432/interlace_bench"));
				config.setUsername("interlace");
				config.setPassword("interlace");
				config.setMaximumPoolSize(16);
				this.dataSource = new HikariDataSource(config);
				try (var connection = this.dataSource.getConnection(); var statement = connection.createStatement()) {
					statement.execute("DROP SCHEMA IF EXISTS interlace CASCADE");
					statement.execute("DROP TABLE IF EXISTS public.flyway_schema_history");
					statement.execute("DROP TABLE IF EXISTS events." + STREAM);
				}
				catch (java.sql.SQLException ex) {
					throw new IllegalStateException(ex);
				}
				this.store = new PostgresStreamStore(this.dataSource);
			}
			else {
				this.dir = Files.createTempDirectory("interlace-bench");
				this.store = new DuckDbStreamStore(this.dir.resolve("bench.duckdb").toString());
			}
			DefaultStreams streams = new DefaultStreams(List.of(definition),
					Map.of(StreamDefinition.DEFAULT_CONNECTION, this.store));
			for (int published = 0; published < this.entries; published += 10_000) {
				List<Map<String, Object>> batch = new ArrayList<>(10_000);
				for (int i = 0; i < 10_000; i++) {
					Map<String, Object> event = new HashMap<>(4);
					event.put("id", (long) published + i);
					event.put("user", "user-" + (i & 7));
					event.put("amount", i / 100.0);
					batch.add(event);
				}
				streams.publishBlocking(STREAM, batch);
			}
			this.groups = new DefaultConsumerGroups(streams).blocking();
			this.groups.createGroup(STREAM, GROUP, GroupStart.beginning(), GroupSettings.REDIS);
		}

		@TearDown(Level.Trial)
		public void close() throws IOException {
			this.store.close();
			if (this.dataSource != null) {
				this.dataSource.close();
			}
			if (this.dir != null) {
				try (Stream<Path> paths = Files.walk(this.dir)) {
					paths.sorted(Comparator.reverseOrder()).forEach((path) -> {
						try {
							Files.delete(path);
						}
						catch (IOException ex) {
							throw new UncheckedIOException(ex);
						}
					});
				}
			}
		}

	}

	@State(Scope.Thread)
	public static class Consumer {

		String name;

		@Setup(Level.Trial)
		public void name(Groups groups) {
			this.name = "consumer-" + groups.consumers.incrementAndGet();
		}

	}

	private static long readAndAck(Groups state, Consumer consumer) {
		int done = 0;
		while (done < BATCH) {
			List<GroupEntry> entries;
			state.cycles.readLock().lock();
			try {
				entries = state.groups.read(STREAM, GROUP, consumer.name,
						new ReadOptions(BATCH - done, Duration.ZERO, false));
				List<EntryId> ids = new ArrayList<>(entries.size());
				for (GroupEntry entry : entries) {
					ids.add(entry.id());
				}
				if (!ids.isEmpty()) {
					done += (int) state.groups.acknowledge(STREAM, GROUP, ids);
				}
			}
			finally {
				state.cycles.readLock().unlock();
			}
			if (entries.isEmpty()) {
				startAgain(state);
			}
		}
		return done;
	}

	/**
	 * Sets the drained group back to the beginning once no consumer holds entries between its read and its
	 * acknowledgement: every entry is then acknowledged, and all are new to the group again.
	 */
	private static void startAgain(Groups state) {
		state.cycles.writeLock().lock();
		try {
			if (state.groups.pending(STREAM, GROUP).count() == 0) {
				state.groups.setPosition(STREAM, GROUP, GroupStart.beginning(), 0L);
			}
		}
		finally {
			state.cycles.writeLock().unlock();
		}
	}

	@Benchmark
	@Threads(1)
	@OperationsPerInvocation(BATCH)
	public long oneConsumer(Groups state, Consumer consumer) {
		return readAndAck(state, consumer);
	}

	@Benchmark
	@Threads(4)
	@OperationsPerInvocation(BATCH)
	public long fourConsumers(Groups state, Consumer consumer) {
		return readAndAck(state, consumer);
	}

}
