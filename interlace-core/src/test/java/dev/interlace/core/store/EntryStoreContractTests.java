package dev.interlace.core.store;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.interlace.core.StoredEvent;
import dev.interlace.core.EntryId;
import dev.interlace.core.NewEntryId;

import static dev.interlace.core.store.StoreTestSupport.amounts;
import static dev.interlace.core.store.StoreTestSupport.orders;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract of {@link EntryStore}, Redis' entry commands over a stream's rows: ranges by ID, deletes by ID,
 * trims by minimum ID and the stream's description. Each backend extends this class with a factory that opens a
 * store on durable storage; {@link #openStore()} called again after closing must see the same data. Streams are
 * filled with explicit IDs ({@code 1-1}, {@code 1-2}, {@code 2-1}, ...) so that each test names the IDs it expects.
 */
public abstract class EntryStoreContractTests {

	private StreamStore store;

	/**
	 * Opens a store on this test's storage: a second call after closing the first store reopens the same data.
	 * @return a store that also offers {@link EntryStore}
	 */
	protected abstract StreamStore openStore();

	@BeforeEach
	void openTheStore() {
		this.store = openStore();
		this.store.ensureStream(orders());
	}

	@AfterEach
	void closeTheStore() {
		this.store.close();
	}

	private EntryStore entries() {
		return (EntryStore) this.store;
	}

	/** Adds entries 1-1, 1-2, 2-1, 2-2, ... up to {@code ms}-2. */
	private void fill(int ms) {
		for (int m = 1; m <= ms; m++) {
			for (int s = 1; s <= 2; s++) {
				this.store.appendAndWait("orders", amounts(1), NewEntryId.at(new EntryId(m, s)));
			}
		}
	}

	private static EntryId id(long ms, long seq) {
		return new EntryId(ms, seq);
	}

	private static List<EntryId> ids(List<StoredEvent> events) {
		return events.stream().map(StoredEvent::id).toList();
	}

	// XRANGE key start end: both bounds inclusive, in ID order.
	@Test
	void rangeReturnsTheEntriesBetweenInclusiveBoundsInIdOrder() {
		fill(3);
		assertThat(ids(entries().range("orders", id(1, 2), id(3, 1), 100, false))).containsExactly(id(1, 2),
				id(2, 1), id(2, 2), id(3, 1));
		// XRANGE key - +: everything.
		assertThat(entries().range("orders", EntryId.MIN, EntryId.MAX, 100, false)).hasSize(6);
		// XRANGE key 2 2: an incomplete ID is the whole millisecond (the caller expands it: 2-0 to 2-max).
		assertThat(ids(entries().range("orders", EntryId.parse("2", 0), EntryId.parse("2", Long.MAX_VALUE), 100,
				false))).containsExactly(id(2, 1), id(2, 2));
		// Bounds between entries, and a start past the end, as XRANGE answers them.
		assertThat(ids(entries().range("orders", id(1, 3), id(2, 0), 100, false))).isEmpty();
		assertThat(entries().range("orders", id(3, 0), id(1, 0), 100, false)).isEmpty();
	}

	// XRANGE ... COUNT n: the first n; XRANGE with an exclusive start "(id" continues after the last seen.
	@Test
	void rangeHonoursTheCountAndPagesWithAnExclusiveStart() {
		fill(3);
		List<StoredEvent> page = entries().range("orders", EntryId.MIN, EntryId.MAX, 4, false);
		assertThat(ids(page)).containsExactly(id(1, 1), id(1, 2), id(2, 1), id(2, 2));
		EntryId after = page.get(page.size() - 1).id().next();
		assertThat(ids(entries().range("orders", after, EntryId.MAX, 4, false))).containsExactly(id(3, 1), id(3, 2));
		assertThat(entries().range("orders", EntryId.MIN, EntryId.MAX, 0, false)).isEmpty();
	}

	// XREVRANGE key end start COUNT n: from the highest ID down.
	@Test
	void reverseRangeReturnsTheEntriesFromTheHighestIdDown() {
		fill(3);
		assertThat(ids(entries().range("orders", id(1, 2), id(3, 1), 3, true))).containsExactly(id(3, 1), id(2, 2),
				id(2, 1));
		StoredEvent last = entries().range("orders", EntryId.MIN, EntryId.MAX, 1, true).get(0);
		assertThat(last.id()).isEqualTo(id(3, 2));
		assertThat(last.data()).containsEntry("amount", 0L);
	}

	// XDEL key id...: returns how many existed; missing and repeated IDs count nothing more.
	@Test
	void deleteRemovesExistingEntriesAndCountsThem() {
		fill(2);
		assertThat(entries().delete("orders", List.of(id(1, 2), id(1, 2), id(9, 9), id(2, 1)))).isEqualTo(2);
		assertThat(ids(entries().range("orders", EntryId.MIN, EntryId.MAX, 100, false))).containsExactly(id(1, 1),
				id(2, 2));
		assertThat(entries().delete("orders", List.of(id(1, 2)))).isZero();
		assertThat(entries().delete("orders", List.of())).isZero();
		assertThat(this.store.describe("orders").rowCount()).isEqualTo(2);
	}

	// XDEL raises max-deleted-entry-id to the highest ID deleted, never lowers it; XINFO STREAM shows it.
	@Test
	void deleteRaisesTheHighestDeletedIdAndNeverLowersIt() {
		fill(3);
		assertThat(entries().info("orders").maxDeletedId()).isEqualTo(EntryId.MIN);
		entries().delete("orders", List.of(id(1, 1), id(2, 2)));
		assertThat(entries().info("orders").maxDeletedId()).isEqualTo(id(2, 2));
		entries().delete("orders", List.of(id(1, 2)));
		assertThat(entries().info("orders").maxDeletedId()).isEqualTo(id(2, 2));
		entries().delete("orders", List.of(id(7, 7)));
		assertThat(entries().info("orders").maxDeletedId()).isEqualTo(id(2, 2));
	}

	// XDEL of the last entry keeps last-generated-id: the next XADD * must still be greater, also after a restart.
	@Test
	void deletingTheLastEntriesNeverLowersTheLastIdAcrossRestarts() {
		fill(2);
		entries().delete("orders", List.of(id(2, 1), id(2, 2)));
		this.store.close();
		this.store = openStore();
		this.store.ensureStream(orders());
		EntriesInfo info = entries().info("orders");
		assertThat(info.lastGeneratedId()).isEqualTo(id(2, 2));
		assertThat(info.entriesAdded()).isEqualTo(4);
		assertThat(info.length()).isEqualTo(2);
		assertThat(this.store.appendAndWait("orders", amounts(1), NewEntryId.atMillis(2)).firstId()).isEqualTo(id(2, 3));
	}

	// XTRIM key MINID id: entries below the ID go, the ID itself stays; returns how many went.
	@Test
	void trimToMinIdDeletesTheEntriesBelowTheIdInBatches() {
		fill(3);
		assertThat(entries().trimToMinId("orders", id(2, 2), 1)).isEqualTo(3);
		assertThat(ids(entries().range("orders", EntryId.MIN, EntryId.MAX, 100, false))).containsExactly(id(2, 2),
				id(3, 1), id(3, 2));
		assertThat(entries().trimToMinId("orders", id(2, 2), 10)).isZero();
		// A minimum past the last ID empties the stream, which keeps its last ID.
		assertThat(entries().trimToMinId("orders", id(99, 0), 2)).isEqualTo(3);
		EntriesInfo info = entries().info("orders");
		assertThat(info.length()).isZero();
		assertThat(info.lastGeneratedId()).isEqualTo(id(3, 2));
		assertThat(this.store.appendAndWait("orders", amounts(1), NewEntryId.atMillis(3)).firstId()).isEqualTo(id(3, 3));
	}

	// XTRIM key MAXLEN n: the oldest entries go until n are left; the last ID and max-deleted-entry-id stay.
	@Test
	void trimToMaxLenKeepsTheNewestEntriesAndTheLastId() {
		fill(3);
		entries().delete("orders", List.of(id(1, 1)));
		assertThat(entries().trimToMaxLen("orders", 2, TrimLimits.EXACT, 1)).isEqualTo(3);
		assertThat(ids(entries().range("orders", EntryId.MIN, EntryId.MAX, 100, false))).containsExactly(id(3, 1),
				id(3, 2));
		assertThat(entries().trimToMaxLen("orders", 5, TrimLimits.EXACT, 10)).isZero();
		// XTRIM MAXLEN 0 empties the stream, which keeps its last ID; trims leave max-deleted-entry-id as XDEL set it.
		assertThat(entries().trimToMaxLen("orders", 0, TrimLimits.EXACT, 10)).isEqualTo(2);
		EntriesInfo info = entries().info("orders");
		assertThat(info.length()).isZero();
		assertThat(info.lastGeneratedId()).isEqualTo(id(3, 2));
		assertThat(info.maxDeletedId()).isEqualTo(id(1, 1));
		assertThat(info.entriesAdded()).isEqualTo(6);
	}

	// XTRIM key MAXLEN ~ n: whole granules only, never below n; LIMIT caps the entries deleted.
	@Test
	void approximateTrimToMaxLenDeletesWholeGranulesWithinTheLimit() {
		fill(5);
		// 10 entries, keep 3: an exact trim deletes 7; granules of 3 delete 6, leaving 4.
		assertThat(entries().trimToMaxLen("orders", 3, new TrimLimits(3, 0), 2)).isEqualTo(6);
		assertThat(ids(entries().range("orders", EntryId.MIN, EntryId.MAX, 100, false))).containsExactly(id(4, 1),
				id(4, 2), id(5, 1), id(5, 2));
		// One granule of 3 does not fit into the 1 entry beyond: nothing goes.
		assertThat(entries().trimToMaxLen("orders", 3, new TrimLimits(3, 0), 2)).isZero();
		// LIMIT 1 of granules of 1: one entry per call.
		assertThat(entries().trimToMaxLen("orders", 0, new TrimLimits(1, 1), 2)).isEqualTo(1);
		assertThat(entries().info("orders").length()).isEqualTo(3);
	}

	// XTRIM key MINID ~ id LIMIT n: below the ID, whole granules, at most n; the ID itself always stays.
	@Test
	void approximateTrimToMinIdDeletesWholeGranulesWithinTheLimit() {
		fill(4);
		// 5 entries below 3-2: granules of 2 delete 4.
		assertThat(entries().trimToMinId("orders", id(3, 2), new TrimLimits(2, 0), 3)).isEqualTo(4);
		assertThat(ids(entries().range("orders", EntryId.MIN, EntryId.MAX, 100, false))).containsExactly(id(3, 1),
				id(3, 2), id(4, 1), id(4, 2));
		// A limit: at most 1 of the 3 below 4-2.
		assertThat(entries().trimToMinId("orders", id(4, 2), new TrimLimits(1, 1), 3)).isEqualTo(1);
		assertThat(ids(entries().range("orders", EntryId.MIN, EntryId.MAX, 100, false))).containsExactly(id(3, 2),
				id(4, 1), id(4, 2));
		// Exact limits: every entry below.
		assertThat(entries().trimToMinId("orders", id(99, 0), TrimLimits.EXACT, 3)).isEqualTo(3);
		assertThat(entries().info("orders").lastGeneratedId()).isEqualTo(id(4, 2));
	}

	// XINFO STREAM: length, first and last entry, last-generated-id, max-deleted-entry-id, entries-added,
	// recorded-first-entry-id; XLEN is the length.
	@Test
	void infoDescribesTheEntriesOfAStream() {
		EntriesInfo empty = entries().info("orders");
		assertThat(empty.length()).isZero();
		assertThat(empty.firstEntry()).isNull();
		assertThat(empty.lastEntry()).isNull();
		assertThat(empty.lastGeneratedId()).isEqualTo(EntryId.MIN);
		assertThat(empty.entriesAdded()).isZero();
		assertThat(empty.recordedFirstEntryId()).isEqualTo(EntryId.MIN);
		fill(2);
		entries().delete("orders", List.of(id(1, 1)));
		EntriesInfo info = entries().info("orders");
		assertThat(info.length()).isEqualTo(3);
		assertThat(info.firstEntry().id()).isEqualTo(id(1, 2));
		assertThat(info.lastEntry().id()).isEqualTo(id(2, 2));
		assertThat(info.lastGeneratedId()).isEqualTo(id(2, 2));
		assertThat(info.maxDeletedId()).isEqualTo(id(1, 1));
		assertThat(info.entriesAdded()).isEqualTo(4);
		assertThat(info.recordedFirstEntryId()).isEqualTo(id(1, 2));
	}

}
