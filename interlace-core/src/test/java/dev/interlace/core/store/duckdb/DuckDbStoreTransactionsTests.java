package dev.interlace.core.store.duckdb;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.interlace.core.DataRejectedException;
import dev.interlace.core.FieldType;
import dev.interlace.core.PublishResult;
import dev.interlace.core.StoreException;
import dev.interlace.core.StoredEvent;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.store.DatabaseStores;
import dev.interlace.core.store.StoreTransaction;
import dev.interlace.core.store.StoreTransactionsContractTests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The transaction contract on a DuckDB file, plus what DuckDB's single writer adds to it: transactions larger than
 * one appender vector, schema evolution inside a transaction, interleaving with group commits, failed commits.
 */
class DuckDbStoreTransactionsTests extends StoreTransactionsContractTests {

	@TempDir
	Path directory;

	@Override
	protected DatabaseStores openStores() {
		return DatabaseStores.of(new DuckDbStreamStore(this.directory.resolve("interlace.duckdb").toString()));
	}

	private DuckDbStreamStore store() {
		return (DuckDbStreamStore) streams();
	}

	@Test
	void aTransactionOfMoreRowsThanOneAppenderVectorCommitsWholeOrNotAtAll() {
		int rows = DuckDbStreamWriter.FAST_PATH_MAX_ROWS * 2 + 100;
		assertThatThrownBy(() -> transactions().inTransaction((transaction) -> {
			transaction.append("output", events(0, rows));
			throw new IllegalStateException("rolled back");
		})).isInstanceOf(IllegalStateException.class);
		assertThat(streams().describe("output").rowCount()).isZero();
		List<PublishResult> results = transactions().inTransaction((transaction) -> List
			.of(transaction.append("output", events(0, rows)), transaction.append("output", events(rows, rows))));
		assertThat(results.get(0).firstRowid()).isEqualTo(1);
		assertThat(results.get(0).lastRowid()).isEqualTo(rows);
		assertThat(results.get(1).firstRowid()).isEqualTo(rows + 1);
		assertThat(results.get(1).lastRowid()).isEqualTo(2L * rows);
		List<StoredEvent> stored = streams().readAfter("output", 0, 3 * rows);
		assertThat(stored).extracting(StoredEvent::rowid)
			.containsExactlyElementsOf(LongStream.rangeClosed(1, 2L * rows).boxed().toList());
		assertThat(stored).extracting((event) -> event.data().get("n"))
			.containsExactlyElementsOf(LongStream.range(0, 2L * rows).boxed().toList());
		assertThat(streams().appendAndWait("output", events(0, 1)).firstRowid()).isEqualTo(2L * rows + 1);
	}

	@Test
	void columnsATransactionAddsExistOnlyOnceItCommits() {
		assertThatThrownBy(() -> transactions().inTransaction((transaction) -> {
			transaction.append("output", List.of(Map.of("n", 1L, "note", "rolled back")));
			throw new IllegalStateException("rolled back");
		})).isInstanceOf(IllegalStateException.class);
		assertThat(streams().describe("output").columns()).containsOnlyKeys("n");
		assertThat(columnsOfTable("output")).doesNotContain("note");
		PublishResult appended = transactions().inTransaction((transaction) -> {
			transaction.append("output", List.of(Map.of("n", 1L, "note", "first")));
			// A second append of the same transaction sees the column the first one added.
			return transaction.append("output", List.of(Map.of("n", 2L, "note", "second", "size", 3L)));
		});
		assertThat(appended.firstRowid()).isEqualTo(2);
		assertThat(streams().describe("output").columns()).containsOnlyKeys("n", "note", "size");
		// Ordinary publishes convert against the committed columns.
		streams().appendAndWait("output", List.of(Map.of("n", 3L, "note", "ordinary")));
		assertThat(streams().readAfter("output", 0, 10)).extracting((event) -> event.data().get("note"))
			.containsExactly("first", "second", "ordinary");
	}

