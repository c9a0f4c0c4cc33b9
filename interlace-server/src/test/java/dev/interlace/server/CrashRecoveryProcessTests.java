package dev.interlace.server;

import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.interlace.core.store.postgres.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Crash safety of the packaged server, on DuckDB and on PostgreSQL: several clients publish and a consumer consumes
 * and acknowledges while the server is killed with SIGKILL, {@value #KILLS} times, each time restarted on the same
 * data. After every restart:
 * <ul>
 * <li>every event whose publish was answered 202 is stored exactly once, at the rowids the answer named;</li>
 * <li>nothing of a publish that never reached the server, or that was refused, is stored; a publish the kill cut off
 * is stored whole or not at all, also one of {@value #LARGE_PUBLISH} events, more than DuckDB's appender holds before
 * it flushes by itself: every publish id has none or all of its publish's rows;</li>
 * <li>rowids are strictly increasing, with no duplicates, and every publish after a restart gets rowids above every
 * row stored before it;</li>
 * <li>the consumer's cursor is where its last acknowledged ack put it, or where the ack the kill cut off would
 * have.</li>
 * </ul>
 */
class CrashRecoveryProcessTests {

	static final int KILLS = 4;

	static final int PUBLISHERS = 4;

	static final String STREAM = "crash_events";

	static final String CONSUMER = "worker";

	static final String PAD = "p".repeat(100);

	/** Events of each publish of the clients that send large batches. */
	static final int LARGE_PUBLISH = 5_000;

	/** Clients below this one send {@value #LARGE_PUBLISH} events at a time. */
	static final int LARGE_PUBLISHERS = 2;

	@TempDir
	Path work;

	@Test
	void duckDbKeepsEveryAcknowledgedPublishAndCursorThroughRepeatedKills() throws Exception {
		new CrashRun("duckdb",
				List.of("--interlace.connections.default.path=" + this.work.resolve("interlace.duckdb")))
			.run();
	}

	@Test
	void postgresKeepsEveryAcknowledgedPublishAndCursorThroughRepeatedKills() throws Exception {
		TestPostgres postgres = TestPostgres.shared();
		String database = postgres.createDatabase();
		new CrashRun("postgres", List.of("--spring.datasource.url=" + postgres.jdbcUrl(database),
				"--spring.datasource.username=" + postgres.username(), "--spring.datasource.password=unused"))
			.run();
	}

	/** What became of one publish request, as its client saw it. */
	enum Outcome {

		/** Answered 202: must be stored. */
		ACCEPTED,

		/** Answered with another status: must not be stored. */
		REFUSED,

		/** The connection was refused: the server never saw it, so it must not be stored. */
		NOT_SENT,

		/** The kill cut the request or its answer off: stored whole or not at all. */
		CUT_OFF

	}

	/**
	 * One publish: events {@code seq} {@code firstSeq .. firstSeq + size - 1} of {@code client}.
	 */
	record Publish(int round, int client, long firstSeq, int size, Outcome outcome, long firstRowid, long lastRowid,
			String detail) {
	}

	/** A stored row of the stream. */
	record Row(long rowid, int client, long seq, String publishId) {
	}

	final class CrashRun {

		private final String name;

		private final List<String> storeArguments;

		private final Path log;

		private final long seed = System.nanoTime();

		private final Random random = new Random(this.seed);

		private final Queue<Publish> publishes = new ConcurrentLinkedQueue<>();

		private final Queue<String> clientErrors = new ConcurrentLinkedQueue<>();

		private final long[] nextSeq = new long[PUBLISHERS];

		/** Cursor of the last ack answered 200. */
		private volatile long acknowledgedCursor;

		/** Rowid of an ack sent but not answered, or -1. */
		private volatile long ackInFlight = -1;

		private long acknowledgedAtLeastOnce;

		private ServerProcess server;

		CrashRun(String name, List<String> storeArguments) {
			this.name = name;
			this.storeArguments = storeArguments;
			this.log = Path.of("target", "process-tests", "CrashRecoveryProcessTests-" + name + ".log").toAbsolutePath();
			ServerProcess.deleteLog(this.log);
		}

		void run() throws Exception {
			long start = System.nanoTime();
			try {
				this.server = start();
				long storedBefore = 0;
				for (int round = 1; round <= KILLS; round++) {
					long roundStart = System.nanoTime();
					loadAndKill(round);
					this.server = start();
					List<Row> rows = verify(round, storedBefore);
					storedBefore = rows.isEmpty() ? 0 : rows.get(rows.size() - 1).rowid();
					System.out.printf("[%s] round %d: %s; %d rows stored, cursor %d (%d ms)%n", this.name, round,
							summary(round), rows.size(), this.acknowledgedCursor,
							Duration.ofNanos(System.nanoTime() - roundStart).toMillis());
				}
				assertThat(this.publishes).as("publishes the kills cut off: the kills hit the server under load")
					.anyMatch((publish) -> publish.outcome() == Outcome.CUT_OFF);
				assertThat(this.acknowledgedAtLeastOnce).as("acks answered 200").isPositive();
				assertThat(this.clientErrors).isEmpty();
				System.out.printf("[%s] %d kills, %d publishes, seed %d, %d s%n", this.name, KILLS,
						this.publishes.size(), this.seed, Duration.ofNanos(System.nanoTime() - start).toSeconds());
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
			arguments.add("--spring.config.additional-location=file:" + ServerProcess.resource("process-streams.yml"));
			return ServerProcess.start(CrashRecoveryProcessTests.this.work, this.log, arguments);
		}

		/** Publishes and consumes for a few seconds, kills the server in the middle of it, and waits for the clients. */
		private void loadAndKill(int round) throws InterruptedException {
			HttpJson http = new HttpJson(this.server.base());
			AtomicBoolean running = new AtomicBoolean(true);
			List<Thread> clients = new ArrayList<>();
			for (int client = 0; client < PUBLISHERS; client++) {
				int id = client;
				clients.add(new Thread(() -> publish(round, id, http, running), "publisher-" + client));
			}
			clients.add(new Thread(() -> consume(http, running), "consumer"));
			clients.forEach(Thread::start);
			ServerProcess.sleep(Duration.ofMillis(2_500 + this.random.nextInt(2_000)));
			this.server.kill();
			running.set(false);
			for (Thread client : clients) {
				client.join(HttpJson.REQUEST_TIMEOUT.toMillis() * 2);
				assertThat(client.isAlive()).as(client.getName() + " still running").isFalse();
			}
		}

		private void publish(int round, int client, HttpJson http, AtomicBoolean running) {
			Random random = new Random(this.seed + 31L * round + client);
			long seq = this.nextSeq[client];
			while (running.get()) {
				// The first clients publish large batches, the next one small batches, the others single events.
				int size = (client < LARGE_PUBLISHERS) ? LARGE_PUBLISH
						: (client == LARGE_PUBLISHERS) ? 1 + random.nextInt(20) : 1;
				StringBuilder body = new StringBuilder("[");
				for (int i = 0; i < size; i++) {
					body.append((i > 0) ? "," : "")
						.append("{\"client\":").append(client)
						.append(",\"seq\":").append(seq + i)
						.append(",\"pad\":\"").append((client < LARGE_PUBLISHERS) ? "l" : PAD).append("\"}");
				}
				Publish publish;
				try {
					HttpJson.Answer answer = http.publish(STREAM, body.append(']').toString());
					publish = (answer.status() == 202)
							? new Publish(round, client, seq, size, Outcome.ACCEPTED, answer.longValue("first_rowid"),
									answer.longValue("last_rowid"), answer.body())
							: new Publish(round, client, seq, size, Outcome.REFUSED, 0, 0, answer.toString());
				}
				catch (UncheckedIOException ex) {
					Outcome outcome = (ex.getCause() instanceof ConnectException) ? Outcome.NOT_SENT : Outcome.CUT_OFF;
					this.publishes.add(new Publish(round, client, seq, size, outcome, 0, 0, ex.getCause().toString()));
					this.nextSeq[client] = seq + size;
					return;
				}
				this.publishes.add(publish);
				seq += size;
			}
			this.nextSeq[client] = seq;
		}

		private void consume(HttpJson http, AtomicBoolean running) {
			while (running.get()) {
				try {
					HttpJson.Answer batch = http.consume(STREAM, CONSUMER, 50);
					if (batch.status() != 200) {
						this.clientErrors.add("consume: " + batch);
						return;
					}
					List<Map<String, Object>> events = batch.events();
					if (events.isEmpty()) {
						ServerProcess.sleep(Duration.ofMillis(20));
						continue;
					}
					long first = rowid(events.get(0));
					if (first <= this.acknowledgedCursor) {
						this.clientErrors.add("consume returned rowid " + first + " at or below the acknowledged cursor "
								+ this.acknowledgedCursor);
					}
					long last = rowid(events.get(events.size() - 1));
					this.ackInFlight = last;
					HttpJson.Answer ack = http.ack(STREAM, CONSUMER, last);
					if (ack.status() != 200) {
						this.clientErrors.add("ack: " + ack);
						return;
					}
					this.acknowledgedCursor = ack.longValue("cursor");
					this.ackInFlight = -1;
					this.acknowledgedAtLeastOnce++;
				}
				catch (UncheckedIOException ex) {
					return;
				}
			}
		}

		/**
		 * Checks everything published so far against the restarted server, and that the consumer's cursor survived.
		 * @param round the round just ended
		 * @param storedBefore the highest rowid stored before this round
		 * @return the stored rows, in rowid order
		 */
		private List<Row> verify(int round, long storedBefore) {
			HttpJson http = new HttpJson(this.server.base());
			List<Row> rows = readAll(http, "verifier-" + round);
			// Strictly increasing: no rowid twice.
			for (int i = 1; i < rows.size(); i++) {
				assertThat(rows.get(i).rowid()).as("rowid after %s", rows.get(i - 1)).isGreaterThan(rows.get(i - 1).rowid());
			}
			assertThat(rows).extracting(Row::rowid).as("rowids").doesNotHaveDuplicates();
			Map<String, Integer> rowsByPublishId = new HashMap<>();
			for (Row row : rows) {
				rowsByPublishId.merge(row.publishId(), 1, Integer::sum);
			}
			for (Row row : rows) {
				int expected = (row.client() < LARGE_PUBLISHERS) ? LARGE_PUBLISH : rowsByPublishId.get(row.publishId());
				assertThat(rowsByPublishId.get(row.publishId()))
					.as("rows of publish id %s (client %d): all of the publish or nothing", row.publishId(), row.client())
					.isEqualTo(expected);
			}
			Map<Long, Row> bySeq = new HashMap<>();
			for (Row row : rows) {
				Row previous = bySeq.put(key(row.client(), row.seq()), row);
				assertThat(previous).as("event stored twice: %s", row).isNull();
			}
			Map<Long, Publish> sent = new HashMap<>();
			for (Publish publish : this.publishes) {
				for (int i = 0; i < publish.size(); i++) {
					sent.put(key(publish.client(), publish.firstSeq() + i), publish);
				}
				switch (publish.outcome()) {
					case ACCEPTED -> {
						assertThat(publish.lastRowid() - publish.firstRowid() + 1).as("%s", publish).isEqualTo(publish.size());
						for (int i = 0; i < publish.size(); i++) {
							Row row = bySeq.get(key(publish.client(), publish.firstSeq() + i));
							assertThat(row).as("event %d of a publish answered 202: %s", i, publish).isNotNull();
							assertThat(row.rowid()).as("rowid of event %d of %s", i, publish)
								.isEqualTo(publish.firstRowid() + i);
						}
						if (publish.round() == round) {
							assertThat(publish.firstRowid()).as("a rowid of round %d above every row of the rounds before: %s",
									round, publish).isGreaterThan(storedBefore);
						}
					}
					case REFUSED, NOT_SENT -> {
						for (int i = 0; i < publish.size(); i++) {
							assertThat(bySeq.get(key(publish.client(), publish.firstSeq() + i)))
								.as("event %d of a publish that was not accepted: %s", i, publish).isNull();
						}
					}
					case CUT_OFF -> {
						List<Row> stored = new ArrayList<>();
						for (int i = 0; i < publish.size(); i++) {
							Row row = bySeq.get(key(publish.client(), publish.firstSeq() + i));
							if (row != null) {
								stored.add(row);
							}
						}
						assertThat(stored.size()).as("a cut-off publish is stored whole or not at all: %s, found %s",
								publish, stored).isIn(0, publish.size());
						for (int i = 1; i < stored.size(); i++) {
							assertThat(stored.get(i).rowid()).as("rowids of one publish are consecutive: %s", stored)
								.isEqualTo(stored.get(0).rowid() + i);
						}
					}
				}
			}
			for (Row row : rows) {
				assertThat(sent).as("a stored row that nobody published: %s", row).containsKey(key(row.client(), row.seq()));
			}
			assertThat(this.publishes).as("publishes answered 202 in round " + round)
				.anyMatch((publish) -> publish.round() == round && publish.outcome() == Outcome.ACCEPTED);
			Map<String, Object> description = http.get("/api/v1/streams/" + STREAM).json();
			assertThat(((Number) description.get("last_rowid")).longValue())
				.isEqualTo(rows.isEmpty() ? 0 : rows.get(rows.size() - 1).rowid());
			verifyCursor(http, rows);
			return rows;
		}

		/** The cursor is the last acknowledged one, or the one of the ack in flight when the server died. */
		private void verifyCursor(HttpJson http, List<Row> rows) {
			HttpJson.Answer next = http.consume(STREAM, CONSUMER, 1);
			assertThat(next.status()).as("%s", next).isEqualTo(200);
			// The consume returns the first row after the cursor: the cursor lies between the row before it and it.
			long cursor;
			if (next.events().isEmpty()) {
				cursor = rows.isEmpty() ? 0 : rows.get(rows.size() - 1).rowid();
			}
			else {
				long first = rowid(next.events().get(0));
				cursor = rows.stream().mapToLong(Row::rowid).filter((rowid) -> rowid < first).max().orElse(0);
			}
			long acknowledged = this.acknowledgedCursor;
			long inFlight = this.ackInFlight;
			List<Long> expected = (inFlight > acknowledged) ? List.of(acknowledged, inFlight) : List.of(acknowledged);
			assertThat(cursor).as("cursor of '%s' after the restart (last ack answered: %d, ack in flight: %d)",
					CONSUMER, acknowledged, inFlight).isIn(expected);
			this.acknowledgedCursor = cursor;
			this.ackInFlight = -1;
		}

		private List<Row> readAll(HttpJson http, String verifier) {
			List<Row> rows = new ArrayList<>();
			while (true) {
				HttpJson.Answer batch = http.consume(STREAM, verifier, 10_000);
				assertThat(batch.status()).as("%s", batch).isEqualTo(200);
				List<Map<String, Object>> events = batch.events();
				if (events.isEmpty()) {
					return rows;
				}
				for (Map<String, Object> event : events) {
					rows.add(new Row(rowid(event), ((Number) event.get("client")).intValue(),
							((Number) event.get("seq")).longValue(), String.valueOf(event.get("_interlace_publish_id"))));
				}
				assertThat(http.ack(STREAM, verifier, rows.get(rows.size() - 1).rowid()).status()).isEqualTo(200);
			}
		}

		private String summary(int round) {
			Map<Outcome, Integer> counts = new HashMap<>();
			for (Publish publish : this.publishes) {
				if (publish.round() == round) {
					counts.merge(publish.outcome(), 1, Integer::sum);
				}
			}
			return "publishes " + counts;
		}

	}

	private static long key(int client, long seq) {
		return seq * PUBLISHERS + client;
	}

	private static long rowid(Map<String, Object> event) {
		return ((Number) event.get("_interlace_rowid")).longValue();
	}

}
