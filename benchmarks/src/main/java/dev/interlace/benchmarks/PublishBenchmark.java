package dev.interlace.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

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

import dev.interlace.core.FieldType;
import dev.interlace.core.PublishResult;
import dev.interlace.core.StoredEvent;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.Streams;
import dev.interlace.core.engine.DefaultStreams;
import dev.interlace.core.store.duckdb.DuckDbStreamStore;

/**
 * Publish throughput through the public Java API ({@link Streams#publishBlocking}) into a file-backed DuckDB store.
 * <p>
 * Every reported op is one event: {@link #batchOf100} publishes 100 events per call and declares
 * {@code @OperationsPerInvocation(100)}; {@link #singleEvent} publishes one. Concurrent publishes are group-committed by
 * the store's writer thread, so several benchmark threads are used.
 * <p>
 * The database lives in a fresh temporary directory (under {@code -Dinterlace.bench.dir} when set, else
 * {@code java.io.tmpdir}) that is deleted after the trial. After each iteration the committed groups of that iteration
 * are read back from the table (every group shares one {@code _interlace_published_at}) and printed, so the group
 * sizes behind a result are visible.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class PublishBenchmark {

	/** The stream every benchmark publishes to. */
	static final String STREAM = "bench_events";

	private static final String[] USERS = { "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi" };

	@State(Scope.Benchmark)
	public static class Store {

		Path dir;

		String file;

		DuckDbStreamStore store;

		Streams streams;

		final AtomicLong ids = new AtomicLong();

		/** DuckDB worker threads; 0 keeps DuckDB's default of one per core. */
		@Param({ "1" })
		public int duckdbThreads;

		/** How long the writer waits for publishers to come back before committing a smaller group. */
		@Param({ "600" })
		public int lingerMicros;

		private Instant iterationStart;

		@Setup(Level.Trial)
		public void open() throws IOException {
			String base = System.getProperty("interlace.bench.dir");
			this.dir = (base != null) ? Files.createTempDirectory(Files.createDirectories(Path.of(base)), "interlace-bench")
					: Files.createTempDirectory("interlace-bench");
			this.file = this.dir.resolve("bench.duckdb").toString();
			this.store = new DuckDbStreamStore(this.file,
					DuckDbStreamStore.Options.DEFAULTS.withThreads(this.duckdbThreads)
						.withLinger(java.time.Duration.ofNanos(this.lingerMicros * 1_000L)));
			StreamDefinition definition = StreamDefinition.builder(STREAM)
				.field("id", FieldType.INT64)
				.field("user", FieldType.STRING)
				.field("amount", FieldType.FLOAT64)
				.field("ts", FieldType.TIMESTAMP)
				.build();
			this.streams = new DefaultStreams(List.of(definition), Map.of(StreamDefinition.DEFAULT_CONNECTION, this.store));
		}

		@Setup(Level.Iteration)
		public void markIteration() {
			this.iterationStart = Instant.now();
		}

		@TearDown(Level.Iteration)
		public void reportGroups() {
			// Every row of one group commit shares its publish time: count rows and publishes per time.
			String sql = "SELECT count(*) AS groups, sum(rows) AS rows_total, avg(rows) AS avg_rows, "
					+ "avg(publishes) AS avg_publishes, max(rows) AS max_rows, "
					+ "quantile_cont(rows, 0.5) AS p50_rows FROM (SELECT " + StoredEvent.PUBLISHED_AT
					+ ", count(*) AS rows, count(DISTINCT " + StoredEvent.PUBLISH_ID + ") AS publishes FROM events."
					+ STREAM + " WHERE " + StoredEvent.PUBLISHED_AT + " >= ? GROUP BY 1)";
			try (Connection connection = this.store.openConnection();
					PreparedStatement query = connection.prepareStatement(sql)) {
				query.setObject(1, java.time.OffsetDateTime.ofInstant(this.iterationStart, java.time.ZoneOffset.UTC));
				try (ResultSet rs = query.executeQuery()) {
					if (rs.next() && rs.getLong(1) > 0) {
						double seconds = (Instant.now().toEpochMilli() - this.iterationStart.toEpochMilli()) / 1000.0;
						System.out.printf("%n  [groups] %d commits (~%.0f/s), rows %d, avg %.1f rows / %.1f publishes per "
								+ "commit, median %.0f rows, max %d rows%n", rs.getLong(1), rs.getLong(1) / seconds,
								rs.getLong(2), rs.getDouble(3), rs.getDouble(4), rs.getDouble(6), rs.getLong(5));
					}
				}
			}
			catch (SQLException ex) {
				System.out.println("  [groups] could not read group sizes: " + ex.getMessage());
			}
		}

		@TearDown(Level.Trial)
		public void close() throws IOException {
			this.store.close();
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

		Map<String, Object> event() {
			long id = this.ids.incrementAndGet();
			Map<String, Object> event = new HashMap<>(8);
			event.put("id", id);
			event.put("user", USERS[(int) (id & 7)]);
			event.put("amount", (id % 10_000) / 100.0);
			event.put("ts", Instant.now());
			return event;
		}

	}

	@Benchmark
	@Threads(4)
	@OperationsPerInvocation(100)
	public PublishResult batchOf100(Store state) {
		List<Map<String, Object>> batch = new ArrayList<>(100);
		for (int i = 0; i < 100; i++) {
			batch.add(state.event());
		}
		return state.streams.publishBlocking(STREAM, batch);
	}

	@Benchmark
	@Threads(16)
	public PublishResult singleEvent(Store state) {
		return state.streams.publishBlocking(STREAM, state.event());
	}

}
