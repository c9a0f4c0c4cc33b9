package dev.interlace.core.store.postgres;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.interlace.core.FieldType;
import dev.interlace.core.PublishResult;
import dev.interlace.core.StoredEvent;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.EntryId;
import dev.interlace.core.store.CommitListener;

import static dev.interlace.core.store.StoreTestSupport.awaitCondition;
import static dev.interlace.core.store.StoreTestSupport.event;
import static dev.interlace.core.store.StoreTestSupport.readAll;
import static dev.interlace.core.store.StoreTestSupport.rowids;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two stores on one database, each with its own pool, stand for two server instances: rowids follow commit order
 * across both, both deliver every event live, cursors and schema changes are shared.
 */
class PostgresMultiInstanceTests {

	/** The stream the multi-instance tests load: who published it, from which thread, in which order. */
	static final StreamDefinition TICKS = StreamDefinition.builder("ticks")
		.field("instance", FieldType.STRING)
		.field("thread", FieldType.INT32)
		.field("seq", FieldType.INT32)
		.build();

	@RegisterExtension
	final PostgresTestStores database = new PostgresTestStores();

	private final ExecutorService pool = Executors.newCachedThreadPool();

	private PostgresStreamStore first;

	private PostgresStreamStore second;

	@AfterEach
	void stopTheCallers() {
		// Callers stop before the fixture closes their stores.
		this.pool.shutdownNow();
	}

	private void openTwoInstances() {
		this.first = this.database.openInstance();
		this.second = this.database.openInstance();
	}

	@Test
	void aConsumerSwitchingInstancesSeesEveryRowidOnceInOrderWhileBothPublish() throws Exception {
		openTwoInstances();
		this.first.ensureStream(TICKS);
		this.second.ensureStream(TICKS);
		AtomicBoolean publishing = new AtomicBoolean(true);
		Future<List<StoredEvent>> consumer = this.pool.submit(() -> {
			PostgresStreamStore[] instances = { this.first, this.second };
			List<StoredEvent> seen = new ArrayList<>();
			long last = 0;
			for (int round = 0; publishing.get() || !instances[round % 2].readAfter("ticks", last, 1).isEmpty(); round++) {
				PostgresStreamStore reader = instances[round % 2];
				PostgresStreamStore acker = instances[(round + 1) % 2];
				long cursor = reader.readCursor("ticks", "auditor");
				assertThat(cursor).isEqualTo(last);
				for (StoredEvent event : reader.readAfter("ticks", cursor, 300)) {
					assertThat(event.rowid()).as("rowid after %d", last).isEqualTo(last + 1);
					last = event.rowid();
					seen.add(event);
				}
				if (last > cursor) {
					assertThat(acker.commitCursor("ticks", "auditor", last)).isEqualTo(last);
				}
			}
			return seen;
		});
		List<PublishResult> results;
		try {
			results = publishConcurrently(8, 200, 20);
		}
		finally {
			publishing.set(false);
		}
		List<StoredEvent> seen = consumer.get(120, TimeUnit.SECONDS);
		long total = results.stream().mapToLong(PublishResult::rowsReceived).sum();
		assertThat(results).hasSize(2 * 8 * 200);
		assertThat(seen).hasSize((int) total);
		// The publishes' rowid ranges tile 1..N: nothing skipped, nothing shared.
		results.sort((a, b) -> Long.compare(a.firstRowid(), b.firstRowid()));
		long expectedFirst = 1;
		for (PublishResult result : results) {
			assertThat(result.firstRowid()).isEqualTo(expectedFirst);
			assertThat(result.lastRowid()).isEqualTo(result.firstRowid() + result.rowsReceived() - 1);
			for (long rowid = result.firstRowid(); rowid <= result.lastRowid(); rowid++) {
				assertThat(seen.get((int) rowid - 1).publishId()).isEqualTo(result.publishId());
			}
			expectedFirst = result.lastRowid() + 1;
		}
		assertThat(expectedFirst - 1).isEqualTo(total);
		assertThat(this.first.describe("ticks").lastRowid()).isEqualTo(total);
		assertThat(this.second.describe("ticks").rowCount()).isEqualTo(total);
		assertThat(this.second.readCursor("ticks", "auditor")).isEqualTo(total);
		// Each publisher's events are stored in the order it published them.
		Map<String, List<Integer>> seqs = new HashMap<>();
		for (StoredEvent event : seen) {
			seqs.computeIfAbsent(event.data().get("instance") + "/" + event.data().get("thread"), (k) -> new ArrayList<>())
				.add((Integer) event.data().get("seq"));
		}
		assertThat(seqs).hasSize(16);
		seqs.values().forEach((list) -> assertThat(list).isSorted().doesNotHaveDuplicates());
	}

