package dev.interlace.core.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import dev.interlace.core.EntryId;
import dev.interlace.core.PublishResult;
import dev.interlace.core.StoredEvent;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.group.AutoClaimResult;
import dev.interlace.core.group.BlockingConsumerGroups;
import dev.interlace.core.group.DeadLetters;
import dev.interlace.core.group.GroupEntry;
import dev.interlace.core.group.GroupInfo;
import dev.interlace.core.group.GroupSettings;
import dev.interlace.core.group.GroupStart;
import dev.interlace.core.group.ReadOptions;
import dev.interlace.core.store.StoreTestSupport;
import dev.interlace.core.store.StreamStore;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Competing consumers of one group under load, with one of them killed: {@value #CONSUMERS} consumers read
 * {@code >} in batches of {@value #BATCH} while {@value #ENTRIES} entries are published, acknowledge what they
 * processed and nack the poison entries (every {@value #POISON_EVERY}th) every time. Mid-way one consumer reads a
 * batch and is never heard of again, holding it unacknowledged. Its entries reach the others through the group's
 * claim-idle, or, in a group without it, through the survivors' autoclaim; the poison entries end in the dead-letter
 * stream after exactly max-deliveries deliveries. At the end:
 * <ul>
 * <li>every published entry was delivered, and nothing else was;</li>
 * <li>every other entry was acknowledged, and the acknowledgements together removed each exactly once from the
 * pending entries list (none went to dead letters);</li>
 * <li>each poison entry was delivered exactly max-deliveries times, with delivery counts 1 to max-deliveries, and is
 * in the dead-letter stream once, with that delivery count;</li>
 * <li>the pending entries list is empty and the group delivered up to the last entry;</li>
 * <li>every entry the killed consumer held reached a survivor, by the mechanism under test.</li>
 * </ul>
 * Extended once per backend; the consumers of a backend that runs instances on one database may use two.
 */
public abstract class CompetingConsumersContractTests {

	static final int ENTRIES = 100_000;

	static final int BATCH = 1_000;

	static final int PUBLISH_BATCH = 5_000;

	static final int CONSUMERS = 4;

	static final int MAX_DELIVERIES = 4;

	static final int POISON_EVERY = 1_000;

	static final String STREAM = "orders";

	static final String GROUP = "workers";

	/** The consumer that is killed. */
	static final String VICTIM = "c0";

	/**
	 * How long an entry stays with a consumer that does not acknowledge it before another takes it. Long against the
	 * time a live consumer holds a batch (a read and an ack): a non-poison entry taken from a live but slow consumer
	 * is merely processed twice, but taken {@value #MAX_DELIVERIES} times it would become a dead letter.
	 */
	static final Duration IDLE = Duration.ofSeconds(10);

	/** The longest the whole run may take before the test fails rather than waits. */
	static final Duration RUN_TIMEOUT = Duration.ofSeconds(600);

	/**
	 * Opens the store the engine runs on, closed by the subclass after each test.
	 * @return the store
	 */
	protected abstract StreamStore openStore();

	/**
	 * Opens a second instance on the same database for half the consumers, on backends that can share one.
	 * @return the store, or {@code null} to run every consumer on {@link #openStore()}'s
	 */
	protected @Nullable StreamStore openOtherInstance() {
		return null;
	}

	@Test
	void aKilledConsumersEntriesReachTheOthersThroughClaimIdleAndPoisonEndsInDeadLetters() throws Exception {
		new Run(new GroupSettings(MAX_DELIVERIES, IDLE), false).run();
	}

	@Test
	void aKilledConsumersEntriesReachTheOthersThroughAutoclaimAndPoisonEndsInDeadLetters() throws Exception {
		new Run(new GroupSettings(MAX_DELIVERIES, Duration.ZERO), true).run();
	}

	static boolean poison(long amount) {
		return amount % POISON_EVERY == POISON_EVERY / 2;
	}

	/** One delivery an engine answered: to whom, with what count, whether by autoclaim. */
	record Delivery(String consumer, long deliveryCount, boolean autoclaimed) {
	}

	private final class Run {

		private final GroupSettings settings;

		private final boolean autoclaim;

		private final List<DefaultStreams> engines = new ArrayList<>();

		private final List<BlockingConsumerGroups> groups = new ArrayList<>();

		/** Every delivery, by rowid. */
		private final Map<Long, Queue<Delivery>> deliveries = new ConcurrentHashMap<>();

		/** The amount of each delivered entry, by rowid: which entries are poison. */
		private final Map<Long, Long> amounts = new ConcurrentHashMap<>();

		private final Set<Long> acknowledged = ConcurrentHashMap.newKeySet();

		/** What the acknowledgements answered, summed: entries they took off the pending entries list. */
		private final AtomicLong removedByAcks = new AtomicLong();

		private final AtomicLong delivered = new AtomicLong();

		private final Set<Long> held = ConcurrentHashMap.newKeySet();

		private final Queue<Throwable> errors = new ConcurrentLinkedQueue<>();

		private final AtomicBoolean stop = new AtomicBoolean();

		private final List<PublishResult> published = new ArrayList<>();

		Run(GroupSettings settings, boolean autoclaim) {
			this.settings = settings;
			this.autoclaim = autoclaim;
		}

		void run() throws Exception {
			long start = System.nanoTime();
			List<StreamDefinition> definitions = List.of(StoreTestSupport.orders());
			this.engines.add(new DefaultStreams(definitions, Map.of("default", openStore())));
			this.groups.add(new DefaultConsumerGroups(this.engines.get(0)).blocking());
			groups(0).createGroup(STREAM, GROUP, GroupStart.beginning(), this.settings);
			StreamStore other = openOtherInstance();
			if (other != null) {
				this.engines.add(new DefaultStreams(definitions, Map.of("default", other)));
				this.groups.add(new DefaultConsumerGroups(this.engines.get(1)).blocking());
			}
			List<Thread> threads = new ArrayList<>();
			threads.add(thread("publisher", this::publish));
			for (int i = 0; i < CONSUMERS; i++) {
				String name = "c" + i;
				BlockingConsumerGroups groups = groups(i % this.groups.size());
				threads.add(thread(name, () -> consume(groups, name)));
			}
			threads.forEach(Thread::start);
			try {
				awaitDone(start);
			}
			finally {
				this.stop.set(true);
				for (Thread thread : threads) {
					thread.join(TimeUnit.SECONDS.toMillis(60));
					assertThat(thread.isAlive()).as("%s still running", thread.getName()).isFalse();
				}
			}
			assertThat(this.errors).isEmpty();
			long elapsed = Duration.ofNanos(System.nanoTime() - start).toMillis();
			verify();
			System.out.printf("[%s, %s, %d instance(s)] %,d entries, %d consumers (one killed holding %d), %,d deliveries"
					+ " in %,d ms%n", CompetingConsumersContractTests.this.getClass().getSimpleName(),
					this.autoclaim ? "autoclaim" : "claim-idle", this.groups.size(), ENTRIES, CONSUMERS, this.held.size(),
					this.delivered.get(), elapsed);
		}

		private BlockingConsumerGroups groups(int index) {
			return this.groups.get(index);
		}

		private Thread thread(String name, Runnable work) {
			Thread thread = new Thread(() -> {
				try {
					work.run();
				}
				catch (Throwable ex) {
					this.errors.add(ex);
					this.stop.set(true);
				}
			}, "competing-" + name);
			thread.setDaemon(true);
			return thread;
		}

		private void publish() {
			for (int first = 0; first < ENTRIES && !this.stop.get(); first += PUBLISH_BATCH) {
				List<Map<String, Object>> events = new ArrayList<>(PUBLISH_BATCH);
				for (long amount = first; amount < first + PUBLISH_BATCH; amount++) {
					events.add(Map.of("order_id", "o-" + amount, "amount", amount));
				}
				PublishResult result = this.engines.get(0).publishBlocking(STREAM, events);
				synchronized (this.published) {
					this.published.add(result);
				}
			}
		}

		private void consume(BlockingConsumerGroups groups, String consumer) {
			boolean victim = VICTIM.equals(consumer);
			EntryId cursor = EntryId.MIN;
			ReadOptions read = ReadOptions.count(BATCH).block(Duration.ofMillis(200));
			while (!this.stop.get()) {
				List<GroupEntry> batch = groups.read(STREAM, GROUP, consumer, read);
				boolean autoclaimed = false;
				if (batch.isEmpty() && this.autoclaim && !victim) {
					AutoClaimResult claimed = groups.autoClaim(STREAM, GROUP, consumer, IDLE, cursor, BATCH, false);
					cursor = claimed.next();
					batch = claimed.claimed();
					autoclaimed = true;
				}
				if (batch.isEmpty()) {
					continue;
				}
				List<EntryId> done = new ArrayList<>();
				List<EntryId> failed = new ArrayList<>();
				for (GroupEntry entry : batch) {
					StoredEvent event = entry.event();
					assertThat(event).as("entry %s delivered to %s", entry.id(), consumer).isNotNull();
					long amount = ((Number) event.data().get("amount")).longValue();
					this.amounts.put(entry.rowid(), amount);
					this.deliveries.computeIfAbsent(entry.rowid(), (rowid) -> new ConcurrentLinkedQueue<>())
						.add(new Delivery(consumer, entry.deliveryCount(), autoclaimed));
					(poison(amount) ? failed : done).add(entry.id());
				}
				long deliveredSoFar = this.delivered.addAndGet(batch.size());
				if (victim && deliveredSoFar >= ENTRIES / 2) {
					// Killed between its read and its ack: the batch stays pending, owned by it, and it never reads
					// again.
					batch.forEach((entry) -> this.held.add(entry.rowid()));
					return;
				}
				if (!done.isEmpty()) {
					this.removedByAcks.addAndGet(groups.acknowledge(STREAM, GROUP, done));
					batch.stream()
						.filter((entry) -> done.contains(entry.id()))
						.forEach((entry) -> this.acknowledged.add(entry.rowid()));
				}
				if (!failed.isEmpty()) {
					groups.nack(STREAM, GROUP, consumer, failed, Duration.ZERO);
				}
			}
		}

		/**
		 * Waits until everything was published, every non-poison entry acknowledged, the pending entries list is
		 * empty and the group delivered up to the last entry: with nothing left to deliver, the consumers may stop.
		 */
		private void awaitDone(long start) throws InterruptedException {
			long deadline = start + RUN_TIMEOUT.toNanos();
			while (System.nanoTime() < deadline && this.errors.isEmpty()) {
				if (finished()) {
					return;
				}
				Thread.sleep(50);
			}
			assertThat(this.errors).isEmpty();
			throw new AssertionError("Not done within " + RUN_TIMEOUT + ": " + this.acknowledged.size()
					+ " entries acknowledged, " + this.delivered.get() + " deliveries, pending "
					+ groups(0).pending(STREAM, GROUP) + ", group " + groups(0).info(STREAM, GROUP));
		}

		private boolean finished() {
			long lastRowid;
			synchronized (this.published) {
				if (this.published.size() < ENTRIES / PUBLISH_BATCH) {
					return false;
				}
				lastRowid = this.published.get(this.published.size() - 1).lastRowid();
			}
			if (this.acknowledged.size() < ENTRIES - ENTRIES / POISON_EVERY) {
				return false;
			}
			GroupInfo info = groups(0).info(STREAM, GROUP);
			return info.pending() == 0 && info.lastDeliveredRowid() == lastRowid;
		}

		private void verify() {
			Set<Long> publishedRowids = new HashSet<>();
			for (PublishResult result : this.published) {
				LongStream.rangeClosed(result.firstRowid(), result.lastRowid()).forEach(publishedRowids::add);
			}
			assertThat(publishedRowids).hasSize(ENTRIES);
			assertThat(this.deliveries.keySet()).as("delivered entries").isEqualTo(publishedRowids);
			Set<Long> poison = this.amounts.entrySet()
				.stream()
				.filter((entry) -> poison(entry.getValue()))
				.map(Map.Entry::getKey)
				.collect(Collectors.toSet());
			assertThat(poison).hasSize(ENTRIES / POISON_EVERY);
			Set<Long> healthy = new HashSet<>(publishedRowids);
			healthy.removeAll(poison);
			assertThat(this.acknowledged).as("acknowledged entries").isEqualTo(healthy);
			assertThat(this.removedByAcks.get()).as("entries the acknowledgements took off the pending entries list")
				.isEqualTo(healthy.size());
			for (long rowid : poison) {
				assertThat(this.deliveries.get(rowid)).as("deliveries of poison entry %d", rowid)
					.extracting(Delivery::deliveryCount)
					.containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, MAX_DELIVERIES).boxed().toList());
			}
			for (long rowid : healthy) {
				assertThat(this.deliveries.get(rowid)).as("deliveries of entry %d", rowid)
					.allSatisfy((delivery) -> assertThat(delivery.deliveryCount()).isLessThan(MAX_DELIVERIES));
			}

			GroupInfo info = groups(0).info(STREAM, GROUP);
			assertThat(info.pending()).isZero();
			assertThat(groups(0).pending(STREAM, GROUP).count()).isZero();
			assertThat(info.lastDeliveredRowid()).isEqualTo(publishedRowids.stream().mapToLong(Long::longValue).max().getAsLong());

			Map<Long, Long> deadLetters = new HashMap<>();
			long after = 0;
			while (true) {
				DeadLetters page = groups(0).deadLetters(STREAM, GROUP, after, 1_000);
				for (StoredEvent letter : page.events()) {
					long rowid = ((Number) letter.data().get("original_rowid")).longValue();
					assertThat(deadLetters.put(rowid, ((Number) letter.data().get("delivery_count")).longValue()))
						.as("dead letter of entry %d twice", rowid)
						.isNull();
				}
				if (page.events().isEmpty()) {
					break;
				}
				after = page.scannedTo();
			}
			assertThat(deadLetters.keySet()).as("dead letters").isEqualTo(poison);
			assertThat(deadLetters.values()).as("delivery counts of the dead letters").containsOnly((long) MAX_DELIVERIES);

			assertThat(this.held).as("entries the killed consumer held").isNotEmpty();
			for (long rowid : this.held) {
				// Delivery counts order the deliveries of an entry: the one after the killed consumer's is the takeover.
				long heldCount = this.deliveries.get(rowid)
					.stream()
					.filter((delivery) -> delivery.consumer().equals(VICTIM))
					.mapToLong(Delivery::deliveryCount)
					.max()
					.getAsLong();
				if (heldCount == MAX_DELIVERIES) {
					// Its last delivery: the takeover moved it to dead letters instead.
					assertThat(deadLetters).containsKey(rowid);
					continue;
				}
				assertThat(this.deliveries.get(rowid))
					.as("deliveries of entry %d, which the killed consumer held at delivery %d", rowid, heldCount)
					.filteredOn((delivery) -> delivery.deliveryCount() == heldCount + 1)
					.singleElement()
					.satisfies((takeover) -> {
						assertThat(takeover.consumer()).isNotEqualTo(VICTIM);
						assertThat(takeover.autoclaimed()).as("taken over by autoclaim rather than a read")
							.isEqualTo(this.autoclaim);
					});
			}
		}

	}

}
