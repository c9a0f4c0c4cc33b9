package dev.interlace.core.store.duckdb;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.interlace.core.DataRejectedException;
import dev.interlace.core.PublishResult;
import dev.interlace.core.StoredEvent;
import dev.interlace.core.store.CommitListener;
import dev.interlace.core.store.StreamStore;
import dev.interlace.core.store.StreamStoreContractTests;

import static dev.interlace.core.store.StoreTestSupport.assertAFullWriterQueueRefusesPublishesAtOnce;
import static dev.interlace.core.store.StoreTestSupport.event;
import static dev.interlace.core.store.StoreTestSupport.orders;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The streams contract on a DuckDB file, plus DuckDB's own failure modes.
 */
class DuckDbStreamStoreTests extends StreamStoreContractTests {

	@RegisterExtension
	final DuckDbTestStores database = new DuckDbTestStores();

	@Override
	protected StreamStore openStore() {
		return this.database.open();
	}

	@Override
	protected void executeSql(String sql) throws Exception {
		try (Connection connection = ((DuckDbStreamStore) this.store).openConnection();
				Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
	}

	@Test
	void writerReopensItsConnectionAfterTheDatabaseRejectsAGroup() throws Exception {
		this.store.ensureStream(orders());
		// A constraint the store does not know about makes DuckDB reject rows that passed Interlace's checks.
		try (Connection connection = ((DuckDbStreamStore) this.store).openConnection();
				Statement statement = connection.createStatement()) {
			statement.execute("ALTER TABLE events.orders ALTER COLUMN order_id SET NOT NULL");
		}
		List<CompletableFuture<PublishResult>> good = new ArrayList<>();
		CompletableFuture<PublishResult> bad = null;
		for (int i = 0; i < 30; i++) {
			if (i == 15) {
				bad = this.store.append("orders", List.of(event("order_id", "ok", "amount", 1), event("amount", 2)));
			}
			good.add(this.store.append("orders", List.of(event("order_id", "o" + i, "amount", i))));
		}
		for (CompletableFuture<PublishResult> future : good) {
			assertThat(future.join().rowsReceived()).isEqualTo(1);
		}
		CompletableFuture<PublishResult> rejected = bad;
		assertThatThrownBy(rejected::join).hasCauseInstanceOf(DataRejectedException.class)
			.hasMessageContaining("NOT NULL");
		DuckDbStreamStore duckDb = (DuckDbStreamStore) this.store;
		assertThat(duckDb.getWriterResets()).isPositive();
		assertThat(this.store.appendAndWait("orders", List.of(event("order_id", "after", "amount", 1))).firstRowid())
			.isEqualTo(31);
		assertThat(this.store.readAfter("orders", 0, 100)).hasSize(31)
			.extracting((e) -> e.data().get("order_id"))
			.doesNotContain("ok");
	}

	@Test
	void aGroupOfManyVectorsWhoseLastPublishTheDatabaseRefusesStoresEveryOtherPublishExactlyOnce() throws Exception {
		this.store.ensureStream(orders());
		DuckDbStreamStore duckDb = (DuckDbStreamStore) this.store;
		// An index of the operator's own: Interlace's checks pass, DuckDB refuses the duplicate.
		try (Connection connection = duckDb.openConnection(); Statement statement = connection.createStatement()) {
			statement.execute("CREATE UNIQUE INDEX orders_order_id ON events.orders (order_id)");
		}
		WriterHold hold = new WriterHold();
		// Holding the writer on the first commit queues the rest into one group.
		duckDb.addCommitListener(hold);
		CompletableFuture<PublishResult> first = this.store.append("orders", List.of(event("order_id", "taken")));
		hold.awaitHeld();
		int rowsPerPublish = 1_500;
		List<CompletableFuture<PublishResult>> good = new ArrayList<>();
		for (int publish = 0; publish < 3; publish++) {
			good.add(this.store.append("orders", numberedOrders("p" + publish, rowsPerPublish)));
		}
		List<Map<String, Object>> duplicate = numberedOrders("bad", rowsPerPublish);
		duplicate.set(rowsPerPublish - 1, event("order_id", "taken"));
		CompletableFuture<PublishResult> bad = this.store.append("orders", duplicate);
		hold.release();
		assertThat(first.join().firstRowid()).isEqualTo(1);
		// Every publish settled before the table is read.
		CompletableFuture.allOf(good.toArray(new CompletableFuture<?>[0])).exceptionally((ex) -> null).join();
		bad.exceptionally((ex) -> null).join();
		for (CompletableFuture<PublishResult> publish : good) {
			assertThat(publish).as("a publish the database did not refuse").isCompletedWithValueMatching((r) -> true);
		}
		List<StoredEvent> stored = this.store.readAfter("orders", 0, 100_000);
		assertThat(stored).hasSize(1 + 3 * rowsPerPublish);
		assertThat(stored).extracting(StoredEvent::rowid).doesNotHaveDuplicates();
		for (int publish = 0; publish < 3; publish++) {
			PublishResult result = good.get(publish).join();
			assertThat(result.lastRowid() - result.firstRowid() + 1).isEqualTo(rowsPerPublish);
			for (StoredEvent event : stored) {
				boolean ours = event.publishId().equals(result.publishId());
				boolean inRange = event.rowid() >= result.firstRowid() && event.rowid() <= result.lastRowid();
				assertThat(ours).as("rowid %d of publish %d", event.rowid(), publish).isEqualTo(inRange);
				if (ours) {
					assertThat(event.data().get("order_id"))
						.isEqualTo("p" + publish + "-" + (event.rowid() - result.firstRowid()));
				}
			}
		}
		assertThat(stored).extracting((e) -> e.data().get("order_id")).noneMatch((id) -> ((String) id).startsWith("bad"));
		assertThatThrownBy(bad::join).hasCauseInstanceOf(DataRejectedException.class)
			.hasMessageContaining("Duplicate key");
	}

	private static List<Map<String, Object>> numberedOrders(String prefix, int count) {
		List<Map<String, Object>> events = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			events.add(event("order_id", prefix + "-" + i, "amount", i));
		}
		return events;
	}