	@Test
	void eachInstancesListenerReceivesEveryEventOfBothInstancesOnceInRowidOrder() throws Exception {
		openTwoInstances();
		List<StoredEvent> toFirst = new CopyOnWriteArrayList<>();
		List<StoredEvent> toSecond = new CopyOnWriteArrayList<>();
		this.first.addCommitListener(collector(toFirst));
		this.second.addCommitListener(collector(toSecond));
		this.first.ensureStream(TICKS);
		this.second.ensureStream(TICKS);
		List<PublishResult> results = publishConcurrently(4, 300, 10);
		long total = results.stream().mapToLong(PublishResult::rowsReceived).sum();
		awaitCondition(() -> toFirst.size() >= total && toSecond.size() >= total);
		List<StoredEvent> stored = readAll(this.first, "ticks");
		assertThat(stored).hasSize((int) total);
		assertThat(stored).extracting(StoredEvent::rowid).containsExactlyElementsOf(rowids(1, total));
		// Events from memory (own commits) and read back (the other instance's) are alike, and exactly the stored ones.
		assertThat(toFirst).containsExactlyElementsOf(stored);
		assertThat(toSecond).containsExactlyElementsOf(stored);
	}

	// Redis XADD: IDs of one stream only grow. Here two instances' appends, one-statement and COPY alike, take them
	// under the registry row lock in commit order, so they grow with rowids across instances.
	@Test
	void entryIdsOfBothInstancesIncreaseStrictlyInRowidOrderAndMatchWhatEachPublishReturned() throws Exception {
		openTwoInstances();
		this.first.ensureStream(TICKS);
		this.second.ensureStream(TICKS);
		// Up to 100 events a publish: past the COPY threshold of 64 rows for some publishes and most groups.
		List<PublishResult> results = publishConcurrently(3, 60, 100);
		List<StoredEvent> stored = readAll(this.second, "ticks");
		EntryId last = EntryId.MIN;
		for (StoredEvent event : stored) {
			assertThat(event.id()).as("rowid %d", event.rowid()).isGreaterThan(last);
			last = event.id();
		}
		Map<Long, EntryId> byRowid = new HashMap<>();
		stored.forEach((event) -> byRowid.put(event.rowid(), event.id()));
		for (PublishResult result : results) {
			assertThat(byRowid.get(result.firstRowid())).isEqualTo(result.firstId());
			assertThat(byRowid.get(result.lastRowid())).isEqualTo(result.lastId());
		}
	}

	@Test
	void aListenerWantingOnlySomeStreamsGetsExactlyThose() throws Exception {
		openTwoInstances();
		StreamDefinition other = StreamDefinition.builder("other").build();
		List<StoredEvent> received = new CopyOnWriteArrayList<>();
		this.first.addCommitListener(new CommitListener() {

			@Override
			public void committed(String stream, List<StoredEvent> events) {
				received.addAll(events);
			}

			@Override
			public boolean wants(String stream) {
				return stream.equals("ticks");
			}

		});
		for (PostgresStreamStore store : List.of(this.first, this.second)) {
			store.ensureStream(TICKS);
			store.ensureStream(other);
		}
		for (int i = 0; i < 20; i++) {
			PostgresStreamStore publisher = (i % 2 == 0) ? this.first : this.second;
			publisher.appendAndWait("other", List.of(Map.of("n", i)));
			publisher.appendAndWait("ticks", List.of(Map.of("seq", i)));
		}
		awaitCondition(() -> received.size() >= 20);
		assertThat(received).containsExactlyElementsOf(readAll(this.second, "ticks"));
	}

