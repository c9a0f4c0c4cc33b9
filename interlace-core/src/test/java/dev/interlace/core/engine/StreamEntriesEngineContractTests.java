package dev.interlace.core.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

import dev.interlace.core.EntryId;
import dev.interlace.core.FieldType;
import dev.interlace.core.InvalidRequestException;
import dev.interlace.core.StoredEvent;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.StreamNotFoundException;
import dev.interlace.core.entry.EntryRange;
import dev.interlace.core.entry.ReadFrom;
import dev.interlace.core.entry.StreamInfo;
import dev.interlace.core.entry.StreamRead;
import dev.interlace.core.entry.Trim;
import dev.interlace.core.group.GroupSettings;
import dev.interlace.core.group.GroupStart;
import dev.interlace.core.store.StoreTestSupport;
import dev.interlace.core.store.StreamStore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The {@link DefaultStreamEntries} engine over a real store: Redis' bounds, trims exact and approximate, the
 * description with its groups, and reads of several streams, blocking ones woken by commits. Each test names the
 * Redis Streams behaviour it mirrors. Extended once per backend.
 */
public abstract class StreamEntriesEngineContractTests {

	private static final Duration WAIT = Duration.ofSeconds(30);

	private DefaultStreams streams;

	private DefaultStreamEntries entries;

	private final List<Disposable> subscriptions = new ArrayList<>();

	/**
	 * Opens the store the engine runs on, closed by the subclass after each test.
	 * @return the store
	 */
	protected abstract StreamStore openStore();

	@BeforeEach
	void openEngine() {
		List<StreamDefinition> definitions = List.of(StoreTestSupport.orders(),
				StreamDefinition.builder("audit").field("what", FieldType.STRING).build());
		this.streams = new DefaultStreams(definitions, Map.of("default", openStore()));
		this.entries = new DefaultStreamEntries(this.streams);
	}

	@AfterEach
	void cancelSubscriptions() {
		this.subscriptions.forEach(Disposable::dispose);
	}

