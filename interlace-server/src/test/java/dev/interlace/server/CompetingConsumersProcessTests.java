package dev.interlace.server;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.interlace.core.store.postgres.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Competing consumers over HTTP across two server jars on one PostgreSQL database, one instance killed with SIGKILL
 * mid-way. Consumers {@code c0} and {@code c1} use instance A, {@code c2} and {@code c3} instance B; a publisher sends
 * {@link #ENTRIES} entries to B in batches of {@value #BATCH} while they read {@code >} in batches of {@value #BATCH},
 * acknowledge, and nack the poison entries (every {@value #POISON_EVERY}th) every time. Once half the entries were
 * delivered, {@code c0} reads one more batch and instance A is killed while it holds it: {@code c0} is gone, and
 * {@code c1}, whose call the kill may have cut off, goes on against B under the same name. The group's claim-idle
 * hands the entries left pending to the survivors. At the end, with the only uncertainty the calls the kill cut off:
 * <ul>
 * <li>every published entry was delivered to a consumer;</li>
 * <li>every other entry was acknowledged (answered 200), or is one of those of an acknowledgement the kill cut off;
 * what the acknowledgements answered sums to no more than those entries, and with the cut-off ones to no less;</li>
 * <li>each poison entry was seen with distinct delivery counts of at most max-deliveries, and is in the dead-letter
 * stream exactly once, with delivery count max-deliveries; no other entry is;</li>
 * <li>the pending entries list is empty and the group delivered up to the last entry;</li>
 * <li>every entry {@code c0} held was later delivered to a survivor with a higher delivery count (or, held at its
 * last delivery, went to dead letters).</li>
 * </ul>
 */
class CompetingConsumersProcessTests {

	/** Entries published; {@code -Dinterlace.competing.entries} overrides it. */
	static final int ENTRIES = Integer.getInteger("interlace.competing.entries", 100_000);

	static final int BATCH = 1_000;

	static final int MAX_DELIVERIES = 4;

	static final int POISON_EVERY = 1_000;

	static final long CLAIM_IDLE_MS = 10_000;

	static final String STREAM = "competing_orders";

	static final String GROUP = "workers";

	static final String VICTIM = "c0";

	static final Duration RUN_TIMEOUT = Duration.ofSeconds(600);

	@TempDir
	Path work;

	record Delivery(String consumer, long deliveryCount) {
	}

	private final Map<Long, Queue<Delivery>> deliveries = new ConcurrentHashMap<>();

	private final Map<Long, Long> numbers = new ConcurrentHashMap<>();

	private final Map<Long, String> ids = new ConcurrentHashMap<>();

	private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();

	/** IDs of acknowledgements and nacks the kill cut off: done or not. */
	private final Set<String> cutOff = ConcurrentHashMap.newKeySet();

	private final AtomicLong removedByAcks = new AtomicLong();

	private final AtomicLong delivered = new AtomicLong();

	private final Set<Long> held = ConcurrentHashMap.newKeySet();

	private final CountDownLatch victimHolds = new CountDownLatch(1);

	private final Queue<String> errors = new ConcurrentLinkedQueue<>();

	private final AtomicBoolean stop = new AtomicBoolean();

	private final List<long[]> published = new ArrayList<>();

	private final AtomicLong cutOffCalls = new AtomicLong();

	static boolean poison(long n) {
		return n % POISON_EVERY == POISON_EVERY / 2;
	}

	@Test
	void consumersOnTwoInstancesShareAGroupAndTakeOverTheEntriesOfAKilledInstance() throws Exception {
		TestPostgres postgres = TestPostgres.shared();
		String database = postgres.createDatabase();
		List<String> arguments = List.of("--spring.datasource.url=" + postgres.jdbcUrl(database),
				"--spring.datasource.username=" + postgres.username(), "--spring.datasource.password=unused",
				"--spring.config.additional-location=file:" + ServerProcess.resource("group-process-streams.yml"));
		Path logA = Path.of("target", "process-tests", "CompetingConsumersProcessTests-a.log").toAbsolutePath();
		Path logB = Path.of("target", "process-tests", "CompetingConsumersProcessTests-b.log").toAbsolutePath();
		ServerProcess.deleteLog(logA);
		ServerProcess.deleteLog(logB);
		long start = System.nanoTime();
		// Started side by side: a start takes 15 to 30 s on a busy machine.
		CompletableFuture<ServerProcess> startingB = CompletableFuture
			.supplyAsync(() -> ServerProcess.start(this.work, logB, arguments));
		ServerProcess firstStarted;
		try {
			firstStarted = ServerProcess.start(this.work, logA, arguments);
		}
		catch (RuntimeException ex) {
			startingB.join().close();
			throw ex;
		}
		try (ServerProcess a = firstStarted; ServerProcess b = startingB.join()) {
			GroupsHttp onA = new GroupsHttp(a.base(), STREAM, GROUP);
			GroupsHttp onB = new GroupsHttp(b.base(), STREAM, GROUP);
			HttpJson.Answer created = onA.create("0", MAX_DELIVERIES, CLAIM_IDLE_MS);
			assertThat(created.status()).as("%s", created).isEqualTo(201);
			long started = System.nanoTime();
			List<Thread> threads = new ArrayList<>();
			threads.add(thread("publisher", () -> publish(onB)));
			threads.add(thread(VICTIM, () -> consume(VICTIM, onA, null)));
			threads.add(thread("c1", () -> consume("c1", onA, onB)));
			threads.add(thread("c2", () -> consume("c2", onB, null)));
			threads.add(thread("c3", () -> consume("c3", onB, null)));
			threads.forEach(Thread::start);
			long killedAt;
			try {
				assertThat(this.victimHolds.await(RUN_TIMEOUT.toSeconds(), TimeUnit.SECONDS))
					.as("%s read a batch after half the entries were delivered", VICTIM).isTrue();
				a.kill();
				killedAt = System.nanoTime();
				awaitDone(onB);
			}
			catch (Throwable ex) {
				System.err.println("Instance A's log ends with:\n" + a.logTail(40) + "\nInstance B's log ends with:\n"
						+ b.logTail(40));
				throw ex;
			}
			finally {
				this.stop.set(true);
				for (Thread thread : threads) {
					thread.join(HttpJson.REQUEST_TIMEOUT.toMillis() * 2);
					assertThat(thread.isAlive()).as("%s still running", thread.getName()).isFalse();
				}
			}
			long done = System.nanoTime();
			assertThat(this.errors).isEmpty();
			verify(onB);
			assertThat(b.logLines("ERROR")).as("errors instance B logged").isEmpty();
			System.out.printf("[CompetingConsumersProcessTests] %,d entries over HTTP, 2 instances on PostgreSQL, A"
					+ " killed after %,d ms with %s holding %d; %,d deliveries, %d calls cut off; all done %,d ms after"
					+ " the start (%,d ms with the server starts)%n", ENTRIES,
					Duration.ofNanos(killedAt - started).toMillis(), VICTIM, this.held.size(), this.delivered.get(),
					this.cutOffCalls.get(), Duration.ofNanos(done - started).toMillis(),
					Duration.ofNanos(done - start).toMillis());
		}
	}

	private Thread thread(String name, Runnable work) {
		Thread thread = new Thread(() -> {
			try {
				work.run();
			}
			catch (Throwable ex) {
				this.errors.add(name + ": " + ex);
				this.stop.set(true);
			}
		}, "competing-" + name);
		thread.setDaemon(true);
		return thread;
	}

	private void publish(GroupsHttp http) {
		for (long first = 0; first < ENTRIES && !this.stop.get(); first += BATCH) {
			StringBuilder body = new StringBuilder("[");
			for (long n = first; n < Math.min(first + BATCH, ENTRIES); n++) {
				body.append((n > first) ? "," : "").append("{\"n\":").append(n).append('}');
			}
			HttpJson.Answer answer = http.publish(body.append(']').toString());
			if (answer.status() != 202) {
				this.errors.add("publish: " + answer);
				return;
			}
			synchronized (this.published) {
				this.published.add(new long[] { answer.longValue("first_rowid"), answer.longValue("last_rowid") });
			}
		}
	}

	/**
	 * Reads, acknowledges and nacks on {@code http}; when the server's death cuts a call off, goes on against
	 * {@code failover}, or ends without one.
	 */
	private void consume(String consumer, GroupsHttp http, GroupsHttp failover) {
		boolean victim = VICTIM.equals(consumer);
		GroupsHttp server = http;
		while (!this.stop.get()) {
			try {
				HttpJson.Answer read = server.read(consumer, BATCH, 200);
				if (read.status() != 200) {
					this.errors.add(consumer + " read: " + read);
					return;
				}
				List<Map<String, Object>> entries = GroupsHttp.entries(read);
				if (entries.isEmpty()) {
					continue;
				}
				List<String> done = new ArrayList<>();
				List<String> failed = new ArrayList<>();
				for (Map<String, Object> entry : entries) {
					long rowid = ((Number) entry.get("rowid")).longValue();
					String id = (String) entry.get("id");
					@SuppressWarnings("unchecked")
					long n = ((Number) ((Map<String, Object>) entry.get("data")).get("n")).longValue();
					this.numbers.put(rowid, n);
					this.ids.put(rowid, id);
					this.deliveries.computeIfAbsent(rowid, (key) -> new ConcurrentLinkedQueue<>())
						.add(new Delivery(consumer, ((Number) entry.get("delivery_count")).longValue()));
					(poison(n) ? failed : done).add(id);
				}
				long deliveredSoFar = this.delivered.addAndGet(entries.size());
				if (victim && deliveredSoFar >= ENTRIES / 2) {
					entries.forEach((entry) -> this.held.add(((Number) entry.get("rowid")).longValue()));
					this.victimHolds.countDown();
					return;
				}
				if (!done.isEmpty()) {
					HttpJson.Answer ack;
					try {
						ack = server.ack(done);
					}
					catch (UncheckedIOException ex) {
						this.cutOff.addAll(done);
						throw ex;
					}
					if (ack.status() != 200) {
						this.errors.add(consumer + " ack: " + ack);
						return;
					}
					this.removedByAcks.addAndGet(ack.longValue("acknowledged"));
					this.acknowledged.addAll(done);
				}
				if (!failed.isEmpty()) {
					HttpJson.Answer nack;
					try {
						nack = server.nack(consumer, failed);
					}
					catch (UncheckedIOException ex) {
						this.cutOff.addAll(failed);
						throw ex;
					}
					if (nack.status() != 200) {
						this.errors.add(consumer + " nack: " + nack);
						return;
					}
				}
			}
			catch (UncheckedIOException ex) {
				// The server died under this call: a read whose entries the client never saw, or an ack or nack
				// that may or may not have committed (its IDs recorded as cut off).
				this.cutOffCalls.incrementAndGet();
				if (failover == null || server == failover) {
					return;
				}
				server = failover;
			}
		}
	}

	/** Waits until everything was published and delivered and nothing is pending: nothing is left to do. */
	private void awaitDone(GroupsHttp http) throws InterruptedException {
		long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
		Map<String, Object> info = Map.of();
		while (System.nanoTime() < deadline && this.errors.isEmpty()) {
			long lastRowid;
			synchronized (this.published) {
				lastRowid = (this.published.size() == (ENTRIES + BATCH - 1) / BATCH)
						? this.published.get(this.published.size() - 1)[1] : -1;
			}
			info = http.info();
			if (lastRowid > 0 && ((Number) info.get("pending")).longValue() == 0
					&& ((Number) info.get("last_delivered_rowid")).longValue() == lastRowid) {
				return;
			}
			Thread.sleep(200);
		}
		assertThat(this.errors).isEmpty();
		throw new AssertionError("Not done within " + RUN_TIMEOUT + ": group " + info + ", " + this.delivered.get()
				+ " deliveries, " + this.acknowledged.size() + " acknowledged");
	}

	private void verify(GroupsHttp http) {
		Set<Long> publishedRowids = new HashSet<>();
		for (long[] range : this.published) {
			LongStream.rangeClosed(range[0], range[1]).forEach(publishedRowids::add);
		}
		assertThat(publishedRowids).hasSize(ENTRIES);
		assertThat(this.deliveries.keySet()).as("delivered entries").isEqualTo(publishedRowids);
		Set<Long> poison = new HashSet<>();
		Set<String> healthy = new HashSet<>();
		this.numbers.forEach((rowid, n) -> {
			if (poison(n)) {
				poison.add(rowid);
			}
			else {
				healthy.add(this.ids.get(rowid));
			}
		});
		assertThat(poison).hasSize(ENTRIES / POISON_EVERY);
		Set<String> unacknowledged = new HashSet<>(healthy);
		unacknowledged.removeAll(this.acknowledged);
		assertThat(unacknowledged).as("entries never acknowledged with a 200, beyond those of cut-off calls")
			.isSubsetOf(this.cutOff);
		// Set differences rather than AssertJ's isSubsetOf, which compares each element with each.
		Set<String> strangers = new HashSet<>(this.acknowledged);
		strangers.removeAll(healthy);
		assertThat(strangers).as("acknowledged entries that are not healthy ones").isEmpty();
		long cutOffHealthy = this.cutOff.stream().filter(healthy::contains).count();
		assertThat(this.removedByAcks.get()).as("entries acknowledgements answered 200 took off the pending list")
			.isLessThanOrEqualTo(healthy.size())
			.isGreaterThanOrEqualTo(healthy.size() - cutOffHealthy);
		for (long rowid : poison) {
			List<Long> counts = this.deliveries.get(rowid).stream().map(Delivery::deliveryCount).toList();
			assertThat(counts).as("delivery counts seen of poison entry %d", rowid)
				.doesNotHaveDuplicates()
				.allSatisfy((count) -> assertThat(count).isBetween(1L, (long) MAX_DELIVERIES));
		}

		Map<String, Object> info = http.info();
		assertThat(((Number) info.get("pending")).longValue()).isZero();
		assertThat(((Number) info.get("last_delivered_rowid")).longValue())
			.isEqualTo(publishedRowids.stream().mapToLong(Long::longValue).max().getAsLong());
		assertThat(http.pendingEntries()).isEmpty();

		Map<Long, Long> deadLetters = new HashMap<>();
		for (Map<String, Object> letter : http.deadLetters()) {
			long rowid = ((Number) letter.get("original_rowid")).longValue();
			assertThat(deadLetters.put(rowid, ((Number) letter.get("delivery_count")).longValue()))
				.as("dead letter of entry %d twice", rowid).isNull();
			assertThat(letter.get("group")).isEqualTo(GROUP);
		}
		assertThat(deadLetters.keySet()).as("dead letters").isEqualTo(poison);
		assertThat(deadLetters.values()).as("delivery counts of the dead letters").containsOnly((long) MAX_DELIVERIES);

		assertThat(this.held).as("entries the killed instance's consumer held").isNotEmpty();
		for (long rowid : this.held) {
			long heldCount = this.deliveries.get(rowid)
				.stream()
				.filter((delivery) -> delivery.consumer().equals(VICTIM))
				.mapToLong(Delivery::deliveryCount)
				.max()
				.getAsLong();
			if (heldCount == MAX_DELIVERIES) {
				assertThat(deadLetters).containsKey(rowid);
				continue;
			}
			assertThat(this.deliveries.get(rowid))
				.as("deliveries of entry %d, which %s held at delivery %d", rowid, VICTIM, heldCount)
				.filteredOn((delivery) -> delivery.deliveryCount() > heldCount)
				.isNotEmpty()
				.allSatisfy((delivery) -> assertThat(delivery.consumer()).isNotEqualTo(VICTIM));
		}
	}

}