	@Test
	void concurrentCursorCommitsFromBothInstancesNeverMoveACursorBackwards() throws Exception {
		openTwoInstances();
		this.first.ensureStream(TICKS);
		this.second.ensureStream(TICKS);
		List<Map<String, Object>> events = new ArrayList<>();
		for (int i = 0; i < 1_000; i++) {
			events.add(Map.of("seq", i));
		}
		this.first.appendAndWait("ticks", events);
		AtomicBoolean acking = new AtomicBoolean(true);
		Future<List<Long>> observer = this.pool.submit(() -> {
			List<Long> observed = new ArrayList<>();
			for (int i = 0; acking.get(); i++) {
				observed.add(((i % 2 == 0) ? this.first : this.second).readCursor("ticks", "shared"));
			}
			return observed;
		});
		CountDownLatch start = new CountDownLatch(1);
		List<Future<?>> ackers = new ArrayList<>();
		for (int t = 0; t < 8; t++) {
			PostgresStreamStore store = (t % 2 == 0) ? this.first : this.second;
			int offset = t;
			ackers.add(this.pool.submit(() -> {
				start.await();
				for (long rowid = 1 + offset; rowid <= 1_000; rowid += 8) {
					// Acknowledge out of order too: an older ack arriving late must not win.
					long stale = Math.max(1, rowid - ThreadLocalRandom.current().nextInt(50));
					assertThat(store.commitCursor("ticks", "shared", rowid)).isGreaterThanOrEqualTo(rowid);
					assertThat(store.commitCursor("ticks", "shared", stale)).isGreaterThanOrEqualTo(rowid);
				}
				return null;
			}));
		}
		start.countDown();
		for (Future<?> acker : ackers) {
			acker.get(60, TimeUnit.SECONDS);
		}
		acking.set(false);
		List<Long> observed = observer.get(60, TimeUnit.SECONDS);
		assertThat(observed).isNotEmpty().isSorted();
		assertThat(this.first.readCursor("ticks", "shared")).isEqualTo(1_000);
		assertThat(this.second.readCursor("ticks", "shared")).isEqualTo(1_000);
	}

	@Test
	void twoInstancesStartAndEnsureTheSameStreamsAtOnceOnAnEmptyDatabase() throws Exception {
		List<StreamDefinition> definitions = new ArrayList<>();
		for (int i = 0; i < 6; i++) {
			definitions.add(StreamDefinition.builder("stream_" + i)
				.schema((i % 2 == 0) ? "events" : "audit_" + i)
				.field("id", FieldType.STRING)
				.field("n", FieldType.INT64)
				.build());
		}
		CountDownLatch start = new CountDownLatch(1);
		Callable<PostgresStreamStore> startInstance = () -> {
			start.await();
			PostgresStreamStore store = this.database.openInstance();
			for (StreamDefinition definition : definitions) {
				store.ensureStream(definition);
			}
			return store;
		};
		Future<PostgresStreamStore> one = this.pool.submit(startInstance);
		Future<PostgresStreamStore> two = this.pool.submit(startInstance);
		start.countDown();
		this.first = one.get(60, TimeUnit.SECONDS);
		this.second = two.get(60, TimeUnit.SECONDS);
		for (StreamDefinition definition : definitions) {
			assertThat(this.first.appendAndWait(definition.name(), List.of(Map.of("id", "a"))).firstRowid()).isEqualTo(1);
			assertThat(this.second.appendAndWait(definition.name(), List.of(Map.of("id", "b"))).firstRowid()).isEqualTo(2);
			assertThat(this.second.describe(definition.name()).columns()).containsOnlyKeys("id", "n");
		}
	}

