package dev.interlace.core.store.postgres;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.interlace.core.FieldType;
import dev.interlace.core.PublishResult;
import dev.interlace.core.StoredEvent;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.store.DatabaseStores;
import dev.interlace.core.store.StoreTransactionsContractTests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The transaction contract on a real PostgreSQL, each test on a fresh database, plus what only a database shared by
 * several instances shows: another instance hears of a transaction's appends through {@code NOTIFY} and sees its
 * cursor, and transactions and ordinary publishes of two instances share one gapless sequence of rowids.
 */
class PostgresStoreTransactionsTests extends StoreTransactionsContractTests {

	private static final StreamDefinition INPUT = StreamDefinition.builder("input").field("n", FieldType.INT64).build();

	private static final StreamDefinition OUTPUT = StreamDefinition.builder("output")
		.field("n", FieldType.INT64)
		.build();

	@RegisterExtension
	final PostgresTestStores database = new PostgresTestStores();

	private final ExecutorService pool = Executors.newCachedThreadPool();

	@Override
	protected DatabaseStores openStores() {
		return this.database.openStores();
	}

	@AfterEach
	void stopThePool() throws InterruptedException {
		this.pool.shutdownNow();
		this.pool.awaitTermination(10, TimeUnit.SECONDS);
	}

	@Test
	void anotherInstanceHearsOfATransactionsAppendsAndSeesItsCursor() throws Exception {
		PostgresStreamStore first = this.database.openInstance();
		PostgresStreamStore second = this.database.openInstance();
		for (PostgresStreamStore store : List.of(first, second)) {
			store.ensureStream(INPUT);
			store.ensureStream(OUTPUT);
		}
		List<StoredEvent> heard = new CopyOnWriteArrayList<>();
		second.addCommitListener((stream, events) -> {
			if (stream.equals("output")) {
				heard.addAll(events);
			}
		});
		first.appendAndWait("input", List.of(event(1), event(2), event(3)));
		PublishResult output = first.inTransaction((transaction) -> {
			PublishResult appended = transaction.append("output", List.of(event(10), event(20)));
			transaction.commitCursor("input", "processor", 3, 10);
			return appended;
		});
		awaitUntil(() -> heard.size() >= 2);
		assertThat(heard).extracting(StoredEvent::rowid).containsExactly(1L, 2L);
		assertThat(heard).extracting((event) -> event.data().get("n")).containsExactly(10L, 20L);
		assertThat(heard).extracting(StoredEvent::publishId).containsOnly(output.publishId());
		assertThat(second.readCursor("input", "processor")).isEqualTo(3);
		// The second instance's own publishes continue after the transaction's rowids.
		assertThat(second.appendAndWait("output", List.of(event(30))).firstRowid()).isEqualTo(3);
	}