	@Test
	void rowidsAreAPrimaryKeyAlsoOfATableMadeBeforeThey() throws Exception {
		this.store.close();
		try (DuckDbStreamStore old = this.database.open("old.duckdb", DuckDbStreamStore.Options.DEFAULTS)) {
			try (Connection connection = old.openConnection(); Statement statement = connection.createStatement()) {
				// The layout of earlier versions: no key on the rowid.
				statement.execute("CREATE SCHEMA events");
				statement.execute("CREATE TABLE events.orders (_interlace_rowid BIGINT NOT NULL, "
						+ "_interlace_published_at TIMESTAMPTZ NOT NULL, _interlace_publish_id UUID NOT NULL, "
						+ "order_id VARCHAR, amount BIGINT)");
				statement.execute("INSERT INTO events.orders VALUES (1, now(), uuid(), 'a', 1)");
			}
		}
		try (DuckDbStreamStore reopened = this.database.open("old.duckdb", DuckDbStreamStore.Options.DEFAULTS)) {
			reopened.ensureStream(orders());
			assertThat(reopened.appendAndWait("orders", List.of(event("order_id", "b"))).firstRowid()).isEqualTo(2);
			try (Connection connection = reopened.openConnection(); Statement statement = connection.createStatement()) {
				assertThatThrownBy(() -> statement.execute("INSERT INTO events.orders VALUES (2, now(), uuid(), 'c', 3, 1, 0)"))
					.hasMessageContaining("primary key");
			}
		}
		this.store = openStore();
	}

	@Test
	void aFullWriterQueueFailsPublishesFastInsteadOfBlockingTheCaller() throws Exception {
		try (DuckDbStreamStore small = this.database.open("small.duckdb",
				new DuckDbStreamStore.Options(1_000, 1, Duration.ZERO, 1))) {
			small.ensureStream(orders());
			WriterHold hold = new WriterHold();
			// Holding the writer keeps it from taking more work.
			small.addCommitListener(hold);
			CompletableFuture<PublishResult> first = small.append("orders", List.of(event("amount", 1)));
			hold.awaitHeld();
			assertAFullWriterQueueRefusesPublishesAtOnce(small, first, hold::release);
		}
	}

	@Test
	void inMemoryDatabaseWorks() {
		try (DuckDbStreamStore memory = new DuckDbStreamStore(DuckDbStreamStore.IN_MEMORY)) {
			memory.ensureStream(orders());
			memory.appendAndWait("orders", List.of(event("amount", 1)));
			assertThat(memory.describe("orders").rowCount()).isEqualTo(1);
		}
	}

	/** Holds a store's writer at its first commit until released: DuckDB tells its listeners on the writer thread. */
	private static final class WriterHold implements CommitListener {

		private final CountDownLatch held = new CountDownLatch(1);

		private final CountDownLatch released = new CountDownLatch(1);

		@Override
		public void committed(String stream, List<StoredEvent> events) {
			if (this.held.getCount() > 0) {
				this.held.countDown();
				try {
					this.released.await();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
		}

		void awaitHeld() throws InterruptedException {
			assertThat(this.held.await(10, TimeUnit.SECONDS)).as("writer held").isTrue();
		}

		void release() {
			this.released.countDown();
		}

	}

}