	private void publish(String stream, int count) {
		List<Map<String, Object>> events = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			events.add(stream.equals("audit") ? Map.of("what", "w" + i) : Map.of("order_id", "o" + i, "amount", i));
		}
		this.streams.publishBlocking(stream, events);
	}

	private static List<Long> rowids(List<StoredEvent> events) {
		return events.stream().map(StoredEvent::rowid).toList();
	}

	// XRANGE/XREVRANGE bounds: "-" and "+" at either end, incomplete IDs, "(" exclusive, as Redis parses them.
	@Test
	void rangeBoundsParseAsRedisParsesThem() {
		assertThat(EntryRange.parse("-", "+")).isEqualTo(EntryRange.ALL);
		assertThat(EntryRange.parse("5", "5")).isEqualTo(new EntryRange(new EntryId(5, 0), new EntryId(5, Long.MAX_VALUE)));
		// Redis completes "(5" to 5-0 and steps past it: 5-1, not 6-0.
		assertThat(EntryRange.parse("(5", "(7-3").start()).isEqualTo(new EntryId(5, 1));
		assertThat(EntryRange.parse("(5", "(7-3").end()).isEqualTo(new EntryId(7, 2));
		assertThat(EntryRange.parse("+", "-").isEmpty()).isTrue();
		assertThatThrownBy(() -> EntryRange.parse("(+", "+")).isInstanceOf(InvalidRequestException.class)
			.hasMessageContaining("invalid start ID for the interval");
		assertThatThrownBy(() -> EntryRange.parse("-", "(-")).isInstanceOf(InvalidRequestException.class)
			.hasMessageContaining("invalid end ID for the interval");
		assertThatThrownBy(() -> EntryRange.parse("1-x", "+")).isInstanceOf(InvalidRequestException.class);
	}

	// XRANGE key - + COUNT n, XREVRANGE key + - COUNT n, XRANGE key id id for one entry, XLEN.
	@Test
	void rangesReverseRangesSingleEntriesAndLength() {
		publish("orders", 5);
		List<StoredEvent> all = this.entries.range("orders", EntryRange.ALL, 100).block(WAIT);
		assertThat(rowids(all)).containsExactly(1L, 2L, 3L, 4L, 5L);
		assertThat(rowids(this.entries.range("orders", EntryRange.ALL, 2).block(WAIT))).containsExactly(1L, 2L);
		assertThat(rowids(this.entries.reverseRange("orders", EntryRange.ALL, 2).block(WAIT))).containsExactly(5L, 4L);
		EntryRange afterSecond = EntryRange.parse("(" + all.get(1).id(), "+");
		assertThat(rowids(this.entries.range("orders", afterSecond, 100).block(WAIT))).containsExactly(3L, 4L, 5L);
		assertThat(this.entries.entry("orders", all.get(2).id()).block(WAIT).rowid()).isEqualTo(3L);
		assertThat(this.entries.entry("orders", new EntryId(1, 1)).blockOptional(WAIT)).isEmpty();
		assertThat(this.entries.length("orders").block(WAIT)).isEqualTo(5L);
		assertThatThrownBy(() -> this.entries.range("orders", EntryRange.ALL, 0).block(WAIT))
			.isInstanceOf(InvalidRequestException.class);
		assertThatThrownBy(() -> this.entries.length("nope").block(WAIT)).isInstanceOf(StreamNotFoundException.class);
	}

	// XTRIM MAXLEN n is exact; XTRIM MAXLEN ~ n deletes whole granules of 100 only, never below n.
	@Test
	void trimsAreExactOrInWholeGranules() {
		publish("orders", 250);
		assertThat(this.entries.trim("orders", Trim.maxLen(100).approximately()).block(WAIT)).isEqualTo(100L);
		assertThat(this.entries.length("orders").block(WAIT)).isEqualTo(150L);
		assertThat(this.entries.trim("orders", Trim.maxLen(100).approximately()).block(WAIT)).isZero();
		// LIMIT below a granule: nothing goes, as a Redis LIMIT smaller than a node.
		assertThat(this.entries.trim("orders", Trim.maxLen(0).approximately().limit(99)).block(WAIT)).isZero();
		assertThat(this.entries.trim("orders", Trim.maxLen(100)).block(WAIT)).isEqualTo(50L);
		EntryId last = this.entries.info("orders").block(WAIT).lastGeneratedId();
		assertThat(this.entries.trim("orders", Trim.minId(last)).block(WAIT)).isEqualTo(99L);
		assertThat(this.entries.info("orders").block(WAIT).lastGeneratedId()).isEqualTo(last);
		// As Redis: "LIMIT cannot be used without the special ~ option".
		assertThatThrownBy(() -> Trim.maxLen(1).limit(5)).isInstanceOf(InvalidRequestException.class)
			.hasMessageContaining("LIMIT cannot be used without the special ~ option");
		assertThatThrownBy(() -> Trim.maxLen(-1)).isInstanceOf(InvalidRequestException.class);
	}

	// XDEL key id...: existing ones count; XINFO STREAM shows length, edges, IDs and the groups count.
	@Test
	void deleteAndInfoWithGroups() {
		publish("orders", 3);
		List<StoredEvent> all = this.entries.range("orders", EntryRange.ALL, 10).block(WAIT);
		assertThat(this.entries.delete("orders", List.of(all.get(0).id(), new EntryId(1, 1))).block(WAIT))
			.isEqualTo(1L);
		new DefaultConsumerGroups(this.streams).blocking()
			.createGroup("orders", "billing", GroupStart.beginning(), GroupSettings.REDIS);
		StreamInfo info = this.entries.info("orders").block(WAIT);
		assertThat(info.length()).isEqualTo(2);
		assertThat(info.groups()).isEqualTo(1);
		assertThat(info.firstEntry().id()).isEqualTo(all.get(1).id());
		assertThat(info.recordedFirstEntryId()).isEqualTo(all.get(1).id());
		assertThat(info.lastEntry().id()).isEqualTo(all.get(2).id());
		assertThat(info.lastGeneratedId()).isEqualTo(all.get(2).id());
		assertThat(info.maxDeletedId()).isEqualTo(all.get(0).id());
		assertThat(info.entriesAdded()).isEqualTo(3);
		assertThatThrownBy(() -> this.entries.delete("orders", Collections.nCopies(10_001, EntryId.MIN)).block(WAIT))
			.isInstanceOf(InvalidRequestException.class);
	}

	// XREAD COUNT n STREAMS a b id1 id2: entries after each ID, n per stream, only streams that have some.
	@Test
	void readOfSeveralStreamsAnswersThoseWithEntriesAfterTheirIds() {
		publish("orders", 3);
		List<StoredEvent> orders = this.entries.range("orders", EntryRange.ALL, 10).block(WAIT);
		List<StreamRead> read = this.entries
			.read(List.of(ReadFrom.after("orders", orders.get(0).id()), ReadFrom.after("audit", EntryId.MIN)), 1,
					Duration.ZERO)
			.block(WAIT);
		assertThat(read).hasSize(1);
		assertThat(read.get(0).stream()).isEqualTo("orders");
		assertThat(rowids(read.get(0).entries())).containsExactly(2L);
		// "$" without BLOCK: nothing is newer than the last ID.
		assertThat(this.entries.read(List.of(ReadFrom.latest("orders")), 10, Duration.ZERO).block(WAIT)).isEmpty();
		assertThatThrownBy(() -> this.entries
			.read(List.of(ReadFrom.latest("orders"), ReadFrom.latest("orders")), 10, Duration.ZERO)
			.block(WAIT)).isInstanceOf(InvalidRequestException.class);
		assertThatThrownBy(() -> this.entries.read(List.of(ReadFrom.latest("nope")), 10, Duration.ZERO).block(WAIT))
			.isInstanceOf(StreamNotFoundException.class);
	}

	// XREAD BLOCK ms STREAMS a b $ $: waits without a thread, woken by a commit to any of its streams.
	@Test
	void blockingReadIsWokenByACommitToAnyOfItsStreams() throws Exception {
		publish("audit", 2);
		CompletableFuture<List<StreamRead>> future = new CompletableFuture<>();
		this.subscriptions.add(this.entries
			.read(List.of(ReadFrom.latest("orders"), ReadFrom.latest("audit")), 10, Duration.ofMinutes(5))
			.subscribe(future::complete, future::completeExceptionally));
		long until = System.nanoTime() + WAIT.toNanos();
		while (this.entries.waiting() == 0 && System.nanoTime() < until) {
			Thread.sleep(10);
		}
		assertThat(this.entries.waiting()).isEqualTo(1);
		assertThat(future).isNotDone();
		publish("audit", 1);
		List<StreamRead> read = future.get(WAIT.toSeconds(), TimeUnit.SECONDS);
		assertThat(read).hasSize(1);
		assertThat(read.get(0).stream()).isEqualTo("audit");
		// "$" meant after the two entries there when the read began: only the new one.
		assertThat(rowids(read.get(0).entries())).containsExactly(3L);
		assertThat(this.entries.waiting()).isZero();
	}

	// XREAD BLOCK ms with nothing coming: an empty answer once the wait is over; cancelling leaves no waiter.
	@Test
	void blockingReadEndsEmptyAfterItsWaitAndCancellingLeavesNoWaiter() throws Exception {
		assertThat(this.entries.read(List.of(ReadFrom.latest("orders")), 10, Duration.ofMillis(200)).block(WAIT))
			.isEmpty();
		Disposable read = this.entries.read(List.of(ReadFrom.latest("orders")), 10, Duration.ofMinutes(5)).subscribe();
		long until = System.nanoTime() + WAIT.toNanos();
		while (this.entries.waiting() == 0 && System.nanoTime() < until) {
			Thread.sleep(10);
		}
		assertThat(this.entries.waiting()).isEqualTo(1);
		read.dispose();
		assertThat(this.entries.waiting()).isZero();
	}

}