	@Test
	void transactionsInterleavedWithGroupCommitsReachListenersInRowidOrderOnce() throws Exception {
		List<Long> heard = new CopyOnWriteArrayList<>();
		streams().addCommitListener((stream, events) -> {
			if (stream.equals("output")) {
				events.forEach((event) -> heard.add(event.rowid()));
			}
		});
		List<Integer> observed = new CopyOnWriteArrayList<>();
		streams().setStoreObserver((stream, rows, nanos) -> {
			if (stream.equals("output")) {
				observed.add(rows);
			}
		});
		int publishers = 4;
		int rounds = 100;
		List<List<PublishResult>> transacted = new CopyOnWriteArrayList<>();
		ExecutorService pool = Executors.newFixedThreadPool(publishers + 1);
		try {
			List<Future<?>> done = new ArrayList<>();
			for (int publisher = 0; publisher < publishers; publisher++) {
				done.add(pool.submit(() -> {
					// Not waiting for each publish: the writer gathers them into groups between transactions.
					List<CompletableFuture<PublishResult>> published = new ArrayList<>();
					for (int i = 0; i < rounds; i++) {
						published.add(streams().append("output", events(i, 2)));
					}
					published.forEach(CompletableFuture::join);
					return null;
				}));
			}
			done.add(pool.submit(() -> {
				for (int i = 0; i < rounds; i++) {
					int n = i;
					transacted.add(transactions().inTransaction((transaction) -> {
						PublishResult first = transaction.append("output", events(n, 1));
						PublishResult second = transaction.append("output", events(n, 2));
						transaction.commitCursor("output", "processor", second.lastRowid(), 10);
						return List.of(first, second);
					}));
				}
				return null;
			}));
			for (Future<?> each : done) {
				each.get(2, TimeUnit.MINUTES);
			}
		}
		finally {
			pool.shutdownNow();
		}
		long expected = publishers * rounds * 2L + rounds * 3L;
		assertThat(streams().describe("output").lastRowid()).isEqualTo(expected);
		assertThat(heard).containsExactlyElementsOf(LongStream.rangeClosed(1, expected).boxed().toList());
		assertThat(observed.stream().mapToLong(Integer::longValue).sum()).isEqualTo(expected);
		// No group commit came between the appends of one transaction.
		for (List<PublishResult> each : transacted) {
			assertThat(each.get(1).firstRowid()).isEqualTo(each.get(0).lastRowid() + 1);
		}
		assertThat(cursors().readCursor("output", "processor"))
			.isEqualTo(transacted.get(transacted.size() - 1).get(1).lastRowid());
	}

	@Test
	void aCommitTheDatabaseRefusesResetsTheWriterAndLeavesNothing() throws Exception {
		long resets = store().getWriterResets();
		try (Connection other = store().openConnection()) {
			assertThatThrownBy(() -> transactions().inTransaction((transaction) -> {
				transaction.append("output", events(1, 2));
				transaction.commitCursor("output", "processor", 2, 10);
				saveState(transaction.connection(), "clash", 1);
				// Another connection commits the same key first: the transaction's own commit fails.
				saveState(other, "clash", 2);
				return null;
			})).isInstanceOf(StoreException.class).hasMessageContaining("run a transaction");
		}
		assertThat(store().getWriterResets()).isGreaterThan(resets);
		assertThat(streams().describe("output").rowCount()).isZero();
		assertThat(cursors().readCursor("output", "processor")).isZero();
		assertThat(state("clash")).isEqualTo(2);
		// No rowid was consumed, and the new writer connection serves publishes and transactions alike.
		assertThat(streams().appendAndWait("output", events(1, 1)).firstRowid()).isEqualTo(1);
		assertThat(transactions().inTransaction((transaction) -> transaction.append("output", events(2, 1)))
			.firstRowid()).isEqualTo(2);
	}

	@Test
	void anAppendTheDatabaseRefusesFailsAsRejectedDataAndTheWriterGoesOn() throws Exception {
		try (Connection connection = store().openConnection(); Statement statement = connection.createStatement()) {
			// An index of the operator's own: Interlace's checks pass, DuckDB refuses the duplicate.
			statement.execute("CREATE UNIQUE INDEX output_n ON events.output (n)");
		}
		streams().appendAndWait("output", events(1, 1));
		assertThatThrownBy(() -> transactions().inTransaction((transaction) -> {
			transaction.commitCursor("output", "processor", 1, 10);
			return transaction.append("output", List.of(event(2), event(1)));
		})).isInstanceOf(DataRejectedException.class).hasMessageContaining("Duplicate key");
		assertThat(cursors().readCursor("output", "processor")).isZero();
		// A work that swallows the refusal cannot commit what was left of the transaction.
		assertThatThrownBy(() -> transactions().inTransaction((transaction) -> {
			transaction.commitCursor("output", "processor", 1, 10);
			try {
				transaction.append("output", List.of(event(3), event(1)));
			}
			catch (DataRejectedException ex) {
				// Carries on as if nothing happened.
			}
			return null;
		})).isInstanceOf(StoreException.class).hasMessageContaining("Duplicate key");
		assertThat(cursors().readCursor("output", "processor")).isZero();
		assertThat(streams().readAfter("output", 0, 10)).extracting((event) -> event.data().get("n"))
			.containsExactly(1L);
		assertThat(transactions().inTransaction((transaction) -> transaction.append("output", events(5, 1)))
			.firstRowid()).isEqualTo(2);
		assertThat(streams().appendAndWait("output", events(6, 1)).firstRowid()).isEqualTo(3);
	}

