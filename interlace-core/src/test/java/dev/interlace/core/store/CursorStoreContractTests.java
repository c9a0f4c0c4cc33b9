package dev.interlace.core.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.interlace.core.ConsumedBatch;
import dev.interlace.core.ConsumerLimitException;
import dev.interlace.core.InvalidRequestException;
import dev.interlace.core.PublishResult;
import dev.interlace.core.Retention;
import dev.interlace.core.StoredEvent;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.StreamNotFoundException;
import dev.interlace.core.engine.DefaultStreams;
import dev.interlace.core.engine.RetentionTask;

import static dev.interlace.core.store.StoreTestSupport.amounts;
import static dev.interlace.core.store.StoreTestSupport.event;
import static dev.interlace.core.store.StoreTestSupport.orders;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract every {@link CursorStore} must keep: a consumer's cursor starts at zero, only moves forward, never
 * passes the stream's last rowid, and is shared, deleted and limited per stream as the SPI says. Each backend extends
 * this class with a factory that opens its stores on durable storage; {@link #openStores()} called again after the
 * streams store is closed must see the same data.
 */
public abstract class CursorStoreContractTests {

	protected DatabaseStores stores;

	/**
	 * Opens the stores of this test's database: a second call after closing the first reopens the same data.
	 * @return stores offering streams and cursors
	 */
	protected abstract DatabaseStores openStores();

	@BeforeEach
	void openTheStores() {
		this.stores = openStores();
		assertThat(this.stores.cursors()).isNotNull();
	}

	@AfterEach
	void closeTheStores() {
		streams().close();
	}

	protected StreamStore streams() {
		return this.stores.streams();
	}

	protected CursorStore cursors() {
		CursorStore cursors = this.stores.cursors();
		assertThat(cursors).isNotNull();
		return cursors;
	}

	protected void reopen() {
		streams().close();
		this.stores = openStores();
	}

	@Test
	void cursorStartsAtZeroMovesForwardAndNeverBackwards() {
		streams().ensureStream(orders());
		streams().appendAndWait("orders", List.of(event("amount", 1), event("amount", 2), event("amount", 3)));
		assertThat(cursors().readCursor("orders", "billing")).isZero();
		assertThat(cursors().commitCursor("orders", "billing", 2)).isEqualTo(2);
		assertThat(cursors().commitCursor("orders", "billing", 1)).isEqualTo(2);
		assertThat(cursors().readCursor("orders", "billing")).isEqualTo(2);
		assertThat(cursors().readCursor("orders", "shipping")).isZero();
	}

	@Test
	void cursorCannotPassTheLastRowid() {
		streams().ensureStream(orders());
		streams().appendAndWait("orders", List.of(event("amount", 1)));
		assertThatThrownBy(() -> cursors().commitCursor("orders", "billing", 2))
			.isInstanceOf(InvalidRequestException.class);
		assertThat(cursors().readCursor("orders", "billing")).isZero();
	}

	@Test
	void concurrentCursorCommitsNeverMoveBackwards() throws Exception {
		streams().ensureStream(orders());
		streams().appendAndWait("orders", amounts(200));
		ExecutorService pool = Executors.newFixedThreadPool(8);
		try {
			List<Future<?>> futures = new ArrayList<>();
			for (int t = 0; t < 8; t++) {
				int offset = t;
				futures.add(pool.submit(() -> {
					for (int rowid = 1 + offset; rowid <= 200; rowid += 8) {
						long after = cursors().commitCursor("orders", "c", rowid);
						assertThat(after).isGreaterThanOrEqualTo(rowid);
					}
				}));
			}
			for (Future<?> future : futures) {
				future.get(60, TimeUnit.SECONDS);
			}
		}
		finally {
			pool.shutdownNow();
		}
		assertThat(cursors().readCursor("orders", "c")).isEqualTo(200);
	}

	@Test
	void readCursorsReturnsEveryConsumersCursorOfTheStream() {
		streams().ensureStream(orders());
		streams().appendAndWait("orders", List.of(event("amount", 1), event("amount", 2), event("amount", 3)));
		assertThat(cursors().readCursors("orders")).isEmpty();
		cursors().commitCursor("orders", "shipping", 1);
		cursors().commitCursor("orders", "billing", 3);
		assertThat(cursors().readCursors("orders")).containsExactly(Map.entry("billing", 3L),
				Map.entry("shipping", 1L));
	}

	@Test
	void deletingACursorSaysWhetherItExistedAndTheConsumerStartsAgainFromZero() {
		streams().ensureStream(orders());
		streams().appendAndWait("orders", List.of(event("amount", 1), event("amount", 2)));
		cursors().commitCursor("orders", "billing", 2);
		assertThat(cursors().deleteCursor("orders", "billing")).isTrue();
		assertThat(cursors().deleteCursor("orders", "billing")).isFalse();
		assertThat(cursors().deleteCursor("orders", "never")).isFalse();
		assertThat(cursors().readCursor("orders", "billing")).isZero();
		assertThat(cursors().readCursors("orders")).isEmpty();
		assertThatThrownBy(() -> cursors().deleteCursor("missing", "billing"))
			.isInstanceOf(StreamNotFoundException.class);
	}

	@Test
	void aNewConsumerBeyondTheLimitIsRefusedWhileExistingOnesMoveOn() {
		streams().ensureStream(orders());
		streams().appendAndWait("orders", List.of(event("amount", 1), event("amount", 2), event("amount", 3)));
		cursors().commitCursor("orders", "billing", 1, 2);
		cursors().commitCursor("orders", "shipping", 1, 2);
		assertThatThrownBy(() -> cursors().commitCursor("orders", "audit", 1, 2))
			.isInstanceOf(ConsumerLimitException.class)
			.hasMessageContaining("2 consumers")
			.hasMessageContaining("interlace.consume.max-consumers-per-stream");
		assertThat(cursors().readCursors("orders")).containsOnlyKeys("billing", "shipping");
		assertThat(cursors().commitCursor("orders", "billing", 3, 2)).isEqualTo(3);
		assertThat(cursors().deleteCursor("orders", "shipping")).isTrue();
		assertThat(cursors().commitCursor("orders", "audit", 2, 2)).isEqualTo(2);
		assertThat(cursors().readCursors("orders")).containsExactly(Map.entry("audit", 2L), Map.entry("billing", 3L));
	}

	@Test
	void concurrentNewConsumersNeverPassTheLimit() throws Exception {
		streams().ensureStream(orders());
		streams().appendAndWait("orders", List.of(event("amount", 1)));
		ExecutorService pool = Executors.newFixedThreadPool(8);
		try {
			List<Future<Boolean>> futures = new ArrayList<>();
			for (int i = 0; i < 40; i++) {
				String consumer = "c" + i;
				futures.add(pool.submit(() -> {
					try {
						cursors().commitCursor("orders", consumer, 1, 10);
						return true;
					}
					catch (ConsumerLimitException ex) {
						return false;
					}
				}));
			}
			long accepted = 0;
			for (Future<Boolean> future : futures) {
				accepted += future.get(60, TimeUnit.SECONDS) ? 1 : 0;
			}
			assertThat(accepted).isEqualTo(10);
		}
		finally {
			pool.shutdownNow();
		}
		assertThat(cursors().readCursors("orders")).hasSize(10);
	}

	@Test
	void eventsAndCursorsSurviveReopen() {
		streams().ensureStream(orders());
		streams().appendAndWait("orders", List.of(event("order_id", "a"), event("order_id", "b")));
		cursors().commitCursor("orders", "billing", 1);
		reopen();
		streams().ensureStream(orders());
		assertThat(streams().readAfter("orders", 0, 10)).extracting((e) -> e.data().get("order_id"))
			.containsExactly("a", "b");
		assertThat(cursors().readCursor("orders", "billing")).isEqualTo(1);
		assertThat(streams().appendAndWait("orders", List.of(event("order_id", "c"))).firstRowid()).isEqualTo(3);
	}

	@Test
	void trimOlderThanDeletesOldRowsAndRowidsNeverRepeat() {
		streams().ensureStream(orders());
		streams().appendAndWait("orders", List.of(event("amount", 1), event("amount", 2)));
		cursors().commitCursor("orders", "billing", 1);
		assertThat(streams().trimOlderThan("orders", Instant.now().plusSeconds(60))).isEqualTo(2);
		assertThat(streams().describe("orders").rowCount()).isZero();
		reopen();
		streams().ensureStream(orders());
		PublishResult result = streams().appendAndWait("orders", List.of(event("amount", 3)));
		assertThat(result.firstRowid()).isEqualTo(3);
		assertThat(streams().trimOlderThan("orders", Instant.now().minusSeconds(3600))).isZero();
		assertThat(streams().readAfter("orders", cursors().readCursor("orders", "billing"), 10))
			.extracting(StoredEvent::rowid)
			.containsExactly(3L);
	}

	@Test
	void consumerWhoseCursorWasTrimmedResumesAtTheOldestKeptRow() {
		StreamDefinition definition = orders().toBuilder().retention(new Retention(null, 3L)).build();
		DefaultStreams streams = new DefaultStreams(List.of(definition), Map.of(definition.connection(), streams()));
		streams.publishBlocking("orders", amounts(10));
		streams.ack("orders", "billing", 2);
		assertThat(new RetentionTask(streams).trim()).containsExactly(Map.entry("orders", 7L));
		ConsumedBatch batch = streams.consume("orders", "billing", 2);
		assertThat(batch.events()).extracting(StoredEvent::rowid).containsExactly(8L, 9L);
		assertThat(streams.consume("orders", "newcomer", 10).events()).extracting(StoredEvent::rowid)
			.containsExactly(8L, 9L, 10L);
		assertThat(streams.ack("orders", "billing", 9)).isEqualTo(9);
		assertThat(streams.consume("orders", "billing", 10).events()).extracting(StoredEvent::rowid)
			.containsExactly(10L);
	}

}
