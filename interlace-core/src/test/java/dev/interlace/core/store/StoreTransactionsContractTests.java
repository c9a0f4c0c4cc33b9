package dev.interlace.core.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
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

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.interlace.core.FieldType;
import dev.interlace.core.InvalidEventException;
import dev.interlace.core.PublishResult;
import dev.interlace.core.StoredEvent;
import dev.interlace.core.StreamDefinition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract of {@link StoreTransactions}, the seam exactly-once processing stands on: one unit of work appends to
 * a stream, moves a cursor and writes state of its own, and all of it commits, or none of it does. Each backend
 * extends this class with a factory that opens its stores on durable storage; {@link #openStores()} called again
 * after the streams store is closed must see the same data.
 */
public abstract class StoreTransactionsContractTests {

	protected DatabaseStores stores;

	/**
	 * Opens the stores of this test's database: a second call after closing the first reopens the same data.
	 * @return stores offering streams, cursors and transactions
	 */
	protected abstract DatabaseStores openStores();

	@BeforeEach
	void openTheStores() {
		this.stores = openStores();
		assertThat(this.stores.cursors()).isNotNull();
		assertThat(this.stores.transactions()).isNotNull();
		streams().ensureStream(definition("input"));
		streams().ensureStream(definition("output"));
		transactions().inTransaction((transaction) -> {
			try (Statement statement = transaction.connection().createStatement()) {
				statement.execute("CREATE TABLE IF NOT EXISTS processor_state (name VARCHAR PRIMARY KEY, total BIGINT)");
			}
			return null;
		});
	}

	@AfterEach
	void closeTheStores() {
		streams().close();
	}

	@Test
	void anAppendACursorMoveAndStateCommitTogether() {
		streams().appendAndWait("input", List.of(event(1), event(2), event(3)));
		PublishResult output = transactions().inTransaction((transaction) -> {
			PublishResult appended = transaction.append("output", List.of(event(10), event(20)));
			assertThat(transaction.commitCursor("input", "processor", 3, 10)).isEqualTo(3);
			saveState(transaction, 6);
			return appended;
		});
		assertThat(output.firstRowid()).isEqualTo(1);
		assertThat(output.lastRowid()).isEqualTo(2);
		assertThat(streams().readAfter("output", 0, 10)).extracting((event) -> event.data().get("n"))
			.containsExactly(10L, 20L);
		assertThat(streams().readAfter("output", 0, 10)).extracting(StoredEvent::publishId)
			.containsOnly(output.publishId());
		assertThat(cursors().readCursor("input", "processor")).isEqualTo(3);
		assertThat(state()).containsExactly(Map.entry("processor", 6L));
	}

	@Test
	void aUnitOfWorkThatThrowsLeavesNothingAndTakesNoRowids() {
		streams().appendAndWait("input", List.of(event(1), event(2)));
		IllegalStateException failure = new IllegalStateException("the processor failed");
		assertThatThrownBy(() -> transactions().inTransaction((transaction) -> {
			transaction.append("output", List.of(event(10), event(20)));
			transaction.commitCursor("input", "processor", 2, 10);
			saveState(transaction, 3);
			throw failure;
		})).isSameAs(failure);
		assertThat(streams().readAfter("output", 0, 10)).isEmpty();
		assertThat(streams().describe("output").rowCount()).isZero();
		assertThat(cursors().readCursor("input", "processor")).isZero();
		assertThat(state()).isEmpty();
		// The rolled-back append's rowids are free again: rowids stay without gaps.
		assertThat(streams().appendAndWait("output", List.of(event(30))).firstRowid()).isEqualTo(1);
		assertThat(transactions().inTransaction((transaction) -> transaction.append("output", List.of(event(40))))
			.firstRowid()).isEqualTo(2);
	}

	@Test
	void anEventThatDoesNotFitRollsBackTheWholeUnit() {
		streams().appendAndWait("input", List.of(event(1)));
		assertThatThrownBy(() -> transactions().inTransaction((transaction) -> {
			transaction.commitCursor("input", "processor", 1, 10);
			transaction.append("output", List.of(event(10)));
			return transaction.append("output", List.of(Map.of("n", "not a number")));
		})).isInstanceOf(InvalidEventException.class);
		assertThat(streams().readAfter("output", 0, 10)).isEmpty();
		assertThat(cursors().readCursor("input", "processor")).isZero();
	}

	@Test
	void aCursorMayMoveToARowidTheSameTransactionAppended() {
		long cursor = transactions().inTransaction((transaction) -> {
			PublishResult appended = transaction.append("output", List.of(event(1), event(2)));
			return transaction.commitCursor("output", "self", appended.lastRowid(), 10);
		});
		assertThat(cursor).isEqualTo(2);
		assertThat(cursors().readCursor("output", "self")).isEqualTo(2);
	}

	@Test
	void commitListenersHearOfATransactionsAppendsAfterItCommitsAndNeverOfARollback() throws InterruptedException {
		List<StoredEvent> heard = new CopyOnWriteArrayList<>();
		streams().addCommitListener((stream, events) -> {
			if (stream.equals("output")) {
				heard.addAll(events);
			}
		});
		assertThatThrownBy(() -> transactions().inTransaction((transaction) -> {
			transaction.append("output", List.of(event(-1)));
			throw new IllegalStateException("rolled back");
		})).isInstanceOf(IllegalStateException.class);
		transactions().inTransaction((transaction) -> {
			transaction.append("output", List.of(event(1), event(2)));
			assertThat(heard).isEmpty();
			return null;
		});
		streams().appendAndWait("output", List.of(event(3)));
		// Some stores tell their listeners from a delivery thread of their own: wait for the last commit to arrive.
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (heard.size() < 3 && System.nanoTime() < deadline) {
			Thread.sleep(10);
		}
		assertThat(heard).extracting((event) -> event.data().get("n")).containsExactly(1L, 2L, 3L);
		assertThat(heard).extracting(StoredEvent::rowid).containsExactly(1L, 2L, 3L);
		// What listeners hear is what is stored, entry IDs included.
		assertThat(heard).containsExactlyElementsOf(streams().readAfter("output", 0, 10));
	}

	// Redis XADD: IDs only grow. Transactions' appends take entry IDs after the writer's and after each other's.
	@Test
	void transactionalAndOrdinaryAppendsInterleaveWithoutGapsOrRepeats() throws Exception {
		int rounds = 200;
		ExecutorService pool = Executors.newFixedThreadPool(3);
		try {
			List<Future<List<PublishResult>>> results = new ArrayList<>();
			results.add(pool.submit(() -> {
				List<PublishResult> published = new ArrayList<>();
				for (int i = 0; i < rounds; i++) {
					published.add(streams().appendAndWait("output", List.of(event(i), event(i))));
				}
				return published;
			}));
			for (int worker = 0; worker < 2; worker++) {
				results.add(pool.submit(() -> {
					List<PublishResult> published = new ArrayList<>();
					for (int i = 0; i < rounds / 2; i++) {
						int n = i;
						published.add(transactions().inTransaction(
								(transaction) -> transaction.append("output", List.of(event(n), event(n), event(n)))));
					}
					return published;
				}));
			}
			List<PublishResult> all = new ArrayList<>();
			for (Future<List<PublishResult>> result : results) {
				all.addAll(result.get(2, TimeUnit.MINUTES));
			}
			long expected = rounds * 2L + 2L * (rounds / 2) * 3L;
			List<StoredEvent> stored = streams().readAfter("output", 0, (int) expected + 10);
			assertThat(stored).hasSize((int) expected);
			assertThat(stored).extracting(StoredEvent::rowid)
				.containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, expected).boxed().toList());
			for (PublishResult result : all) {
				assertThat(stored.subList((int) result.firstRowid() - 1, (int) result.lastRowid()))
					.extracting(StoredEvent::publishId)
					.containsOnly(result.publishId());
				assertThat(stored.get((int) result.firstRowid() - 1).id()).isEqualTo(result.firstId());
				assertThat(stored.get((int) result.lastRowid() - 1).id()).isEqualTo(result.lastId());
			}
			for (int i = 1; i < stored.size(); i++) {
				assertThat(stored.get(i).id()).as("rowid %d", stored.get(i).rowid()).isGreaterThan(stored.get(i - 1).id());
			}
		}
		finally {
			pool.shutdownNow();
		}
	}

	@Test
	void whatATransactionCommittedSurvivesReopen() {
		streams().appendAndWait("input", List.of(event(1)));
		transactions().inTransaction((transaction) -> {
			transaction.append("output", List.of(event(7)));
			transaction.commitCursor("input", "processor", 1, 10);
			saveState(transaction, 7);
			return null;
		});
		streams().close();
		this.stores = openStores();
		streams().ensureStream(definition("input"));
		streams().ensureStream(definition("output"));
		assertThat(streams().readAfter("output", 0, 10)).extracting((event) -> event.data().get("n"))
			.containsExactly(7L);
		assertThat(cursors().readCursor("input", "processor")).isEqualTo(1);
		assertThat(state()).containsExactly(Map.entry("processor", 7L));
		assertThat(streams().appendAndWait("output", List.of(event(8))).firstRowid()).isEqualTo(2);
	}

	protected StreamStore streams() {
		return this.stores.streams();
	}

	protected CursorStore cursors() {
		CursorStore cursors = this.stores.cursors();
		assertThat(cursors).isNotNull();
		return cursors;
	}

	protected StoreTransactions transactions() {
		StoreTransactions transactions = this.stores.transactions();
		assertThat(transactions).isNotNull();
		return transactions;
	}

	private static StreamDefinition definition(String name) {
		return StreamDefinition.builder(name).field("n", FieldType.INT64).build();
	}

	private static Map<String, Object> event(long n) {
		Map<String, Object> event = new LinkedHashMap<>();
		event.put("n", n);
		return event;
	}

	private static void saveState(StoreTransaction transaction, long total) throws java.sql.SQLException {
		try (PreparedStatement upsert = transaction.connection()
			.prepareStatement("INSERT INTO processor_state (name, total) VALUES ('processor', ?) "
					+ "ON CONFLICT (name) DO UPDATE SET total = excluded.total")) {
			upsert.setLong(1, total);
			upsert.executeUpdate();
		}
	}

	private Map<String, Long> state() {
		return transactions().inTransaction((transaction) -> {
			Map<String, Long> state = new LinkedHashMap<>();
			try (Statement statement = transaction.connection().createStatement();
					ResultSet rows = statement.executeQuery("SELECT name, total FROM processor_state ORDER BY name")) {
				while (rows.next()) {
					state.put(rows.getString(1), rows.getLong(2));
				}
			}
			return state;
		});
	}

}
