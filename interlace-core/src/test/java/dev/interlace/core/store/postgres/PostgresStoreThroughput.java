package dev.interlace.core.store.postgres;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import com.zaxxer.hikari.HikariDataSource;

import dev.interlace.core.FieldType;
import dev.interlace.core.StreamDefinition;

/**
 * A quick throughput check of {@link PostgresStreamStore} on the test server (fsync on), not a test: events/s when
 * publishing the load benchmark's events in batches and one at a time. Run with the test class path, e.g.
 * <pre>
 * mvn -q -o test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -pl interlace-core
 * java -cp interlace-core/target/test-classes:interlace-core/target/classes:$(cat interlace-core/target/cp.txt) \
 *     dev.interlace.core.store.postgres.PostgresStoreThroughput [seconds] [copyThreshold] [writers] [lingerMicros]
 * </pre>
 */
public final class PostgresStoreThroughput {

	private static final StreamDefinition BENCH = StreamDefinition.builder("bench")
		.field("id", FieldType.INT64)
		.field("user", FieldType.STRING)
		.field("amount", FieldType.FLOAT64)
		.field("sent_at", FieldType.INT64)
		.build();

	private PostgresStoreThroughput() {
	}

	public static void main(String[] args) throws Exception {
		int seconds = (args.length > 0) ? Integer.parseInt(args[0]) : 10;
		PostgresStreamStore.Options options = PostgresStreamStore.Options.DEFAULTS;
		if (args.length > 1) {
			options = options.withCopyThreshold(Integer.parseInt(args[1]));
		}
		if (args.length > 2) {
			options = options.withWriterThreads(Integer.parseInt(args[2]));
		}
		if (args.length > 3) {
			options = options.withLinger(Duration.ofNanos(Long.parseLong(args[3]) * 1_000));
		}
		System.out.println("Options: " + options);
		TestPostgres postgres = TestPostgres.shared();
		run(postgres, options, "batches of 100, 4 threads, 1 publish in flight each", 4, 100, 1, seconds);
		// As many publishes in flight as the HTTP load benchmark's connections: 16 for batches, 50 for single events.
		run(postgres, options, "batches of 100, 4 threads, 4 publishes in flight each", 4, 100, 4, seconds);
		run(postgres, options, "single events, 16 threads, 1 publish in flight each", 16, 1, 1, seconds);
		run(postgres, options, "single events, 2 threads, 25 publishes in flight each", 2, 1, 25, seconds);
		System.exit(0);
	}

	private static void run(TestPostgres postgres, PostgresStreamStore.Options options, String name, int threads,
			int batchSize, int inFlight, int seconds) throws Exception {
		try (HikariDataSource dataSource = postgres.newDatabase();
				PostgresStreamStore store = new PostgresStreamStore(dataSource, options)) {
			store.ensureStream(BENCH);
			List<Map<String, Object>> batch = new ArrayList<>();
			for (int i = 0; i < batchSize; i++) {
				Map<String, Object> event = new LinkedHashMap<>();
				event.put("id", (long) i);
				event.put("user", "user-" + (i % 1000));
				event.put("amount", i % 100 + 0.5);
				event.put("sent_at", 0L);
				batch.add(event);
			}
			AtomicBoolean running = new AtomicBoolean(true);
			AtomicBoolean measuring = new AtomicBoolean(false);
			AtomicLong events = new AtomicLong();
			AtomicLong failures = new AtomicLong();
			CountDownLatch done = new CountDownLatch(threads);
			for (int t = 0; t < threads; t++) {
				Thread thread = new Thread(() -> {
					Semaphore window = new Semaphore(inFlight);
					try {
						while (running.get()) {
							window.acquire();
							CompletableFuture<?> publish = store.append("bench", batch);
							publish.whenComplete((result, ex) -> {
								window.release();
								if (ex != null) {
									failures.incrementAndGet();
								}
								else if (measuring.get()) {
									events.addAndGet(batchSize);
								}
							});
						}
						window.acquire(inFlight);
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
					}
					finally {
						done.countDown();
					}
				});
				thread.start();
			}
			Thread.sleep(3_000);
			measuring.set(true);
			long start = System.nanoTime();
			Thread.sleep(seconds * 1_000L);
			measuring.set(false);
			double elapsed = (System.nanoTime() - start) / 1e9;
			running.set(false);
			done.await(60, TimeUnit.SECONDS);
			System.out.printf("%-58s %,10.0f events/s  (%,d publishes failed)%n", name + ":", events.get() / elapsed,
					failures.get());
		}
	}

}
