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
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.interlace.core.store.postgres.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Crash safety of consumer groups, on DuckDB and on PostgreSQL: {@value #CLIENTS} clients read {@code >} (batches of
 * 1 to {@value #MAX_READ}) and acknowledge against the packaged server, which is killed with SIGKILL mid-way and
 * restarted on the same database. Each client records every call answered 200, and the one call it had in flight
 * when the server died (if any).
 * <p>
 * The invariant checked: the server applies a group's calls one at a time (each locks the group's row and commits
 * before it answers), and a client sends its next call only once the last was answered. So the calls that committed
 * are exactly those answered 200, plus any subset of the in-flight ones, at most one per client; and the group's
 * state after the restart is the result of applying them in commit order. With a group that never redelivers (no
 * claim-idle, no max-deliveries, no nack), that means, with {@code L} the group's last-delivered rowid:
 * <ol>
 * <li>no entry an acknowledgement answered 200 named is pending;</li>
 * <li>every entry a read answered 200 returned, and that no acknowledgement named, is pending, owned by that reader,
 * with delivery count 1; one named only by a cut-off acknowledgement is that or not pending at all;</li>
 * <li>{@code L} is at least the highest rowid any answered read returned, and every entry up to {@code L} was
 * delivered: by an answered read, or else by a cut-off read, in which case it is pending, owned by a client whose
 * read was cut off, delivery count 1, and the entries of each such client form one contiguous run no longer than
 * its read's count;</li>
 * <li>nothing else is pending, and the group's pending count says so;</li>
 * <li>reading on delivers exactly the entries after {@code L}, each once: every entry reached the group once.</li>
 * </ol>
 */
class GroupCrashProcessTests {

	static final int ENTRIES = 30_000;

	static final int CLIENTS = 3;

	static final int MAX_READ = 300;

	static final String STREAM = "group_crash";

	static final String GROUP = "g";

	@TempDir
	Path work;

	@Test
	void duckDbKeepsThePendingListAndPositionOfEveryAnsweredGroupCallThroughAKill() throws Exception {
		new CrashRun("duckdb",
				List.of("--interlace.connections.default.path=" + this.work.resolve("interlace.duckdb")))
			.run();
	}

	@Test
	void postgresKeepsThePendingListAndPositionOfEveryAnsweredGroupCallThroughAKill() throws Exception {
		TestPostgres postgres = TestPostgres.shared();
		String database = postgres.createDatabase();
		new CrashRun("postgres", List.of("--spring.datasource.url=" + postgres.jdbcUrl(database),
				"--spring.datasource.username=" + postgres.username(), "--spring.datasource.password=unused"))
			.run();
	}

	/** An entry an answered read returned. */
	record Read(String consumer, String id, long rowid) {
	}

	final class CrashRun {

		private final String name;

		private final List<String> storeArguments;

		private final Path log;

		private final long seed = System.nanoTime();

		/** Entries answered reads returned, by rowid. */
		private final Map<Long, Read> read = new ConcurrentHashMap<>();

		/** IDs answered acknowledgements named. */
		private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();

		/** IDs of acknowledgements the kill cut off. */
		private final Set<String> ackCutOff = ConcurrentHashMap.newKeySet();

		/** The count of each client's read the kill cut off. */
		private final Map<String, Integer> readCutOff = new ConcurrentHashMap<>();

		private final Queue<String> errors = new ConcurrentLinkedQueue<>();

		private final AtomicLong delivered = new AtomicLong();

		private final AtomicLong calls = new AtomicLong();

		private ServerProcess server;

		CrashRun(String name, List<String> storeArguments) {
			this.name = name;
			this.storeArguments = storeArguments;
			this.log = Path.of("target", "process-tests", "GroupCrashProcessTests-" + name + ".log").toAbsolutePath();
			ServerProcess.deleteLog(this.log);
		}

		void run() throws Exception {
			long start = System.nanoTime();
			try {
				this.server = start();
				GroupsHttp http = new GroupsHttp(this.server.base(), STREAM, GROUP);
				HttpJson.Answer created = http.create("0", 0, 0);
				assertThat(created.status()).as("%s", created).isEqualTo(201);
				List<Long> rowids = publish(http);
				Random random = new Random(this.seed);
				long killAfter = 5_000 + random.nextInt(10_000);
				List<Thread> clients = new ArrayList<>();
				for (int i = 0; i < CLIENTS; i++) {
					String consumer = "k" + i;
					long clientSeed = this.seed + i;
					clients.add(new Thread(() -> consume(http, consumer, new Random(clientSeed)), "group-" + consumer));
				}
				long loadStart = System.nanoTime();
				clients.forEach(Thread::start);
				long deadline = System.nanoTime() + Duration.ofSeconds(300).toNanos();
				while (this.delivered.get() < killAfter && this.errors.isEmpty() && System.nanoTime() < deadline) {
					Thread.sleep(5);
				}
				assertThat(this.errors).isEmpty();
				assertThat(this.delivered.get()).as("entries delivered before the kill").isGreaterThanOrEqualTo(killAfter);
				this.server.kill();
				long killedAt = System.nanoTime();
				for (Thread client : clients) {
					client.join(HttpJson.REQUEST_TIMEOUT.toMillis() * 2);
					assertThat(client.isAlive()).as(client.getName() + " still running").isFalse();
				}
				assertThat(this.errors).isEmpty();
				this.server = start();
				String committed = verify(new GroupsHttp(this.server.base(), STREAM, GROUP), rowids);
				System.out.printf("[GroupCrashProcessTests %s] killed after %,d entries delivered in %,d calls (%,d ms);"
						+ " in flight: reads (counts) %s, acks of %d entries; of those %s; %d s in all, seed %d%n",
						this.name, this.delivered.get(), this.calls.get(),
						Duration.ofNanos(killedAt - loadStart).toMillis(), this.readCutOff, this.ackCutOff.size(),
						committed, Duration.ofNanos(System.nanoTime() - start).toSeconds(), this.seed);
			}
			catch (Throwable ex) {
				System.err.println("[" + this.name + "] failed with seed " + this.seed + "; the server's log ("
						+ this.log + ") ends with:\n" + ((this.server != null) ? this.server.logTail(80) : ""));
				throw ex;
			}
			finally {
				if (this.server != null) {
					this.server.close();
				}
			}
		}

		private ServerProcess start() {
			List<String> arguments = new ArrayList<>(this.storeArguments);
			arguments.add("--spring.config.additional-location=file:"
					+ ServerProcess.resource("group-process-streams.yml"));
			return ServerProcess.start(GroupCrashProcessTests.this.work, this.log, arguments);
		}

		private List<Long> publish(GroupsHttp http) {
			List<Long> rowids = new ArrayList<>();
			for (int first = 0; first < ENTRIES; first += 1_000) {
				StringBuilder body = new StringBuilder("[");
				for (int n = first; n < first + 1_000; n++) {
					body.append((n > first) ? "," : "").append("{\"n\":").append(n).append('}');
				}
				HttpJson.Answer answer = http.publish(body.append(']').toString());
				assertThat(answer.status()).as("%s", answer).isEqualTo(202);
				for (long rowid = answer.longValue("first_rowid"); rowid <= answer.longValue("last_rowid"); rowid++) {
					rowids.add(rowid);
				}
			}
			return rowids;
		}

		/**
		 * Reads and acknowledges until the server dies: most entries at once, every fifth later with others of its
		 * backlog, every twenty-fifth never.
		 */
		private void consume(GroupsHttp http, String consumer, Random random) {
			List<String> backlog = new ArrayList<>();
			while (true) {
				int count = 1 + random.nextInt(MAX_READ);
				HttpJson.Answer answer;
				try {
					answer = http.read(consumer, count, 0);
				}
				catch (UncheckedIOException ex) {
					this.readCutOff.put(consumer, count);
					return;
				}
				this.calls.incrementAndGet();
				if (answer.status() != 200) {
					this.errors.add(consumer + " read: " + answer);
					return;
				}
				List<String> now = new ArrayList<>();
				for (Map<String, Object> entry : GroupsHttp.entries(answer)) {
					long rowid = ((Number) entry.get("rowid")).longValue();
					String id = (String) entry.get("id");
					long deliveries = ((Number) entry.get("delivery_count")).longValue();
					if (deliveries != 1 || this.read.put(rowid, new Read(consumer, id, rowid)) != null) {
						this.errors.add(consumer + " got entry " + rowid + " again, delivery count " + deliveries);
						return;
					}
					if (rowid % 25 != 0) {
						((rowid % 5 == 0) ? backlog : now).add(id);
					}
				}
				this.delivered.addAndGet(GroupsHttp.entries(answer).size());
				if (backlog.size() > 20 && random.nextBoolean()) {
					List<String> older = new ArrayList<>(backlog.subList(0, backlog.size() / 2));
					backlog.subList(0, backlog.size() / 2).clear();
					now.addAll(older);
				}
				if (now.isEmpty()) {
					continue;
				}
				try {
					HttpJson.Answer ack = http.ack(now);
					this.calls.incrementAndGet();
					if (ack.status() != 200) {
						this.errors.add(consumer + " ack: " + ack);
						return;
					}
					if (ack.longValue("acknowledged") != now.size()) {
						this.errors.add(consumer + " acknowledged " + ack.longValue("acknowledged") + " of " + now.size()
								+ " pending entries: " + ack);
						return;
					}
					this.acknowledged.addAll(now);
				}
				catch (UncheckedIOException ex) {
					this.ackCutOff.addAll(now);
					return;
				}
			}
		}

		/**
		 * Checks the group after the restart against the calls the clients recorded.
		 * @return what became of the cut-off calls, for the log
		 */
		private String verify(GroupsHttp http, List<Long> rowids) {
			Map<Long, Map<String, Object>> pending = new TreeMap<>();
			for (Map<String, Object> entry : http.pendingEntries()) {
				assertThat(pending.put(((Number) entry.get("rowid")).longValue(), entry)).isNull();
			}
			Map<String, Object> info = http.info();
			long last = ((Number) info.get("last_delivered_rowid")).longValue();

			// 1. and 2.: the answered calls.
			for (Read entry : this.read.values()) {
				Map<String, Object> state = pending.get(entry.rowid());
				if (this.acknowledged.contains(entry.id())) {
					assertThat(state).as("entry %s, acknowledged with a 200", entry).isNull();
				}
				else if (state != null || !this.ackCutOff.contains(entry.id())) {
					assertThat(state).as("entry %s, read with a 200 and not acknowledged", entry).isNotNull();
					assertThat(state.get("consumer")).as("owner of %s", entry).isEqualTo(entry.consumer());
					assertThat(((Number) state.get("delivery_count")).longValue()).as("delivery count of %s", entry)
						.isEqualTo(1);
				}
			}

			// 3.: the position, and what cut-off reads delivered.
			long highestRead = this.read.keySet().stream().mapToLong(Long::longValue).max().orElse(0);
			assertThat(last).as("last-delivered rowid against the highest one an answered read returned")
				.isGreaterThanOrEqualTo(highestRead);
			Map<String, List<Long>> deliveredByCutOffReads = new HashMap<>();
			for (long rowid : rowids) {
				if (rowid > last || this.read.containsKey(rowid)) {
					continue;
				}
				Map<String, Object> state = pending.get(rowid);
				assertThat(state).as("entry %d, up to the last-delivered %d but returned by no answered read: pending"
						+ " after a cut-off read (those: %s)", rowid, last, this.readCutOff).isNotNull();
				String owner = (String) state.get("consumer");
				assertThat(this.readCutOff).as("owner of entry %d, delivered by a cut-off read", rowid).containsKey(owner);
				assertThat(((Number) state.get("delivery_count")).longValue()).isEqualTo(1);
				deliveredByCutOffReads.computeIfAbsent(owner, (key) -> new ArrayList<>()).add(rowid);
			}
			deliveredByCutOffReads.forEach((consumer, run) -> {
				assertThat(run.size()).as("entries the cut-off read of %s delivered: %s", consumer, run)
					.isLessThanOrEqualTo(this.readCutOff.get(consumer));
				assertThat(run.get(run.size() - 1) - run.get(0) + 1).as("one contiguous run: %s", run)
					.isEqualTo(run.size());
			});

			// 4.: nothing else pending.
			Set<Long> explained = new HashSet<>(this.read.keySet());
			deliveredByCutOffReads.values().forEach(explained::addAll);
			Set<Long> unexplained = new HashSet<>(pending.keySet());
			unexplained.removeAll(explained);
			assertThat(unexplained).as("pending entries no read delivered").isEmpty();
			assertThat(pending.keySet()).as("pending entries").allSatisfy(
					(rowid) -> assertThat(rowid).as("pending rowid against the last-delivered").isLessThanOrEqualTo(last));
			assertThat(((Number) info.get("pending")).longValue()).isEqualTo(pending.size());

			// 5.: reading on delivers the rest, each once.
			List<Long> after = new ArrayList<>();
			while (true) {
				HttpJson.Answer answer = http.read("after-restart", 1_000, 0);
				assertThat(answer.status()).as("%s", answer).isEqualTo(200);
				List<Map<String, Object>> entries = GroupsHttp.entries(answer);
				if (entries.isEmpty()) {
					break;
				}
				for (Map<String, Object> entry : entries) {
					after.add(((Number) entry.get("rowid")).longValue());
					assertThat(((Number) entry.get("delivery_count")).longValue()).isEqualTo(1);
				}
			}
			List<Long> expected = rowids.stream().filter((rowid) -> rowid > last).toList();
			assertThat(after).as("entries read after the restart").containsExactlyElementsOf(expected);
			Set<Long> all = new HashSet<>(explained);
			assertThat(all.size() + after.size()).as("entries delivered, before and after the kill")
				.isEqualTo(rowids.size());
			all.addAll(after);
			assertThat(all).hasSize(rowids.size());
			long ackedByCutOffAcks = this.read.values()
				.stream()
				.filter((entry) -> this.ackCutOff.contains(entry.id()) && !pending.containsKey(entry.rowid()))
				.count();
			return "committed: reads of " + deliveredByCutOffReads.keySet() + " (" + deliveredByCutOffReads.values()
				.stream()
				.mapToInt(List::size)
				.sum() + " entries), acks of " + ackedByCutOffAcks + " entries";
		}

	}

}
