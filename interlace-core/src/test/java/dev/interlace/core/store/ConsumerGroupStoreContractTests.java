package dev.interlace.core.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.interlace.core.InvalidRequestException;
import dev.interlace.core.Retention;
import dev.interlace.core.StreamNotFoundException;
import dev.interlace.core.engine.RetentionTask;
import dev.interlace.core.group.AutoClaimResult;
import dev.interlace.core.group.ClaimOptions;
import dev.interlace.core.group.ClaimResult;
import dev.interlace.core.group.ConsumerInfo;
import dev.interlace.core.EntryId;
import dev.interlace.core.group.GroupEntry;
import dev.interlace.core.group.GroupExistsException;
import dev.interlace.core.group.GroupInfo;
import dev.interlace.core.group.GroupNotFoundException;
import dev.interlace.core.group.GroupSettings;
import dev.interlace.core.group.GroupStart;
import dev.interlace.core.group.PendingEntry;
import dev.interlace.core.group.PendingQuery;
import dev.interlace.core.group.PendingSummary;

import static dev.interlace.core.store.StoreTestSupport.amounts;
import static dev.interlace.core.store.StoreTestSupport.orders;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract every {@link ConsumerGroupStore} must keep: the semantics of Redis Streams' consumer groups (7.2 and
 * later), each test naming the Redis behaviour it mirrors. Each backend extends this class with a factory that opens
 * its stores on durable storage; {@link #openStores()} called again after the store is closed must see the same data.
 */
public abstract class ConsumerGroupStoreContractTests {

	private static final String STREAM = "orders";

	private static final String GROUP = "billing";

	protected DatabaseStores stores;

	private final ExecutorService pool = Executors.newCachedThreadPool();

	/**
	 * Opens the stores of this test's database: a second call after closing the first reopens the same data.
	 * @return stores offering streams and consumer groups
	 */
	protected abstract DatabaseStores openStores();

	/**
	 * Opens another store on this test's database while the first stays open, as another server instance would,
	 * where the backend allows it.
	 * @return the other store's capabilities, or {@code null} when one database has one store (DuckDB)
	 */
	protected @Nullable DatabaseStores openOtherInstance() {
		return null;
	}

	@BeforeEach
	void openTheStores() {
		this.stores = openStores();
		assertThat(this.stores.groups()).isNotNull();
		streams().ensureStream(orders());
	}

	@AfterEach
	void closeTheStores() {
		this.pool.shutdownNow();
		streams().close();
	}

	protected StreamStore streams() {
		return this.stores.streams();
	}

	protected ConsumerGroupStore groups() {
		ConsumerGroupStore groups = this.stores.groups();
		assertThat(groups).isNotNull();
		return groups;
	}

	private void reopen() {
		streams().close();
		this.stores = openStores();
		streams().ensureStream(orders());
	}

	/** Publishes entries and returns their IDs, in order. */
	private List<EntryId> publish(int count) {
		ConsumerGroupStore groups = groups();
		List<EntryId> before = entryIds();
		streams().appendAndWait(STREAM, amounts(count));
		List<EntryId> after = entryIds();
		assertThat(groups).isNotNull();
		return after.subList(before.size(), after.size());
	}

	/** Every entry ID of the stream, read by a scratch group that leaves nothing behind. */
	private List<EntryId> entryIds() {
		return entries(STREAM).stream().map(GroupEntry::id).toList();
	}

	/** Every entry of a stream, read by a scratch group that leaves nothing behind. */
	private List<GroupEntry> entries(String stream) {
		groups().createGroup(stream, "_scratch", GroupStart.beginning(), GroupSettings.REDIS);
		try {
			return groups().readNew(stream, "_scratch", "_reader", 100_000, true);
		}
		finally {
			groups().destroyGroup(stream, "_scratch");
		}
	}

	private void createGroup(GroupStart start) {
		groups().createGroup(STREAM, GROUP, start, GroupSettings.REDIS);
	}

	private List<EntryId> read(String consumer, int count) {
		return groups().readNew(STREAM, GROUP, consumer, count, false).stream().map(GroupEntry::id).toList();
	}

	private static List<EntryId> idsOf(List<GroupEntry> entries) {
		return entries.stream().map(GroupEntry::id).toList();
	}

	/** Makes entries of a consumer look idle for {@code idleMillis}, through XCLAIM's IDLE option. */
	private void age(String consumer, List<EntryId> ids, long idleMillis) {
		groups().claim(STREAM, GROUP, consumer, 0, ids, new ClaimOptions(idleMillis, null, null, false, true));
	}

	// XGROUP CREATE, SETID, DESTROY, CREATECONSUMER, DELCONSUMER

	@Test
	void createAtZeroDeliversEveryEntry() {
		// XGROUP CREATE key group 0
		List<EntryId> ids = publish(3);
		createGroup(GroupStart.beginning());
		assertThat(read("alice", 10)).containsExactlyElementsOf(ids);
	}

	@Test
	void createAtDollarDeliversOnlyLaterEntries() {
		// XGROUP CREATE key group $
		publish(3);
		createGroup(GroupStart.end());
		assertThat(read("alice", 10)).isEmpty();
		List<EntryId> later = publish(2);
		assertThat(read("alice", 10)).containsExactlyElementsOf(later);
		assertThat(groups().group(STREAM, GROUP).lastDeliveredId()).isEqualTo(later.get(1));
	}

	@Test
	void createAtAnIdDeliversTheEntriesAfterIt() {
		// XGROUP CREATE key group <id>
		List<EntryId> ids = publish(4);
		createGroup(GroupStart.after(ids.get(1)));
		assertThat(groups().group(STREAM, GROUP).lastDeliveredId()).isEqualTo(ids.get(1));
		assertThat(read("alice", 10)).containsExactly(ids.get(2), ids.get(3));
	}

	@Test
	void createAtAnIdNoEntryHasKeepsThatIdAsTheLastDelivered() {
		// XGROUP CREATE with an ID no entry has (beyond the last): Redis keeps the ID as given, and new reads
		// skip every entry up to it.
		List<EntryId> ids = publish(3);
		EntryId beyond = ids.get(2).next();
		createGroup(GroupStart.after(beyond));
		assertThat(groups().group(STREAM, GROUP).lastDeliveredId()).isEqualTo(beyond);
		assertThat(groups().group(STREAM, GROUP).lastDeliveredRowid()).isEqualTo(3);
		assertThat(read("alice", 10)).isEmpty();
		groups().createGroup(STREAM, "future", GroupStart.after(EntryId.MAX.previous()), GroupSettings.REDIS);
		publish(2);
		assertThat(groups().readNew(STREAM, "future", "alice", 10, false)).isEmpty();
		assertThat(groups().group(STREAM, "future").lastDeliveredId()).isEqualTo(EntryId.MAX.previous());
	}

	@Test
	void createTwiceIsBusyGroup() {
		// XGROUP CREATE on an existing group: -BUSYGROUP
		createGroup(GroupStart.beginning());
		assertThatThrownBy(() -> createGroup(GroupStart.end())).isInstanceOf(GroupExistsException.class)
			.hasMessageContaining(GROUP);
	}

	@Test
	void unknownGroupIsNoGroupAndUnknownStreamIsNotFound() {
		// XREADGROUP / XACK / XPENDING on a missing group: -NOGROUP; a missing key: no such key.
		assertThatThrownBy(() -> read("alice", 1)).isInstanceOf(GroupNotFoundException.class);
		assertThatThrownBy(() -> groups().acknowledge(STREAM, GROUP, List.of(EntryId.MIN)))
			.isInstanceOf(GroupNotFoundException.class);
		assertThatThrownBy(() -> groups().pendingSummary(STREAM, GROUP)).isInstanceOf(GroupNotFoundException.class);
		assertThatThrownBy(() -> groups().group(STREAM, GROUP)).isInstanceOf(GroupNotFoundException.class);
		assertThatThrownBy(() -> groups().consumers(STREAM, GROUP)).isInstanceOf(GroupNotFoundException.class);
		assertThatThrownBy(
				() -> groups().claim(STREAM, GROUP, "bob", 0, List.of(EntryId.MIN), ClaimOptions.NONE))
			.isInstanceOf(GroupNotFoundException.class);
		assertThatThrownBy(() -> groups().createGroup("missing", GROUP, GroupStart.beginning(), GroupSettings.REDIS))
			.isInstanceOf(StreamNotFoundException.class);
		assertThatThrownBy(() -> groups().readNew("missing", GROUP, "alice", 1, false))
			.isInstanceOf(StreamNotFoundException.class);
		assertThat(groups().groups(STREAM)).isEmpty();
	}

	@Test
	void badArgumentsAreRefusedAndStoreNothing() {
		createGroup(GroupStart.beginning());
		publish(1);
		assertThatThrownBy(() -> read("alice", 0)).isInstanceOf(InvalidRequestException.class)
			.hasMessageContaining("count");
		assertThatThrownBy(() -> groups().createGroup(STREAM, "", GroupStart.beginning(), GroupSettings.REDIS))
			.isInstanceOf(InvalidRequestException.class);
		assertThatThrownBy(() -> groups().claim(STREAM, GROUP, "bob", -1, List.of(EntryId.MIN), ClaimOptions.NONE))
			.isInstanceOf(InvalidRequestException.class).hasMessageContaining("min-idle");
		assertThat(groups().consumers(STREAM, GROUP)).isEmpty();
		assertThat(groups().group(STREAM, GROUP).lastDeliveredRowid()).isZero();
	}

	@Test
	void setIdMovesThePositionAndKeepsThePendingEntries() {
		// XGROUP SETID key group <id> [ENTRIESREAD n]
		List<EntryId> ids = publish(3);
		createGroup(GroupStart.beginning());
		assertThat(read("alice", 10)).hasSize(3);
		groups().setPosition(STREAM, GROUP, GroupStart.after(ids.get(0)), null);
		GroupInfo info = groups().group(STREAM, GROUP);
		assertThat(info.lastDeliveredId()).isEqualTo(ids.get(0));
		assertThat(info.entriesRead()).isNull();
		assertThat(info.pending()).isEqualTo(3);
		// Read again, the entries already pending move to the reader with a count of 1, as Redis does.
		List<GroupEntry> again = groups().readNew(STREAM, GROUP, "bob", 10, false);
		assertThat(idsOf(again)).containsExactly(ids.get(1), ids.get(2));
		assertThat(again).allSatisfy((entry) -> assertThat(entry.deliveryCount()).isEqualTo(1));
		assertThat(groups().pendingSummary(STREAM, GROUP).consumers()).containsExactly(Map.entry("alice", 1L),
				Map.entry("bob", 2L));
		groups().setPosition(STREAM, GROUP, GroupStart.end(), 3L);
		info = groups().group(STREAM, GROUP);
		assertThat(info.lastDeliveredId()).isEqualTo(ids.get(2));
		assertThat(info.entriesRead()).isEqualTo(3);
		assertThat(info.lag()).isZero();
		assertThatThrownBy(() -> groups().setPosition(STREAM, "nope", GroupStart.end(), null))
			.isInstanceOf(GroupNotFoundException.class);
	}

	@Test
	void destroyRemovesTheGroupWithItsPendingEntriesAndConsumers() {
		// XGROUP DESTROY answers 1, then 0
		publish(2);
		createGroup(GroupStart.beginning());
		read("alice", 10);
		assertThat(groups().destroyGroup(STREAM, GROUP)).isTrue();
		assertThat(groups().destroyGroup(STREAM, GROUP)).isFalse();
		assertThat(groups().groups(STREAM)).isEmpty();
		createGroup(GroupStart.beginning());
		assertThat(groups().pendingSummary(STREAM, GROUP).count()).isZero();
		assertThat(groups().consumers(STREAM, GROUP)).isEmpty();
	}

	@Test
	void createAndDeleteConsumers() {
		// XGROUP CREATECONSUMER answers 1, then 0; DELCONSUMER answers the consumer's pending count
		List<EntryId> ids = publish(3);
		createGroup(GroupStart.beginning());
		assertThat(groups().createConsumer(STREAM, GROUP, "alice")).isTrue();
		assertThat(groups().createConsumer(STREAM, GROUP, "alice")).isFalse();
		assertThat(groups().consumers(STREAM, GROUP)).extracting(ConsumerInfo::name).containsExactly("alice");
		read("alice", 2);
		read("bob", 1);
		assertThat(groups().deleteConsumer(STREAM, GROUP, "alice")).isEqualTo(2);
		assertThat(groups().deleteConsumer(STREAM, GROUP, "alice")).isZero();
		assertThat(groups().consumers(STREAM, GROUP)).extracting(ConsumerInfo::name).containsExactly("bob");
		PendingSummary summary = groups().pendingSummary(STREAM, GROUP);
		assertThat(summary.count()).isEqualTo(1);
		assertThat(summary.smallest()).isEqualTo(ids.get(2));
	}

	@Test
	void groupsSurviveARestart() {
		// Groups are part of the stream in Redis (persisted with it): here rows of the engine's tables.
		List<EntryId> ids = publish(3);
		groups().createGroup(STREAM, GROUP, GroupStart.beginning(), new GroupSettings(5, Duration.ofSeconds(30)));
		read("alice", 2);
		reopen();
		GroupInfo info = groups().group(STREAM, GROUP);
		assertThat(info.lastDeliveredId()).isEqualTo(ids.get(1));
		assertThat(info.pending()).isEqualTo(2);
		assertThat(info.consumers()).isEqualTo(1);
		assertThat(info.settings()).isEqualTo(new GroupSettings(5, Duration.ofSeconds(30)));
		assertThat(read("bob", 10)).containsExactly(ids.get(2));
	}

	// XREADGROUP GROUP g c COUNT n STREAMS key >

	@Test
	void newReadsDeliverNeverDeliveredEntriesInOrderIntoThePel() {
		List<EntryId> ids = publish(5);
		createGroup(GroupStart.beginning());
		List<GroupEntry> first = groups().readNew(STREAM, GROUP, "alice", 2, false);
		assertThat(idsOf(first)).containsExactly(ids.get(0), ids.get(1));
		assertThat(first).allSatisfy((entry) -> {
			assertThat(entry.deliveryCount()).isEqualTo(1);
			assertThat(entry.event()).isNotNull();
			assertThat(entry.event().rowid()).isEqualTo(entry.rowid());
			assertThat(entry.event().data()).containsKey("amount");
		});
		// COUNT bounds each read; the next one goes on where the last stopped; caught up, it is empty.
		assertThat(read("alice", 2)).containsExactly(ids.get(2), ids.get(3));
		assertThat(read("alice", 10)).containsExactly(ids.get(4));
		assertThat(read("alice", 10)).isEmpty();
		List<PendingEntry> pel = groups().pending(STREAM, GROUP, PendingQuery.all(10));
		assertThat(pel).extracting(PendingEntry::id).containsExactlyElementsOf(ids);
		assertThat(pel).allSatisfy((entry) -> {
			assertThat(entry.consumer()).isEqualTo("alice");
			assertThat(entry.deliveryCount()).isEqualTo(1);
		});
	}

	@Test
	void noAckReadsTrackNothing() {
		// XREADGROUP ... NOACK: delivered, the group moves on, nothing pending
		List<EntryId> ids = publish(3);
		createGroup(GroupStart.beginning());
		List<GroupEntry> entries = groups().readNew(STREAM, GROUP, "alice", 10, true);
		assertThat(idsOf(entries)).containsExactlyElementsOf(ids);
		assertThat(entries).allSatisfy((entry) -> assertThat(entry.deliveryCount()).isZero());
		assertThat(groups().pendingSummary(STREAM, GROUP).count()).isZero();
		assertThat(groups().group(STREAM, GROUP).lastDeliveredId()).isEqualTo(ids.get(2));
		assertThat(read("alice", 10)).isEmpty();
	}

	@Test
	void consumersAreCreatedByTheirFirstReadAndShareTheEntries() {
		// XREADGROUP creates the consumer; two consumers of a group never get the same new entry.
		List<EntryId> ids = publish(4);
		createGroup(GroupStart.beginning());
		assertThat(groups().consumers(STREAM, GROUP)).isEmpty();
		List<EntryId> alice = read("alice", 2);
		List<EntryId> bob = read("bob", 10);
		assertThat(alice).containsExactly(ids.get(0), ids.get(1));
		assertThat(bob).containsExactly(ids.get(2), ids.get(3));
		assertThat(groups().consumers(STREAM, GROUP)).extracting(ConsumerInfo::name).containsExactly("alice", "bob");
		// Reading nothing still creates the consumer, as in Redis.
		read("carol", 10);
		assertThat(groups().consumers(STREAM, GROUP)).extracting(ConsumerInfo::name)
			.containsExactly("alice", "bob", "carol");
	}

	// XREADGROUP ... STREAMS key <id>: the consumer's own history

	@Test
	void explicitIdReadsReturnTheConsumersOwnPendingAfterTheIdCountingADelivery() {
		List<EntryId> ids = publish(4);
		createGroup(GroupStart.beginning());
		read("alice", 3);
		read("bob", 1);
		List<GroupEntry> history = groups().readPending(STREAM, GROUP, "alice", EntryId.MIN, 10);
		assertThat(idsOf(history)).containsExactly(ids.get(0), ids.get(1), ids.get(2));
		assertThat(history).allSatisfy((entry) -> {
			assertThat(entry.deliveryCount()).isEqualTo(2);
			assertThat(entry.event()).isNotNull();
		});
		assertThat(idsOf(groups().readPending(STREAM, GROUP, "alice", ids.get(0), 1))).containsExactly(ids.get(1));
		assertThat(groups().pending(STREAM, GROUP, PendingQuery.all(10))).extracting(PendingEntry::deliveryCount)
			.containsExactly(2L, 3L, 2L, 1L);
		// Another consumer's pending entries never show; nothing pending after the ID is an empty answer.
		assertThat(groups().readPending(STREAM, GROUP, "alice", ids.get(2), 10)).isEmpty();
		assertThat(idsOf(groups().readPending(STREAM, GROUP, "bob", EntryId.MIN, 10))).containsExactly(ids.get(3));
		assertThat(groups().readPending(STREAM, GROUP, "carol", EntryId.MIN, 10)).isEmpty();
	}

	@Test
	void explicitIdReadsAnswerEntriesGoneFromTheStreamWithANullEvent() {
		// XREADGROUP ... 0 after XDEL/XTRIM of a pending entry: [id, nil]
		List<EntryId> ids = publish(3);
		createGroup(GroupStart.beginning());
		read("alice", 3);
		streams().trimToMaxRows(STREAM, 1);
		List<GroupEntry> history = groups().readPending(STREAM, GROUP, "alice", EntryId.MIN, 10);
		assertThat(idsOf(history)).containsExactlyElementsOf(ids);
		assertThat(history.get(0).event()).isNull();
		assertThat(history.get(1).event()).isNull();
		assertThat(history.get(2).event()).isNotNull();
		// A gone entry is not delivered again: its count stays.
		assertThat(history.get(0).deliveryCount()).isEqualTo(1);
		assertThat(history.get(2).deliveryCount()).isEqualTo(2);
	}

	// XACK

	@Test
	void acknowledgeRemovesPendingEntriesCountingOnlyThoseThatWere() {
		List<EntryId> ids = publish(3);
		createGroup(GroupStart.beginning());
		read("alice", 3);
		// XACK answers how many were pending: unknown IDs and repeats count nothing.
		assertThat(groups().acknowledge(STREAM, GROUP, List.of(ids.get(0), ids.get(0), new EntryId(999, 0))))
			.isEqualTo(1);
		assertThat(groups().acknowledge(STREAM, GROUP, List.of(ids.get(0)))).isZero();
		assertThat(groups().acknowledge(STREAM, GROUP, List.of())).isZero();
		assertThat(groups().pending(STREAM, GROUP, PendingQuery.all(10))).extracting(PendingEntry::id)
			.containsExactly(ids.get(1), ids.get(2));
		assertThat(groups().acknowledge(STREAM, GROUP, ids)).isEqualTo(2);
		assertThat(groups().pendingSummary(STREAM, GROUP).count()).isZero();
		// An acknowledged entry is not delivered again.
		assertThat(read("alice", 10)).isEmpty();
	}

	// XPENDING

	@Test
	void pendingSummaryCountsAndBoundsThePelPerConsumer() {
		// XPENDING key group: count, smallest, largest, [[consumer, count]...]
		createGroup(GroupStart.beginning());
		assertThat(groups().pendingSummary(STREAM, GROUP)).isEqualTo(new PendingSummary(0, null, null, Map.of()));
		List<EntryId> ids = publish(5);
		read("bob", 2);
		read("alice", 3);
		PendingSummary summary = groups().pendingSummary(STREAM, GROUP);
		assertThat(summary.count()).isEqualTo(5);
		assertThat(summary.smallest()).isEqualTo(ids.get(0));
		assertThat(summary.largest()).isEqualTo(ids.get(4));
		assertThat(summary.consumers()).containsExactly(Map.entry("alice", 3L), Map.entry("bob", 2L));
	}

	@Test
	void extendedPendingFiltersByRangeIdleConsumerAndCount() {
		// XPENDING key group [IDLE ms] start end count [consumer]
		createGroup(GroupStart.beginning());
		List<EntryId> ids = publish(6);
		read("alice", 3);
		read("bob", 3);
		age("alice", ids.subList(0, 2), 60_000);
		List<PendingEntry> all = groups().pending(STREAM, GROUP, PendingQuery.all(10));
		assertThat(all).extracting(PendingEntry::id).containsExactlyElementsOf(ids);
		assertThat(all.get(0).idleMillis()).isBetween(60_000L, 120_000L);
		assertThat(all.get(2).idleMillis()).isLessThan(60_000L);
		// IDLE
		assertThat(groups().pending(STREAM, GROUP, new PendingQuery(EntryId.MIN, EntryId.MAX, 10, null, 30_000)))
			.extracting(PendingEntry::id).containsExactly(ids.get(0), ids.get(1));
		// Inclusive range, and exclusive bounds "(" as next/previous.
		assertThat(groups().pending(STREAM, GROUP, new PendingQuery(ids.get(1), ids.get(3), 10, null, 0)))
			.extracting(PendingEntry::id).containsExactly(ids.get(1), ids.get(2), ids.get(3));
		assertThat(groups().pending(STREAM, GROUP,
				new PendingQuery(ids.get(1).next(), ids.get(3).previous(), 10, null, 0)))
			.extracting(PendingEntry::id).containsExactly(ids.get(2));
		// Consumer, count
		assertThat(groups().pending(STREAM, GROUP, new PendingQuery(EntryId.MIN, EntryId.MAX, 2, "bob", 0)))
			.extracting(PendingEntry::id).containsExactly(ids.get(3), ids.get(4));
		assertThat(groups().pending(STREAM, GROUP, new PendingQuery(EntryId.MIN, EntryId.MAX, 0, null, 0))).isEmpty();
		assertThat(groups().pending(STREAM, GROUP, new PendingQuery(ids.get(3), ids.get(1), 10, null, 0))).isEmpty();
	}

	// XCLAIM

	@Test
	void claimRespectsMinIdleAndMovesOwnershipCountingADelivery() {
		createGroup(GroupStart.beginning());
		List<EntryId> ids = publish(3);
		read("alice", 3);
		age("alice", List.of(ids.get(0)), 60_000);
		ClaimResult result = groups().claim(STREAM, GROUP, "bob", 30_000, ids, ClaimOptions.NONE);
		// Only the entry idle long enough moves, with its count + 1 and idle 0.
		assertThat(idsOf(result.claimed())).containsExactly(ids.get(0));
		assertThat(result.claimed().get(0).deliveryCount()).isEqualTo(2);
		assertThat(result.claimed().get(0).event()).isNotNull();
		assertThat(result.deleted()).isEmpty();
		List<PendingEntry> pel = groups().pending(STREAM, GROUP, PendingQuery.all(10));
		assertThat(pel).extracting(PendingEntry::consumer).containsExactly("bob", "alice", "alice");
		assertThat(pel.get(0).idleMillis()).isLessThan(30_000);
		assertThat(groups().consumers(STREAM, GROUP)).extracting(ConsumerInfo::name).containsExactly("alice", "bob");
		// Not pending and no FORCE: nothing.
		assertThat(groups().acknowledge(STREAM, GROUP, List.of(ids.get(2)))).isEqualTo(1);
		assertThat(groups().claim(STREAM, GROUP, "bob", 0, List.of(ids.get(2)), ClaimOptions.NONE).claimed())
			.isEmpty();
	}

	@Test
	void claimOptionsIdleTimeRetryCountAndJustId() {
		createGroup(GroupStart.beginning());
		List<EntryId> ids = publish(3);
		read("alice", 3);
		long now = System.currentTimeMillis();
		// IDLE sets the idle time, RETRYCOUNT the count.
		groups().claim(STREAM, GROUP, "bob", 0, List.of(ids.get(0)), new ClaimOptions(90_000L, null, 7L, false, false));
		// TIME sets the delivery time (and wins over IDLE).
		groups().claim(STREAM, GROUP, "bob", 0, List.of(ids.get(1)),
				new ClaimOptions(1L, now - 200_000, null, false, false));
		// JUSTID returns IDs only and leaves the count.
		ClaimResult justId = groups().claim(STREAM, GROUP, "carol", 0, List.of(ids.get(2)),
				new ClaimOptions(null, null, null, false, true));
		assertThat(justId.claimed()).singleElement().satisfies((entry) -> {
			assertThat(entry.event()).isNull();
			assertThat(entry.deliveryCount()).isEqualTo(1);
		});
		List<PendingEntry> pel = groups().pending(STREAM, GROUP, PendingQuery.all(10));
		assertThat(pel.get(0).idleMillis()).isBetween(90_000L, 150_000L);
		assertThat(pel.get(0).deliveryCount()).isEqualTo(7);
		assertThat(pel.get(1).idleMillis()).isBetween(200_000L, 260_000L);
		assertThat(pel.get(1).deliveryCount()).isEqualTo(2);
		assertThat(pel).extracting(PendingEntry::consumer).containsExactly("bob", "bob", "carol");
	}

	@Test
	void claimWithForceCreatesPendingEntriesForExistingEntriesOnly() {
		// XCLAIM ... FORCE: an entry not pending (but in the stream) becomes pending with the claimer
		List<EntryId> ids = publish(2);
		groups().createGroup(STREAM, GROUP, GroupStart.end(), GroupSettings.REDIS);
		ClaimResult result = groups().claim(STREAM, GROUP, "bob", 0, List.of(ids.get(1), new EntryId(999_999, 0)),
				new ClaimOptions(null, null, null, true, false));
		assertThat(idsOf(result.claimed())).containsExactly(ids.get(1));
		assertThat(result.claimed().get(0).event()).isNotNull();
		assertThat(groups().pending(STREAM, GROUP, PendingQuery.all(10))).singleElement().satisfies((entry) -> {
			assertThat(entry.id()).isEqualTo(ids.get(1));
			assertThat(entry.consumer()).isEqualTo("bob");
			assertThat(entry.deliveryCount()).isEqualTo(1);
		});
	}

	@Test
	void claimPurgesEntriesGoneFromTheStreamAndReportsThem() {
		// XCLAIM of a deleted entry removes it from the PEL (Redis 7)
		createGroup(GroupStart.beginning());
		List<EntryId> ids = publish(3);
		read("alice", 3);
		streams().trimToMaxRows(STREAM, 1);
		ClaimResult result = groups().claim(STREAM, GROUP, "bob", 0, ids, ClaimOptions.NONE);
		assertThat(idsOf(result.claimed())).containsExactly(ids.get(2));
		assertThat(result.deleted()).containsExactly(ids.get(0), ids.get(1));
		assertThat(groups().pending(STREAM, GROUP, PendingQuery.all(10))).extracting(PendingEntry::id)
			.containsExactly(ids.get(2));
	}

	// XAUTOCLAIM

	@Test
	void autoClaimScansFromTheStartUpToCountAndReturnsTheNextCursor() {
		createGroup(GroupStart.beginning());
		List<EntryId> ids = publish(5);
		read("alice", 5);
		age("alice", ids, 60_000);
		AutoClaimResult first = groups().autoClaim(STREAM, GROUP, "bob", 30_000, EntryId.MIN, 2, false);
		assertThat(idsOf(first.claimed())).containsExactly(ids.get(0), ids.get(1));
		assertThat(first.claimed()).allSatisfy((entry) -> {
			assertThat(entry.deliveryCount()).isEqualTo(2);
			assertThat(entry.event()).isNotNull();
		});
		assertThat(first.next()).isEqualTo(ids.get(2));
		AutoClaimResult second = groups().autoClaim(STREAM, GROUP, "bob", 30_000, first.next(), 10, false);
		assertThat(idsOf(second.claimed())).containsExactly(ids.get(2), ids.get(3), ids.get(4));
		// The end of the list: the cursor is 0-0.
		assertThat(second.next()).isEqualTo(EntryId.MIN);
		// Entries just claimed are not idle: nothing more.
		assertThat(groups().autoClaim(STREAM, GROUP, "carol", 30_000, EntryId.MIN, 10, false).claimed()).isEmpty();
		assertThat(groups().pendingSummary(STREAM, GROUP).consumers()).containsExactly(Map.entry("bob", 5L));
	}

	@Test
	void autoClaimPurgesGoneEntriesAndJustIdLeavesCounts() {
		// XAUTOCLAIM's third element: IDs deleted from the PEL because their entries are gone (Redis 7)
		createGroup(GroupStart.beginning());
		List<EntryId> ids = publish(3);
		read("alice", 3);
		streams().trimToMaxRows(STREAM, 2);
		AutoClaimResult result = groups().autoClaim(STREAM, GROUP, "bob", 0, EntryId.MIN, 10, true);
		assertThat(result.deleted()).containsExactly(ids.get(0));
		assertThat(idsOf(result.claimed())).containsExactly(ids.get(1), ids.get(2));
		assertThat(result.claimed()).allSatisfy((entry) -> {
			assertThat(entry.event()).isNull();
			assertThat(entry.deliveryCount()).isEqualTo(1);
		});
		assertThat(groups().pending(STREAM, GROUP, PendingQuery.all(10))).extracting(PendingEntry::deliveryCount)
			.containsExactly(1L, 1L);
		// autoclaim creates the consumer even when it claims nothing, as Redis does.
		groups().autoClaim(STREAM, GROUP, "carol", 1_000_000, EntryId.MIN, 10, false);
		assertThat(groups().consumers(STREAM, GROUP)).extracting(ConsumerInfo::name)
			.containsExactly("alice", "bob", "carol");
	}

	// XINFO GROUPS, XINFO CONSUMERS

	@Test
	void groupInfoShowsConsumersPendingLastDeliveredEntriesReadAndLag() {
		List<EntryId> ids = publish(4);
		createGroup(GroupStart.beginning());
		groups().createGroup(STREAM, "audit", GroupStart.end(), GroupSettings.REDIS);
		// Created at 0: entries-read unknown, lag the whole stream (Redis 7 estimates it from a stream never
		// deleted from).
		GroupInfo fresh = groups().group(STREAM, GROUP);
		assertThat(fresh.entriesRead()).isNull();
		assertThat(fresh.lag()).isEqualTo(4);
		assertThat(fresh.lastDeliveredId()).isEqualTo(EntryId.MIN);
		read("alice", 3);
		read("bob", 1);
		groups().acknowledge(STREAM, GROUP, List.of(ids.get(3)));
		publish(1);
		List<GroupInfo> infos = groups().groups(STREAM);
		assertThat(infos).extracting(GroupInfo::name).containsExactly("audit", GROUP);
		GroupInfo billing = infos.get(1);
		assertThat(billing.consumers()).isEqualTo(2);
		assertThat(billing.pending()).isEqualTo(3);
		assertThat(billing.lastDeliveredId()).isEqualTo(ids.get(3));
		assertThat(billing.entriesRead()).isEqualTo(4);
		assertThat(billing.lag()).isEqualTo(1);
		GroupInfo audit = infos.get(0);
		assertThat(audit.lastDeliveredId()).isEqualTo(ids.get(3));
		assertThat(audit.lag()).isEqualTo(1);
		assertThat(audit.consumers()).isZero();
	}

	@Test
	void groupLagIsUnknownWhenEntriesReadIsAndNoEstimateHolds() {
		// XINFO GROUPS lag nil: the group's position is between entries of a stream trimmed past it is still
		// estimable; an ID beyond the last entry is not.
		publish(3);
		groups().createGroup(STREAM, GROUP, GroupStart.after(EntryId.MAX.previous()), GroupSettings.REDIS);
		assertThat(groups().group(STREAM, GROUP).lag()).isNull();
	}

	@Test
	void aDeletionAheadOfTheGroupMakesItsLagUnknownUntilItReadsPastIt() {
		// XDEL of an entry the group has not read: Redis can no longer count the lag (nil) until the group's
		// entries-read is valid again, which reading the last entry makes it (lag 0).
		List<EntryId> ids = publish(4);
		createGroup(GroupStart.beginning());
		read("alice", 1);
		assertThat(groups().group(STREAM, GROUP).entriesRead()).isEqualTo(1);
		assertThat(groups().group(STREAM, GROUP).lag()).isEqualTo(3);
		assertThat(((EntryStore) streams()).delete(STREAM, List.of(ids.get(2)))).isEqualTo(1);
		assertThat(groups().group(STREAM, GROUP).lag()).isNull();
		assertThat(read("alice", 10)).containsExactly(ids.get(1), ids.get(3));
		GroupInfo info = groups().group(STREAM, GROUP);
		assertThat(info.entriesRead()).isEqualTo(4);
		assertThat(info.lag()).isZero();
	}

	@Test
	void consumerInfoShowsPendingIdleAndInactive() {
		// XINFO CONSUMERS: pending, idle (since last attempt), inactive (since last success, -1 before any)
		createGroup(GroupStart.beginning());
		groups().createConsumer(STREAM, GROUP, "carol");
		publish(2);
		read("alice", 2);
		List<ConsumerInfo> infos = groups().consumers(STREAM, GROUP);
		assertThat(infos).extracting(ConsumerInfo::name).containsExactly("alice", "carol");
		ConsumerInfo alice = infos.get(0);
		assertThat(alice.pending()).isEqualTo(2);
		assertThat(alice.idleMillis()).isBetween(0L, 30_000L);
		assertThat(alice.inactiveMillis()).isBetween(0L, 30_000L);
		ConsumerInfo carol = infos.get(1);
		assertThat(carol.pending()).isZero();
		assertThat(carol.inactiveMillis()).isEqualTo(-1);
		// An empty read is an attempt, not a success.
		read("carol", 10);
		assertThat(groups().consumers(STREAM, GROUP).get(1).inactiveMillis()).isEqualTo(-1);
	}

	// Beyond Redis: claim-idle reads (as Redis 8.4's XREADGROUP ... CLAIM) and nack (as Redis 8.6's XNACK)

	@Test
	void readsOfAGroupWithClaimIdleClaimIdleEntriesBeforeNewOnes() {
		groups().createGroup(STREAM, GROUP, GroupStart.beginning(), new GroupSettings(0, Duration.ofSeconds(30)));
		List<EntryId> ids = publish(3);
		read("alice", 3);
		age("alice", ids.subList(0, 2), 60_000);
		List<EntryId> later = publish(2);
		List<GroupEntry> entries = groups().readNew(STREAM, GROUP, "bob", 3, false);
		assertThat(idsOf(entries)).containsExactly(ids.get(0), ids.get(1), later.get(0));
		assertThat(entries).extracting(GroupEntry::deliveryCount).containsExactly(2L, 2L, 1L);
		assertThat(entries).allSatisfy((entry) -> assertThat(entry.event()).isNotNull());
		assertThat(groups().pendingSummary(STREAM, GROUP).consumers()).containsExactly(Map.entry("alice", 1L),
				Map.entry("bob", 3L));
		// Nothing idle long enough any more: only new entries.
		assertThat(read("carol", 10)).containsExactly(later.get(1));
	}

	@Test
	void aNackedEntryGoesToTheNextNewReadOfAnyConsumer() {
		createGroup(GroupStart.beginning());
		List<EntryId> ids = publish(3);
		read("alice", 2);
		// Only the owner gives an entry back.
		assertThat(groups().nack(STREAM, GROUP, "bob", List.of(ids.get(0)), 0)).isZero();
		assertThat(groups().nack(STREAM, GROUP, "alice", List.of(ids.get(0), new EntryId(999, 0)), 0)).isEqualTo(1);
		List<GroupEntry> entries = groups().readNew(STREAM, GROUP, "bob", 10, false);
		assertThat(idsOf(entries)).containsExactly(ids.get(0), ids.get(2));
		assertThat(entries.get(0).deliveryCount()).isEqualTo(2);
		assertThat(groups().pending(STREAM, GROUP, PendingQuery.all(10))).extracting(PendingEntry::consumer)
			.containsExactly("bob", "alice", "bob");
		// Delivered again, it is no longer given back.
		assertThat(read("carol", 10)).isEmpty();
	}

	@Test
	void aNackedEntryWaitsForItsDelayAndThenAutoclaimTakesItWhateverItsIdleTime() {
		createGroup(GroupStart.beginning());
		List<EntryId> ids = publish(2);
		read("alice", 2);
		assertThat(groups().nack(STREAM, GROUP, "alice", List.of(ids.get(0)), 60_000)).isEqualTo(1);
		assertThat(read("bob", 10)).isEmpty();
		assertThat(groups().autoClaim(STREAM, GROUP, "bob", 0, EntryId.MIN, 10, false).claimed()).extracting(
				GroupEntry::id).containsExactly(ids.get(1));
		assertThat(groups().nack(STREAM, GROUP, "bob", List.of(ids.get(1)), 0)).isEqualTo(1);
		AutoClaimResult result = groups().autoClaim(STREAM, GROUP, "carol", 3_600_000, EntryId.MIN, 10, false);
		assertThat(idsOf(result.claimed())).containsExactly(ids.get(1));
		assertThatThrownBy(() -> groups().nack(STREAM, GROUP, "alice", List.of(ids.get(0)), -1))
			.isInstanceOf(InvalidRequestException.class);
	}

	// Beyond Redis: dead letters after max-deliveries

	@Test
	void anEntryDeliveredMaxDeliveriesTimesMovesToTheDeadLetterStreamInsteadOfAClaimIdleRead() {
		groups().createGroup(STREAM, GROUP, GroupStart.beginning(), new GroupSettings(2, Duration.ofSeconds(30)));
		List<EntryId> ids = publish(2);
		read("alice", 1);
		age("alice", List.of(ids.get(0)), 60_000);
		assertThat(read("bob", 1)).containsExactly(ids.get(0));
		age("bob", List.of(ids.get(0)), 60_000);
		// Delivered twice: the next read moves it to dead letters and goes on with new entries.
		assertThat(read("carol", 10)).containsExactly(ids.get(1));
		assertThat(groups().pending(STREAM, GROUP, PendingQuery.all(10))).extracting(PendingEntry::id)
			.containsExactly(ids.get(1));
		List<GroupEntry> letters = entries(STREAM + "_dlq");
		assertThat(letters).singleElement().satisfies((letter) -> {
			Map<String, Object> data = letter.event().data();
			assertThat(data).containsEntry("original_id", ids.get(0).toString())
				.containsEntry("original_rowid", 1L)
				.containsEntry("group", GROUP)
				.containsEntry("consumer", "bob")
				.containsEntry("delivery_count", 2L)
				.containsEntry("reason", "max-deliveries");
			assertThat(data.get("data")).isInstanceOf(Map.class);
			assertThat(((Map<?, ?>) data.get("data")).containsKey("amount")).isTrue();
		});
		assertThat(groups().deadLetterCount(STREAM, GROUP)).isEqualTo(1);
	}

	@Test
	void nackClaimAndAutoclaimOfASpentEntryDeadLetterIt() {
		groups().createGroup(STREAM, GROUP, GroupStart.beginning(), new GroupSettings(1, Duration.ZERO));
		List<EntryId> ids = publish(3);
		read("alice", 3);
		assertThat(groups().nack(STREAM, GROUP, "alice", List.of(ids.get(0)), 0)).isEqualTo(1);
		assertThat(groups().claim(STREAM, GROUP, "bob", 0, List.of(ids.get(1)), ClaimOptions.NONE).claimed())
			.isEmpty();
		// The dead-letter stream is known after a restart too.
		reopen();
		assertThat(groups().autoClaim(STREAM, GROUP, "bob", 0, EntryId.MIN, 10, false).claimed()).isEmpty();
		assertThat(groups().pendingSummary(STREAM, GROUP).count()).isZero();
		assertThat(groups().deadLetterCount(STREAM, GROUP)).isEqualTo(3);
		assertThat(entries(STREAM + "_dlq")).extracting((letter) -> letter.event().data().get("original_id"))
			.containsExactly(ids.get(0).toString(), ids.get(1).toString(), ids.get(2).toString());
	}

	@Test
	void redriveAppendsDeadLettersBackAsNewEntriesAndDeletesThem() {
		groups().createGroup(STREAM, GROUP, GroupStart.beginning(), new GroupSettings(1, Duration.ZERO));
		List<EntryId> ids = publish(2);
		List<GroupEntry> delivered = groups().readNew(STREAM, GROUP, "alice", 2, false);
		groups().nack(STREAM, GROUP, "alice", ids, 0);
		List<EntryId> letters = entries(STREAM + "_dlq").stream().map(GroupEntry::id).toList();
		assertThat(letters).hasSize(2);
		assertThat(groups().redrive(STREAM, List.of(letters.get(1), new EntryId(999_999, 0)))).isEqualTo(1);
		assertThat(entries(STREAM + "_dlq")).extracting(GroupEntry::id).containsExactly(letters.get(0));
		assertThat(groups().deadLetterCount(STREAM, GROUP)).isEqualTo(1);
		List<GroupEntry> again = groups().readNew(STREAM, GROUP, "bob", 10, false);
		assertThat(again).singleElement().satisfies((entry) -> {
			assertThat(entry.id().isAfter(ids.get(1))).isTrue();
			assertThat(entry.event().data()).isEqualTo(delivered.get(1).event().data());
		});
		assertThat(streams().describe(STREAM + "_dlq").rowCount()).isEqualTo(1);
	}

	// Beyond Redis: retention that keeps what groups still need (Redis' XTRIM deletes pending entries regardless,
	// which the PEL then reports as deleted)

	@Test
	void retentionKeepingUnacknowledgedEntriesNeverTrimsWhatAGroupStillNeeds() {
		assertThat(groups().firstNeededRowid(STREAM)).isEqualTo(Long.MAX_VALUE);
		createGroup(GroupStart.beginning());
		List<EntryId> ids = publish(5);
		read("alice", 2);
		assertThat(groups().firstNeededRowid(STREAM)).isEqualTo(1);
		RetentionTask retention = retention(new Retention(null, 2L, true));
		assertThat(retention.trim()).containsEntry(STREAM, 0L);
		assertThat(retention.getHeldBackCount()).isEqualTo(1);
		groups().acknowledge(STREAM, GROUP, List.of(ids.get(0)));
		assertThat(retention.trim()).containsEntry(STREAM, 1L);
		groups().acknowledge(STREAM, GROUP, List.of(ids.get(1)));
		// Nothing pending: the first entry not yet delivered bounds the trim.
		assertThat(groups().firstNeededRowid(STREAM)).isEqualTo(3);
		assertThat(retention.trim()).containsEntry(STREAM, 1L);
		assertThat(retention.getHeldBackCount()).isEqualTo(3);
		assertThat(groups().acknowledge(STREAM, GROUP, read("alice", 10))).isEqualTo(3);
		assertThat(retention.trim()).containsEntry(STREAM, 1L);
		assertThat(retention.getHeldBackCount()).isEqualTo(3);
		assertThat(streams().describe(STREAM).rowCount()).isEqualTo(2);
	}

	@Test
	void retentionWithoutKeepingUnacknowledgedTrimsPendingEntriesAsRedisDoes() {
		createGroup(GroupStart.beginning());
		publish(5);
		read("alice", 5);
		RetentionTask retention = retention(new Retention(null, 2L));
		assertThat(retention.trim()).containsEntry(STREAM, 3L);
		assertThat(retention.getHeldBackCount()).isZero();
		assertThat(groups().readPending(STREAM, GROUP, "alice", EntryId.MIN, 10)).extracting(GroupEntry::event)
			.filteredOn(java.util.Objects::isNull).hasSize(3);
	}

	@Test
	void retentionByAgeKeepsWhatAGroupStillNeeds() {
		createGroup(GroupStart.beginning());
		publish(3);
		read("alice", 1);
		RetentionTask retention = new RetentionTask(
				List.of(orders().toBuilder().retention(new Retention(1, null, true)).build()), (name) -> streams(), 100,
				java.time.Clock.offset(java.time.Clock.systemUTC(), Duration.ofDays(2)));
		assertThat(retention.trim()).containsEntry(STREAM, 0L);
		assertThat(retention.getHeldBackCount()).isEqualTo(1);
		groups().acknowledge(STREAM, GROUP, read("bob", 1));
		groups().acknowledge(STREAM, GROUP, groups().readPending(STREAM, GROUP, "alice", EntryId.MIN, 10).stream()
			.map(GroupEntry::id).toList());
		assertThat(retention.trim()).containsEntry(STREAM, 2L);
	}

	private RetentionTask retention(Retention retention) {
		return new RetentionTask(List.of(orders().toBuilder().retention(retention).build()), (name) -> streams(), 100,
				java.time.Clock.systemUTC());
	}

	// Concurrency

	@Test
	void concurrentNewReadsDeliverEveryEntryExactlyOnce() throws Exception {
		createGroup(GroupStart.beginning());
		int total = 2_000;
		streams().appendAndWait(STREAM, amounts(total));
		assertThat(readConcurrently(List.of(groups()), 6, 7)).hasSize(total);
	}

	@Test
	void concurrentNewReadsThroughTwoInstancesDeliverEveryEntryExactlyOnce() throws Exception {
		DatabaseStores other = openOtherInstance();
		if (other == null) {
			return;
		}
		other.streams().ensureStream(orders());
		createGroup(GroupStart.beginning());
		int total = 2_000;
		streams().appendAndWait(STREAM, amounts(total));
		ConsumerGroupStore second = other.groups();
		assertThat(second).isNotNull();
		assertThat(readConcurrently(List.of(groups(), second), 6, 7)).hasSize(total);
	}

	/** Reads with {@code threads} consumers until the group is caught up and returns what all got, checking no duplicate. */
	private Set<EntryId> readConcurrently(List<ConsumerGroupStore> instances, int threads, int count)
			throws Exception {
		List<Future<List<EntryId>>> readers = new ArrayList<>();
		for (int i = 0; i < threads; i++) {
			ConsumerGroupStore store = instances.get(i % instances.size());
			String consumer = "c" + i;
			Callable<List<EntryId>> reader = () -> {
				List<EntryId> got = new ArrayList<>();
				while (true) {
					List<GroupEntry> batch = store.readNew(STREAM, GROUP, consumer, count, false);
					if (batch.isEmpty()) {
						return got;
					}
					got.addAll(idsOf(batch));
				}
			};
			readers.add(this.pool.submit(reader));
		}
		Set<EntryId> all = new HashSet<>();
		for (Future<List<EntryId>> reader : readers) {
			for (EntryId id : reader.get(120, TimeUnit.SECONDS)) {
				assertThat(all.add(id)).as("%s delivered twice", id).isTrue();
			}
		}
		assertThat(groups().pendingSummary(STREAM, GROUP).count()).isEqualTo(all.size());
		return all;
	}

}
