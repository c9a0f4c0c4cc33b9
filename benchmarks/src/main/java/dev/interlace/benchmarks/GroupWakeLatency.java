package dev.interlace.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import dev.interlace.core.FieldType;
import dev.interlace.core.StoredEvent;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.engine.DefaultConsumerGroups;
import dev.interlace.core.engine.DefaultStreams;
import dev.interlace.core.group.GroupEntry;
import dev.interlace.core.group.GroupSettings;
import dev.interlace.core.group.GroupStart;
import dev.interlace.core.group.ReadOptions;
import dev.interlace.core.store.CommitListener;
import dev.interlace.core.store.StreamStore;
import dev.interlace.core.store.duckdb.DuckDbStreamStore;
import dev.interlace.core.store.postgres.PostgresStreamStore;

/**
 * Wake-up latency of a blocking consumer group read: parks one {@code ConsumerGroups.read} with a block, publishes
 * one event, and measures the time from the publish's commit to the read's answer, over many rounds; prints
 * p50/p99/p99.9/max.
 * <p>
 * The commit is timed by a {@link CommitListener} added to the store before the engine's own, so it runs first,
 * right after the commit; "publish returned" is the time {@code publishBlocking} gave its result back. The answer is
 * timed where the read's {@code Mono} emits, on whatever thread delivers it. Each round waits until the read is parked
 * (it found nothing and holds no thread) before publishing, and acknowledges the entry afterwards, untimed.
 * <p>
 * Usage: {@code java -cp benchmarks.jar dev.interlace.benchmarks.GroupWakeLatency <duckdb|postgres> [rounds]
 * [warm-up rounds]}; PostgreSQL at {@code -Dinterlace.bench.postgres.url} (default
 * {@code jdbc:postgresql://127.0.0.1:55432/interlace_bench}, user and password {@code interlace}), whose engine
 * tables and stream are dropped first.
 */
public final class GroupWakeLatency {

	private static final String STREAM = "bench_wake";

	private static final String GROUP = "waiters";

	private volatile long committedAt;

	private GroupWakeLatency() {
	}

	public static void main(String[] args) throws Exception {
		String backend = (args.length > 0) ? args[0] : "duckdb";
		int rounds = (args.length > 1) ? Integer.parseInt(args[1]) : 2_000;
		int warmup = (args.length > 2) ? Integer.parseInt(args[2]) : 500;
		new GroupWakeLatency().run(backend, rounds, warmup);
		System.exit(0);
	}

	private void run(String backend, int rounds, int warmup) throws Exception {
		StreamDefinition definition = StreamDefinition.builder(STREAM).field("n", FieldType.INT64).build();
		HikariDataSource dataSource = null;
		Path dir = null;
		StreamStore store;
		if (backend.equals("postgres")) {
			HikariConfig config = new HikariConfig();
			config.setJdbcUrl(System.getProperty("interlace.bench.postgres.url",
					"jdbc:postgresql://127.0.0.1:55432/interlace_bench"));
			config.setUsername("interlace");
			config.setPassword("interlace");
			config.setMaximumPoolSize(8);
			dataSource = new HikariDataSource(config);
			try (var connection = dataSource.getConnection(); var statement = connection.createStatement()) {
				statement.execute("DROP SCHEMA IF EXISTS interlace CASCADE");
				statement.execute("DROP TABLE IF EXISTS public.flyway_schema_history");
				statement.execute("DROP TABLE IF EXISTS events." + STREAM);
			}
			store = new PostgresStreamStore(dataSource);
		}
		else {
			dir = Files.createTempDirectory("interlace-wake");
			store = new DuckDbStreamStore(dir.resolve("wake.duckdb").toString());
		}
		// Added before the engine's listeners, so it hears of each commit first.
		store.addCommitListener(new CommitListener() {

			@Override
			public boolean wants(String stream) {
				return STREAM.equals(stream);
			}

			@Override
			public void committed(String stream, List<StoredEvent> events) {
				GroupWakeLatency.this.committedAt = System.nanoTime();
			}

		});
		DefaultStreams streams = new DefaultStreams(List.of(definition),
				Map.of(StreamDefinition.DEFAULT_CONNECTION, store));
		DefaultConsumerGroups groups = new DefaultConsumerGroups(streams);
		groups.createGroup(STREAM, GROUP, GroupStart.end(), GroupSettings.REDIS).block(Duration.ofSeconds(30));
		long[] fromCommit = new long[rounds];
		long[] fromPublish = new long[rounds];
		ReadOptions options = new ReadOptions(10, Duration.ofSeconds(10), false);
		for (int round = -warmup; round < rounds; round++) {
			CompletableFuture<Long> answered = new CompletableFuture<>();
			groups.read(STREAM, GROUP, "c1", options).subscribe((entries) -> {
				long at = System.nanoTime();
				if (entries.size() != 1) {
					answered.completeExceptionally(new IllegalStateException("Read " + entries.size() + " entries"));
				}
				else {
					answered.complete(at);
				}
			}, answered::completeExceptionally);
			long parkedBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
			while (groups.waiting() == 0) {
				if (System.nanoTime() > parkedBy) {
					throw new IllegalStateException("The read never parked");
				}
				Thread.onSpinWait();
			}
			this.committedAt = 0;
			streams.publishBlocking(STREAM, List.of(Map.of("n", (long) round)));
			long published = System.nanoTime();
			long at = answered.get(10, TimeUnit.SECONDS);
			if (round >= 0) {
				fromCommit[round] = at - this.committedAt;
				fromPublish[round] = at - published;
			}
			List<GroupEntry> left = groups.readPending(STREAM, GROUP, "c1", dev.interlace.core.EntryId.MIN, 10)
				.block(Duration.ofSeconds(10));
			groups.acknowledge(STREAM, GROUP, left.stream().map(GroupEntry::id).toList()).block(Duration.ofSeconds(10));
		}
		System.out.printf("%s, %d rounds after %d warm-up: wake-up latency%n", backend, rounds, warmup);
		print("  from the commit (listener)", fromCommit);
		print("  from publishBlocking return", fromPublish);
		store.close();
		if (dataSource != null) {
			dataSource.close();
		}
		if (dir != null) {
			try (Stream<Path> paths = Files.walk(dir)) {
				paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
			}
		}
	}

	private static void print(String what, long[] nanos) {
		long[] sorted = nanos.clone();
		Arrays.sort(sorted);
		System.out.printf("%s: p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.3f ms%n", what, at(sorted, 0.50),
				at(sorted, 0.99), at(sorted, 0.999), sorted[sorted.length - 1] / 1e6);
	}

	private static double at(long[] sorted, double quantile) {
		int index = (int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1);
		return sorted[Math.max(0, index)] / 1e6;
	}

}