	@Test
	void aColumnOneInstanceAddedIsUsedByTheOther() {
		openTwoInstances();
		StreamDefinition clicks = StreamDefinition.builder("clicks").build();
		this.first.ensureStream(clicks);
		this.second.ensureStream(clicks);
		this.first.appendAndWait("clicks", List.of(event("page", "/", "count", 1, "note", "text")));
		// The second instance has not seen these columns: it infers them again, finds them made and fits its values.
		this.second.appendAndWait("clicks", List.of(event("page", "/cart", "count", 2, "note", 42)));
		assertThat(this.second.describe("clicks").columns()).containsExactly(Map.entry("page", FieldType.STRING),
				Map.entry("count", FieldType.INT64), Map.entry("note", FieldType.STRING));
		assertThat(readAll(this.first, "clicks")).extracting(StoredEvent::data)
			.containsExactly(Map.of("page", "/", "count", 1L, "note", "text"),
					Map.of("page", "/cart", "count", 2L, "note", "42"));
	}

	@Test
	void bothInstancesAddingTheSameNewColumnsAtOnceBothSucceed() throws Exception {
		openTwoInstances();
		StreamDefinition clicks = StreamDefinition.builder("clicks").build();
		this.first.ensureStream(clicks);
		this.second.ensureStream(clicks);
		for (int round = 0; round < 10; round++) {
			String field = "field_" + round;
			CountDownLatch start = new CountDownLatch(1);
			List<Future<PublishResult>> publishes = new ArrayList<>();
			for (PostgresStreamStore store : List.of(this.first, this.second)) {
				for (int t = 0; t < 2; t++) {
					publishes.add(this.pool.submit(() -> {
						start.await();
						return store.appendAndWait("clicks", List.of(Map.of(field, 1)));
					}));
				}
			}
			start.countDown();
			for (Future<PublishResult> publish : publishes) {
				assertThat(publish.get(60, TimeUnit.SECONDS).rowsReceived()).isEqualTo(1);
			}
		}
		Map<String, FieldType> expected = new LinkedHashMap<>();
		for (int round = 0; round < 10; round++) {
			expected.put("field_" + round, FieldType.INT64);
		}
		assertThat(this.first.describe("clicks").columns()).containsExactlyEntriesOf(expected);
		assertThat(readAll(this.second, "clicks")).hasSize(40);
	}

	/**
	 * Publishes from threads on both instances at once: each thread publishes 1 to {@code maxEvents} events at a
	 * time, numbering its events.
	 */
	private List<PublishResult> publishConcurrently(int threadsPerInstance, int publishesPerThread, int maxEvents)
			throws Exception {
		CountDownLatch start = new CountDownLatch(1);
		List<Future<List<PublishResult>>> futures = new ArrayList<>();
		for (PostgresStreamStore store : List.of(this.first, this.second)) {
			String instance = (store == this.first) ? "first" : "second";
			for (int t = 0; t < threadsPerInstance; t++) {
				int thread = t;
				futures.add(this.pool.submit(() -> {
					start.await();
					List<PublishResult> results = new ArrayList<>();
					int seq = 0;
					for (int p = 0; p < publishesPerThread; p++) {
						List<Map<String, Object>> events = new ArrayList<>();
						int size = 1 + ThreadLocalRandom.current().nextInt(maxEvents);
						for (int e = 0; e < size; e++) {
							events.add(Map.of("instance", instance, "thread", thread, "seq", seq++));
						}
						results.add(store.appendAndWait("ticks", events));
					}
					return results;
				}));
			}
		}
		start.countDown();
		List<PublishResult> results = new ArrayList<>();
		for (Future<List<PublishResult>> future : futures) {
			results.addAll(future.get(180, TimeUnit.SECONDS));
		}
		assertThat(results).extracting(PublishResult::publishId).doesNotHaveDuplicates();
		return results;
	}

	private static CommitListener collector(List<StoredEvent> events) {
		return (stream, committed) -> events.addAll(committed);
	}

}