	@Test
	void aStatementOfTheWorkThatFailsRollsBackTheUnitAsARefusalOrAStoreFailure() {
		assertThatThrownBy(() -> transactions().inTransaction((transaction) -> {
			transaction.append("output", events(1, 2));
			saveState(transaction.connection(), "twice", 1);
			saveState(transaction.connection(), "twice", 2);
			return null;
		})).isInstanceOf(DataRejectedException.class).hasMessageContaining("duplicate key \"twice\"");
		assertThatThrownBy(() -> transactions().inTransaction((transaction) -> {
			transaction.append("output", events(1, 2));
			try (Statement statement = transaction.connection().createStatement()) {
				statement.execute("SELECT * FROM no_such_table");
			}
			return null;
		})).isInstanceOf(StoreException.class).hasMessageContaining("no_such_table");
		assertThat(streams().describe("output").rowCount()).isZero();
		assertThat(transactions().inTransaction((transaction) -> transaction.append("output", events(1, 1)))
			.firstRowid()).isEqualTo(1);
	}

	@Test
	void waitingForTheWriterFromInsideATransactionFailsInsteadOfWaitingForever() {
		assertThatThrownBy(() -> transactions().inTransaction((transaction) -> {
			transaction.append("output", events(1, 1));
			return cursors().commitCursor("output", "processor", 1, 10);
		})).isInstanceOf(StoreException.class).hasMessageContaining("writer thread");
		assertThatThrownBy(() -> transactions().inTransaction((transaction) -> transactions()
			.inTransaction((nested) -> nested.append("output", events(1, 1))))).isInstanceOf(StoreException.class);
		assertThat(streams().describe("output").rowCount()).isZero();
	}

	@Test
	void aTransactionUsedAfterItsWorkReturnedRefusesEverything() {
		AtomicReference<StoreTransaction> leaked = new AtomicReference<>();
		transactions().inTransaction((transaction) -> {
			leaked.set(transaction);
			return null;
		});
		assertThatThrownBy(() -> leaked.get().append("output", events(1, 1))).isInstanceOf(IllegalStateException.class);
		assertThatThrownBy(() -> leaked.get().connection()).isInstanceOf(IllegalStateException.class);
		assertThat(streams().describe("output").rowCount()).isZero();
	}

	@Test
	void aTransactionOnAnInMemoryDatabaseSeesTheStoresTables() {
		try (DuckDbStreamStore memory = new DuckDbStreamStore(DuckDbStreamStore.IN_MEMORY)) {
			memory.ensureStream(StreamDefinition.builder("orders").field("n", FieldType.INT64).build());
			long rows = memory.inTransaction((transaction) -> {
				transaction.append("orders", events(1, 3));
				try (Statement statement = transaction.connection().createStatement();
						ResultSet count = statement.executeQuery("SELECT count(*) FROM events.orders")) {
					count.next();
					return count.getLong(1);
				}
			});
			assertThat(rows).isEqualTo(3);
			assertThat(memory.describe("orders").rowCount()).isEqualTo(3);
		}
	}

	private List<String> columnsOfTable(String stream) {
		try (Connection connection = store().openConnection();
				PreparedStatement query = connection.prepareStatement(
						"SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position")) {
			query.setString(1, stream);
			List<String> columns = new ArrayList<>();
			try (ResultSet rows = query.executeQuery()) {
				while (rows.next()) {
					columns.add(rows.getString(1));
				}
			}
			return columns;
		}
		catch (java.sql.SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void saveState(Connection connection, String name, long total) throws java.sql.SQLException {
		try (PreparedStatement insert = connection
			.prepareStatement("INSERT INTO processor_state (name, total) VALUES (?, ?)")) {
			insert.setString(1, name);
			insert.setLong(2, total);
			insert.executeUpdate();
		}
	}

	private long state(String name) throws java.sql.SQLException {
		try (Connection connection = store().openConnection();
				PreparedStatement query = connection.prepareStatement("SELECT total FROM processor_state WHERE name = ?")) {
			query.setString(1, name);
			try (ResultSet rows = query.executeQuery()) {
				assertThat(rows.next()).isTrue();
				return rows.getLong(1);
			}
		}
	}

	private static List<Map<String, Object>> events(long first, int count) {
		List<Map<String, Object>> events = new ArrayList<>(count);
		for (long n = first; n < first + count; n++) {
			events.add(event(n));
		}
		return events;
	}

	private static Map<String, Object> event(long n) {
		Map<String, Object> event = new LinkedHashMap<>();
		event.put("n", n);
		return event;
	}

}
