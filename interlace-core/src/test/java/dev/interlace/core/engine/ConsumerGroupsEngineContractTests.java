package dev.interlace.core.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import dev.interlace.core.FieldType;
import dev.interlace.core.InvalidRequestException;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.StreamNotFoundException;
import dev.interlace.core.annotation.Stream;
import dev.interlace.core.group.BlockingConsumerGroups;
import dev.interlace.core.group.DeadLetters;
import dev.interlace.core.EntryId;
import dev.interlace.core.group.GroupDelivery;
import dev.interlace.core.group.GroupEntry;
import dev.interlace.core.group.GroupExistsException;
import dev.interlace.core.group.GroupNotFoundException;
import dev.interlace.core.group.GroupSettings;
import dev.interlace.core.group.GroupStart;
import dev.interlace.core.group.PendingQuery;
import dev.interlace.core.group.PendingSummary;
import dev.interlace.core.group.ReadOptions;
import dev.interlace.core.store.StoreTestSupport;
import dev.interlace.core.store.StreamStore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The {@link DefaultConsumerGroups} engine over a real store: offloaded calls, blocking reads woken by commits, typed
 * reads and the blocking view. Each test names the Redis Streams behaviour it mirrors. Extended once per backend.
 */
public abstract class ConsumerGroupsEngineContractTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@Stream("payments")
	record Payment(String paymentId, long amount) {
	}

	protected DefaultStreams streams;

	protected DefaultConsumerGroups groups;

	private final List<Disposable> subscriptions = new ArrayList<>();

	/**
	 * Opens the store the engine runs on, closed by the subclass after each test.
	 * @return the store
	 */
	protected abstract StreamStore openStore();

	@BeforeEach
	void openEngine() {
		List<StreamDefinition> definitions = List.of(StoreTestSupport.orders(),
				StreamDefinition.builder("audit").field("what", FieldType.STRING).build(),
				StreamRecords.definition(Payment.class, (value) -> value));
		this.streams = new DefaultStreams(definitions, Map.of("default", openStore()));
		this.groups = new DefaultConsumerGroups(this.streams);
	}

	@AfterEach
	void cancelSubscriptions() {
		this.subscriptions.forEach(Disposable::dispose);
	}

	private BlockingConsumerGroups blocking() {
		return this.groups.blocking();
	}

	private void publish(String stream, int count) {
		List<Map<String, Object>> events = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			events.add(Map.of("order_id", stream + "-" + i, "amount", i));
		}
		this.streams.publishBlocking(stream, events);
	}

	private CompletableFuture<List<GroupEntry>> readLater(String stream, String group, String consumer,
			Duration block) {
		CompletableFuture<List<GroupEntry>> future = new CompletableFuture<>();
		this.subscriptions.add(this.groups.read(stream, group, consumer, ReadOptions.count(10).block(block))
			.subscribe(future::complete, future::completeExceptionally));
		return future;
	}

	@Test
	void xreadgroupSharesNewEntriesAmongTheConsumersOfAGroupAndEachGroupSeesThemAll() {
		blocking().createGroup("orders", "billing", GroupStart.beginning(), GroupSettings.REDIS);
		blocking().createGroup("orders", "shipping", GroupStart.beginning(), GroupSettings.REDIS);
		publish("orders", 3);
		List<GroupEntry> first = blocking().read("orders", "billing", "alice", ReadOptions.count(2));
		List<GroupEntry> second = blocking().read("orders", "billing", "bob", ReadOptions.count(2));
		List<GroupEntry> shipping = blocking().read("orders", "shipping", "carol", ReadOptions.count(10));
		assertThat(first).extracting(GroupEntry::rowid).containsExactly(1L, 2L);
		assertThat(second).extracting(GroupEntry::rowid).containsExactly(3L);
		assertThat(shipping).extracting(GroupEntry::rowid).containsExactly(1L, 2L, 3L);
		assertThat(first).allSatisfy((entry) -> {
			assertThat(entry.deliveryCount()).isEqualTo(1);
			assertThat(entry.event()).isNotNull();
		});
		assertThat(first.get(0).event().data()).containsEntry("order_id", "orders-0");
	}

	@Test
	void xreadgroupWithoutBlockAnswersAnEmptyListAtOnceWhenNothingIsNew() {
		blocking().createGroup("orders", "billing", GroupStart.end(), GroupSettings.REDIS);
		long start = System.nanoTime();
		assertThat(blocking().read("orders", "billing", "alice", ReadOptions.count(10))).isEmpty();
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
		assertThat(this.groups.waiting()).isZero();
	}

	@Test
	void xreadgroupBlockReturnsAsSoonAsAnEntryIsAdded() throws Exception {
		blocking().createGroup("orders", "billing", GroupStart.end(), GroupSettings.REDIS);
		CompletableFuture<List<GroupEntry>> read = readLater("orders", "billing", "alice", Duration.ofSeconds(30));
		StoreTestSupport.awaitCondition(() -> this.groups.waiting() == 1);
		assertThat(read).isNotDone();
		publish("orders", 1);
		assertThat(read.get(WAIT.toSeconds(), TimeUnit.SECONDS)).extracting(GroupEntry::rowid).containsExactly(1L);
		assertThat(this.groups.waiting()).isZero();
	}

	@Test
	void xreadgroupBlockTimesOutWithNothingWhenNoEntryIsAdded() {
		blocking().createGroup("orders", "billing", GroupStart.end(), GroupSettings.REDIS);
		long start = System.nanoTime();
		List<GroupEntry> read = blocking().read("orders", "billing", "alice",
				ReadOptions.count(10).block(Duration.ofMillis(300)));
		assertThat(read).isEmpty();
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
		assertThat(this.groups.waiting()).isZero();
	}

	@Test
	void xreadgroupBlockReturnsEntriesAlreadyWaitingWithoutWaiting() {
		blocking().createGroup("orders", "billing", GroupStart.beginning(), GroupSettings.REDIS);
		publish("orders", 2);
		long start = System.nanoTime();
		assertThat(blocking().read("orders", "billing", "alice", ReadOptions.count(10).block(Duration.ofSeconds(30))))
			.hasSize(2);
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
	}

	@Test
	void cancellingABlockedReadFreesItsWaiter() throws Exception {
		blocking().createGroup("orders", "billing", GroupStart.end(), GroupSettings.REDIS);
		Disposable read = this.groups.read("orders", "billing", "alice", ReadOptions.count(1).block(Duration.ofMinutes(5)))
			.subscribe();
		StoreTestSupport.awaitCondition(() -> this.groups.waiting() == 1);
		read.dispose();
		assertThat(this.groups.waiting()).isZero();
		// The cancelled read took nothing: the entry published next goes to the next reader.
		publish("orders", 1);
		assertThat(blocking().read("orders", "billing", "bob", ReadOptions.count(10))).extracting(GroupEntry::rowid)
			.containsExactly(1L);
	}

	@Test
	void onePublishWakesTheBlockedReadersOfItsStreamAndEachGroupDeliversTheEntryToOneOfItsConsumers()
			throws Exception {
		int groupCount = 10;
		int consumersPerGroup = 20;
		int otherStreamReaders = 50;
		List<List<CompletableFuture<List<GroupEntry>>>> byGroup = new ArrayList<>();
		for (int g = 0; g < groupCount; g++) {
			blocking().createGroup("orders", "g" + g, GroupStart.end(), GroupSettings.REDIS);
			List<CompletableFuture<List<GroupEntry>>> reads = new ArrayList<>();
			for (int c = 0; c < consumersPerGroup; c++) {
				reads.add(readLater("orders", "g" + g, "c" + c, Duration.ofMinutes(2)));
			}
			byGroup.add(reads);
		}
		blocking().createGroup("audit", "auditors", GroupStart.end(), GroupSettings.REDIS);
		List<CompletableFuture<List<GroupEntry>>> others = new ArrayList<>();
		for (int c = 0; c < otherStreamReaders; c++) {
			others.add(readLater("audit", "auditors", "c" + c, Duration.ofMinutes(2)));
		}
		int all = groupCount * consumersPerGroup + otherStreamReaders;
		StoreTestSupport.awaitCondition(() -> this.groups.waiting() == all);

		publish("orders", 1);

		// Each group hands the entry to exactly one of its consumers (XREADGROUP >: never to two); the others read
		// nothing and wait again, as Redis keeps them blocked.
		StoreTestSupport.awaitCondition(() -> byGroup.stream()
			.allMatch((reads) -> reads.stream().filter(CompletableFuture::isDone).count() == 1));
		StoreTestSupport.awaitCondition(() -> this.groups.waiting() == all - groupCount);
		for (List<CompletableFuture<List<GroupEntry>>> reads : byGroup) {
			List<GroupEntry> delivered = reads.stream().filter(CompletableFuture::isDone).findFirst().get().get();
			assertThat(delivered).extracting(GroupEntry::rowid).containsExactly(1L);
			assertThat(reads.stream().filter(CompletableFuture::isDone).count()).isEqualTo(1);
		}
		assertThat(others).noneMatch(CompletableFuture::isDone);

		this.subscriptions.forEach(Disposable::dispose);
		assertThat(this.groups.waiting()).isZero();
	}

	@Test
	void aNackWithoutDelayHandsTheEntryToABlockedReaderOfTheGroupAtOnce() throws Exception {
		blocking().createGroup("orders", "billing", GroupStart.beginning(), GroupSettings.REDIS);
		publish("orders", 1);
		GroupEntry entry = blocking().read("orders", "billing", "alice", ReadOptions.count(1)).get(0);
		CompletableFuture<List<GroupEntry>> read = readLater("orders", "billing", "bob", Duration.ofSeconds(30));
		StoreTestSupport.awaitCondition(() -> this.groups.waiting() == 1);
		assertThat(blocking().nack("orders", "billing", "alice", List.of(entry.id()), Duration.ZERO)).isEqualTo(1);
		assertThat(read.get(WAIT.toSeconds(), TimeUnit.SECONDS)).singleElement().satisfies((given) -> {
			assertThat(given.id()).isEqualTo(entry.id());
			assertThat(given.deliveryCount()).isEqualTo(2);
		});
	}

	@Test
	void aNackWithADelayWakesABlockedReaderOnceTheDelayIsOver() throws Exception {
		blocking().createGroup("orders", "billing", GroupStart.beginning(), GroupSettings.REDIS);
		publish("orders", 1);
		GroupEntry entry = blocking().read("orders", "billing", "alice", ReadOptions.count(1)).get(0);
		CompletableFuture<List<GroupEntry>> read = readLater("orders", "billing", "bob", Duration.ofSeconds(30));
		StoreTestSupport.awaitCondition(() -> this.groups.waiting() == 1);
		long start = System.nanoTime();
		blocking().nack("orders", "billing", "alice", List.of(entry.id()), Duration.ofMillis(400));
		assertThat(read.get(WAIT.toSeconds(), TimeUnit.SECONDS)).extracting(GroupEntry::id).containsExactly(entry.id());
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
	}

	@Test
	void aBlockedReaderOfAGroupWithClaimIdleTakesOverAnEntryOnceItIsIdleWithNoCommit() throws Exception {
		blocking().createGroup("orders", "billing", GroupStart.beginning(), new GroupSettings(0, Duration.ofMillis(300)));
		publish("orders", 1);
		GroupEntry entry = blocking().read("orders", "billing", "alice", ReadOptions.count(1)).get(0);
		CompletableFuture<List<GroupEntry>> read = readLater("orders", "billing", "bob", Duration.ofSeconds(30));
		assertThat(read.get(WAIT.toSeconds(), TimeUnit.SECONDS)).singleElement().satisfies((claimed) -> {
			assertThat(claimed.id()).isEqualTo(entry.id());
			assertThat(claimed.deliveryCount()).isEqualTo(2);
		});
		assertThat(blocking().pending("orders", "billing").consumers()).containsOnlyKeys("bob");
	}

	@Test
	void anEntryNackedAtMaxDeliveriesBecomesADeadLetterOfItsGroupAndRedriveAppendsItAgain() {
		blocking().createGroup("orders", "billing", GroupStart.beginning(), new GroupSettings(1, Duration.ZERO));
		blocking().createGroup("orders", "shipping", GroupStart.end(), new GroupSettings(1, Duration.ZERO));
		publish("orders", 1);
		GroupEntry entry = blocking().read("orders", "billing", "alice", ReadOptions.count(1)).get(0);
		blocking().nack("orders", "billing", "alice", List.of(entry.id()), Duration.ZERO);
		assertThat(blocking().pending("orders", "billing").count()).isZero();
		DeadLetters letters = blocking().deadLetters("orders", "billing", 0, 10);
		assertThat(letters.deadLetterStream()).isEqualTo("orders_dlq");
		assertThat(letters.events()).singleElement().satisfies((letter) -> {
			assertThat(letter.data()).containsEntry("original_id", entry.id().toString())
				.containsEntry("group", "billing")
				.containsEntry("consumer", "alice");
		});
		assertThat(blocking().deadLetters("orders", "shipping", 0, 10).events()).isEmpty();
		assertThat(blocking().redrive("orders", "billing", List.of(letters.events().get(0).id()))).isEqualTo(1);
		assertThat(blocking().deadLetters("orders", "billing", 0, 10).events()).isEmpty();
		// Redriven entries are new entries: every group delivers them.
		assertThat(blocking().read("orders", "billing", "alice", ReadOptions.count(10))).singleElement()
			.satisfies((again) -> assertThat(again.event().data()).containsEntry("order_id", "orders-0"));
		assertThat(blocking().read("orders", "shipping", "carol", ReadOptions.count(10))).extracting(GroupEntry::rowid)
			.containsExactly(1L, 2L);
		assertThatThrownBy(() -> blocking().redrive("orders", "nope", List.of(entry.id())))
			.isInstanceOf(GroupNotFoundException.class);
	}

	@Test
	void xgroupDestroyUnblocksItsReadersWithNogroup() throws Exception {
		blocking().createGroup("orders", "billing", GroupStart.end(), GroupSettings.REDIS);
		CompletableFuture<List<GroupEntry>> read = readLater("orders", "billing", "alice", Duration.ofMinutes(2));
		StoreTestSupport.awaitCondition(() -> this.groups.waiting() == 1);
		assertThat(blocking().destroyGroup("orders", "billing")).isTrue();
		assertThatThrownBy(() -> read.get(WAIT.toSeconds(), TimeUnit.SECONDS))
			.hasCauseInstanceOf(GroupNotFoundException.class);
		assertThat(this.groups.waiting()).isZero();
	}

	@Test
	void xackRemovesEntriesFromThePendingEntriesListAndCountsOnlyThoseThatWerePending() {
		blocking().createGroup("orders", "billing", GroupStart.beginning(), GroupSettings.REDIS);
		publish("orders", 3);
		List<GroupEntry> read = blocking().read("orders", "billing", "alice", ReadOptions.count(3));
		PendingSummary before = blocking().pending("orders", "billing");
		assertThat(before.count()).isEqualTo(3);
		assertThat(before.consumers()).containsEntry("alice", 3L);
		assertThat(blocking().acknowledge("orders", "billing",
				List.of(read.get(0).id(), read.get(1).id(), new EntryId(999_999_999_999L, 0))))
			.isEqualTo(2);
		assertThat(blocking().acknowledge("orders", "billing", List.of(read.get(0).id()))).isZero();
		assertThat(blocking().acknowledge("orders", "billing", List.of())).isZero();
		assertThatThrownBy(() -> blocking().acknowledge("orders", "nope", List.of()))
			.isInstanceOf(GroupNotFoundException.class);
		assertThat(blocking().pending("orders", "billing", PendingQuery.all(10))).singleElement()
			.satisfies((pending) -> {
				assertThat(pending.id()).isEqualTo(read.get(2).id());
				assertThat(pending.consumer()).isEqualTo("alice");
			});
	}

	@Test
	void xreadgroupWithAnIdRereadsTheConsumersOwnPendingEntriesAndCountsTheDelivery() {
		blocking().createGroup("orders", "billing", GroupStart.beginning(), GroupSettings.REDIS);
		publish("orders", 2);
		blocking().read("orders", "billing", "alice", ReadOptions.count(10));
		assertThat(blocking().readPending("orders", "billing", "bob", EntryId.MIN, 10)).isEmpty();
		List<GroupEntry> again = blocking().readPending("orders", "billing", "alice", EntryId.MIN, 10);
		assertThat(again).extracting(GroupEntry::rowid).containsExactly(1L, 2L);
		assertThat(again).allSatisfy((entry) -> assertThat(entry.deliveryCount()).isEqualTo(2));
		assertThat(blocking().readPending("orders", "billing", "alice", again.get(0).id(), 10))
			.extracting(GroupEntry::rowid)
			.containsExactly(2L);
	}

	@Test
	void xreadgroupNoackDeliversWithoutAddingToThePendingEntriesList() {
		blocking().createGroup("orders", "billing", GroupStart.beginning(), GroupSettings.REDIS);
		publish("orders", 2);
		assertThat(blocking().read("orders", "billing", "alice", ReadOptions.count(10).withoutAck())).hasSize(2);
		assertThat(blocking().pending("orders", "billing").count()).isZero();
		assertThat(blocking().read("orders", "billing", "alice", ReadOptions.count(10))).isEmpty();
	}

	@Test
	void typedReadsConvertEntriesToTheirStreamRecordClass() {
		blocking().createGroup("payments", "ledger", GroupStart.beginning(), GroupSettings.REDIS);
		this.streams.publishBlocking(new Payment("p-1", 42));
		List<GroupDelivery<Payment>> read = blocking().read(Payment.class, "ledger", "alice", ReadOptions.count(10));
		assertThat(read).singleElement().satisfies((delivery) -> {
			assertThat(delivery.value()).isEqualTo(new Payment("p-1", 42));
			assertThat(delivery.deliveryCount()).isEqualTo(1);
			assertThat(delivery.rowid()).isEqualTo(1);
		});
	}

	@Test
	void consumeReadsNewEntriesAsTheyArePublished() {
		blocking().createGroup("orders", "billing", GroupStart.end(), GroupSettings.REDIS);
		StepVerifier.create(this.groups.consume("orders", "billing", "alice", 2, Duration.ofSeconds(30)).take(3))
			.then(() -> publish("orders", 1))
			.assertNext((entry) -> assertThat(entry.rowid()).isEqualTo(1))
			.then(() -> publish("orders", 2))
			.assertNext((entry) -> assertThat(entry.rowid()).isEqualTo(2))
			.assertNext((entry) -> assertThat(entry.rowid()).isEqualTo(3))
			.expectComplete()
			.verify(WAIT);
		assertThat(this.groups.waiting()).isZero();
	}

	@Test
	void xgroupCreateRefusesAnExistingGroupWithBusygroupAndCreateIfMissingLeavesIt() {
		blocking().createGroup("orders", "billing", GroupStart.beginning(), GroupSettings.REDIS);
		assertThatThrownBy(() -> blocking().createGroup("orders", "billing", GroupStart.end(), GroupSettings.REDIS))
			.isInstanceOf(GroupExistsException.class);
		assertThat(blocking().createGroupIfMissing("orders", "billing", GroupStart.end(), GroupSettings.REDIS))
			.isFalse();
		assertThat(blocking().createGroupIfMissing("orders", "shipping", GroupStart.end(), GroupSettings.REDIS))
			.isTrue();
		assertThat(blocking().info("orders")).extracting((info) -> info.name()).containsExactly("billing", "shipping");
	}

	@Test
	void callsOnAnUnknownGroupFailWithNogroupAndOnAnUnknownStreamWithStreamNotFound() {
		assertThatThrownBy(() -> blocking().read("orders", "nope", "alice", ReadOptions.count(1)))
			.isInstanceOf(GroupNotFoundException.class);
		assertThatThrownBy(() -> blocking().read("orders", "nope", "alice", ReadOptions.count(1).block(WAIT)))
			.isInstanceOf(GroupNotFoundException.class);
		assertThatThrownBy(() -> blocking().pending("orders", "nope")).isInstanceOf(GroupNotFoundException.class);
		assertThatThrownBy(() -> blocking().info("nowhere")).isInstanceOf(StreamNotFoundException.class);
		assertThat(this.groups.waiting()).isZero();
	}

	@Test
	void badArgumentsAreRefusedBeforeAnyStoreCall() {
		blocking().createGroup("orders", "billing", GroupStart.beginning(), GroupSettings.REDIS);
		assertThatThrownBy(() -> blocking().read("orders", "billing", " ", ReadOptions.count(1)))
			.isInstanceOf(InvalidRequestException.class)
			.hasMessageContaining("consumer");
		assertThatThrownBy(() -> ReadOptions.count(0)).isInstanceOf(InvalidRequestException.class);
		assertThatThrownBy(() -> blocking().readPending("orders", "billing", "alice", EntryId.MIN, 10_001))
			.isInstanceOf(InvalidRequestException.class);
		assertThatThrownBy(() -> blocking().read("orders", "billing", "a".repeat(201), ReadOptions.count(1)))
			.isInstanceOf(InvalidRequestException.class);
		assertThat(blocking().consumers("orders", "billing")).isEmpty();
	}

	@Test
	void aCallAssembledOnTheCallersThreadRunsItsStoreWorkElsewhere() {
		blocking().createGroup("orders", "billing", GroupStart.beginning(), GroupSettings.REDIS);
		AtomicReference<String> thread = new AtomicReference<>();
		Mono<List<GroupEntry>> read = this.groups.read("orders", "billing", "alice", ReadOptions.count(1))
			.doOnNext((entries) -> thread.set(Thread.currentThread().getName()));
		StepVerifier.create(read.subscribeOn(Schedulers.immediate())).expectNextCount(1).expectComplete().verify(WAIT);
		assertThat(thread.get()).isNotEqualTo(Thread.currentThread().getName()).contains("boundedElastic");
	}

}