	@Test
	void transactionsAndPublishesOfTwoInstancesLeaveRowidsWithoutGapsOrRepeats() throws Exception {
		PostgresStreamStore first = this.database.openInstance();
		PostgresStreamStore second = this.database.openInstance();
		List<List<Long>> heard = new ArrayList<>();
		for (PostgresStreamStore store : List.of(first, second)) {
			store.ensureStream(INPUT);
			store.ensureStream(OUTPUT);
			List<Long> rowids = new CopyOnWriteArrayList<>();
			heard.add(rowids);
			store.addCommitListener((stream, events) -> {
				if (stream.equals("output")) {
					events.forEach((event) -> rowids.add(event.rowid()));
				}
			});
		}
		int rounds = 60;
		List<Future<List<PublishResult>>> results = new ArrayList<>();
		for (PostgresStreamStore store : List.of(first, second)) {
			results.add(this.pool.submit(() -> {
				List<PublishResult> published = new ArrayList<>();
				for (int i = 0; i < rounds; i++) {
					published.add(store.appendAndWait("output", List.of(event(i), event(i))));
				}
				return published;
			}));
			for (int worker = 0; worker < 2; worker++) {
				String consumer = "processor-" + results.size();
				results.add(this.pool.submit(() -> {
					List<PublishResult> published = new ArrayList<>();
					for (int i = 0; i < rounds / 2; i++) {
						// Every tenth transaction is large enough for COPY.
						int size = (i % 10 == 9) ? 100 : 3;
						published.add(store.inTransaction((transaction) -> {
							List<PublishResult> appended = new ArrayList<>();
							appended.add(transaction.append("output", events(size)));
							appended.add(transaction.append("output", List.of(event(-1))));
							PublishResult last = appended.get(1);
							assertThat(last.firstRowid()).isEqualTo(appended.get(0).lastRowid() + 1);
							transaction.commitCursor("output", consumer, last.lastRowid(), 100);
							return PublishResult.accepted("output", size + 1, appended.get(0).publishId(),
									appended.get(0).firstRowid(), last.lastRowid(), appended.get(0).firstId(),
									last.lastId());
						}));
					}
					return published;
				}));
			}
		}
		List<PublishResult> all = new ArrayList<>();
		for (Future<List<PublishResult>> result : results) {
			all.addAll(result.get(3, TimeUnit.MINUTES));
		}
		long expected = all.stream().mapToLong(PublishResult::rowsReceived).sum();
		List<StoredEvent> stored = new ArrayList<>();
		for (long after = 0; stored.size() < expected + 1;) {
			List<StoredEvent> page = first.readAfter("output", after, 1_000);
			if (page.isEmpty()) {
				break;
			}
			stored.addAll(page);
			after = page.get(page.size() - 1).rowid();
		}
		List<Long> rowids = LongStream.rangeClosed(1, expected).boxed().toList();
		assertThat(stored).extracting(StoredEvent::rowid).containsExactlyElementsOf(rowids);
		for (PublishResult result : all) {
			// A transaction's first append holds its publish id; its single trailing event has another.
			assertThat(stored.get((int) result.firstRowid() - 1).publishId()).isEqualTo(result.publishId());
		}
		assertThat(first.describe("output").rowCount()).isEqualTo(expected);
		awaitUntil(() -> heard.get(0).size() >= expected && heard.get(1).size() >= expected);
		// Each instance's listeners heard every rowid once, in order, whichever instance committed it.
		assertThat(heard.get(0)).containsExactlyElementsOf(rowids);
		assertThat(heard.get(1)).containsExactlyElementsOf(rowids);
	}

	@Test
	void columnsATransactionAddsGoWithItsRollbackOrCommit() {
		StreamDefinition evolving = StreamDefinition.builder("evolving").field("n", FieldType.INT64).build();
		streams().ensureStream(evolving);
		assertThatThrownBy(() -> transactions().inTransaction((transaction) -> {
			transaction.append("evolving", List.of(Map.of("n", 1, "extra", "x")));
			throw new IllegalStateException("rolled back");
		})).hasMessage("rolled back");
		assertThat(streams().describe("evolving").columns()).doesNotContainKey("extra");
		PublishResult committed = transactions().inTransaction((transaction) -> {
			transaction.append("evolving", List.of(Map.of("n", 2)));
			return transaction.append("evolving", List.of(Map.of("n", 3, "extra", "y")));
		});
		assertThat(committed.firstRowid()).isEqualTo(2);
		assertThat(streams().describe("evolving").columns()).containsKey("extra");
		assertThat(streams().appendAndWait("evolving", List.of(Map.of("n", 4, "extra", "z"))).firstRowid())
			.isEqualTo(3);
		assertThat(streams().readAfter("evolving", 0, 10)).extracting((event) -> event.data().get("extra"))
			.containsExactly(null, "y", "z");
	}

	private static void awaitUntil(BooleanSupplier condition) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
		while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
			Thread.sleep(10);
		}
	}

	private static List<Map<String, Object>> events(int count) {
		List<Map<String, Object>> events = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			events.add(event(i));
		}
		return events;
	}

	private static Map<String, Object> event(long n) {
		Map<String, Object> event = new LinkedHashMap<>();
		event.put("n", n);
		return event;
	}

}
