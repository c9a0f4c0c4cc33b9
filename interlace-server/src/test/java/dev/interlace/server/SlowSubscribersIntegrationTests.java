package dev.interlace.server;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.ActiveProfiles;

import dev.interlace.core.engine.DefaultStreams;
import dev.interlace.server.streams.SubscribeController;

import static dev.interlace.server.Heap.heapAfterGc;
import static dev.interlace.server.Heap.mb;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A thousand live subscribers of one stream, {@value #IDLE} of which never read a byte, while a publisher publishes
 * {@value #EVENTS_PER_SECOND} events a second over HTTP; each backend extends this class with its database. Checked:
 * <ul>
 * <li>the server's heap, measured after a full GC every {@link #HEAP_SAMPLE_INTERVAL}, stays within
 * {@value #HEAP_BOUND_MB} MB of what it was before the subscribers came (see {@link #HEAP_BOUND_MB} for why);</li>
 * <li>the publisher keeps its pace and every reading subscriber receives every event, in order;</li>
 * <li>the idle subscribers are dropped as documented, once more than {@code interlace.subscriber-buffer-size}
 * events behind: within {@link #DROP_BOUND}, each with a last {@code stream.overflow} event, its response ended;</li>
 * <li>publishing as fast as possible with a hundred idle subscribers keeps at least a third of the throughput
 * without them.</li>
 * </ul>
 * Server and clients share this JVM and its two cores, so the bounds are loose: they fail when something is truly
 * wrong (memory growing with the events idle subscribers do not read, publishers waiting for them), not when the
 * machine is busy.
 */
@ActiveProfiles("crowd")
@Import(SmallSocketSendBuffers.class)
abstract class SlowSubscribersIntegrationTests {

	static final String STREAM = "crowd";

	static final String PATH = "/api/v1/streams/" + STREAM + "/subscribe";

	static final int READERS = 900;

	static final int IDLE = 100;

	static final int BUFFER = 500;

	static final int EVENTS_PER_REQUEST = 10;

	static final int EVENTS_PER_SECOND = 100;

	static final String PAD = "p".repeat(200);

	static final Duration HEAP_SAMPLE_INTERVAL = Duration.ofSeconds(2);

	/**
	 * Longest an idle subscriber may stay. It is dropped once its {@value #BUFFER}-event buffer is full, which happens
	 * only after the response's pipeline has taken what it prefetches (up to 256 events on the hop to the subscriber's
	 * thread, a few dozen writes waiting for the socket, 64 KB in Netty's outbound buffer) and the socket buffers are
	 * full: ~2,400 events in all here, 24 s at {@value #EVENTS_PER_SECOND} events a second. 90 s leaves room for a
	 * slow machine, not for a subscriber that is never dropped.
	 */
	static final Duration DROP_BOUND = Duration.ofSeconds(90);

	/**
	 * Largest growth of the heap (after a full GC) allowed with the thousand subscribers, in MB. Expected: each reader
	 * and its client connection (both in this JVM) a few tens of kilobytes, ~35 MB for all; each idle subscriber its
	 * {@value #BUFFER} buffered events (references to events all subscribers share) plus what its response's pipeline
	 * holds (see {@link #DROP_BOUND}: ~2,000 events of ~0.3 KB as written for it), under 1 MB, so ~100 MB for the
	 * hundred. Measured: +35 MB connected, +100 MB at most while publishing. 256 MB fails only when what an idle
	 * subscriber holds grows with what it does not read (at this rate, by 3 MB a second for the hundred).
	 */
	static final long HEAP_BOUND_MB = 256;

	@LocalServerPort
	int port;

	@Autowired
	DefaultStreams streams;

	@Autowired
	RawSseClients sse;

	@Test
	void idleSubscribersAreDroppedWhileReadersGetEveryEventPublishersKeepTheirPaceAndTheHeapStaysBounded()
			throws Exception {
		HttpJson http = new HttpJson("http://localhost:" + this.port);
		publish(http, 0);
		long baseline = heapAfterGc();
		double alone = throughput(Duration.ofSeconds(3));

		LoopResources loops = LoopResources.create("crowd-readers", 2, true);
		ConnectionProvider connections = ConnectionProvider.builder("crowd-readers")
			.maxConnections(READERS + 10)
			.pendingAcquireMaxCount(-1)
			.build();
		Disposable.Composite subscriptions = Disposables.composite();
		try (RawSseClients.Idle idle = this.sse.idle(PATH, IDLE)) {
			reactor.netty.http.client.HttpClient client = reactor.netty.http.client.HttpClient.create(connections)
				.runOn(loops)
				.baseUrl("http://localhost:" + this.port);
			List<Reader> readers = new ArrayList<>();
			for (int i = 0; i < READERS; i++) {
				Reader reader = new Reader();
				readers.add(reader);
				subscriptions.add(client.headers((headers) -> headers.add("Accept", "text/event-stream"))
					.get()
					.uri(PATH)
					.responseContent()
					.asString(StandardCharsets.UTF_8)
					.subscribe(reader::accept, reader::fail, reader::complete));
			}
			await().atMost(Duration.ofSeconds(120)).until(() -> this.streams.subscriberCount(STREAM) == READERS + IDLE);
			long connected = heapAfterGc();

			// A steady publisher until the idle subscribers are gone, and a few seconds more.
			Pacer pacer = new Pacer(http);
			Thread publisher = new Thread(pacer, "paced-publisher");
			long start = System.nanoTime();
			publisher.start();
			long peak = connected;
			long droppedAfter = -1;
			while (System.nanoTime() - start < DROP_BOUND.toNanos()) {
				Thread.sleep(HEAP_SAMPLE_INTERVAL.toMillis());
				peak = Math.max(peak, heapAfterGc());
				if (droppedAfter < 0 && this.streams.subscriberCount(STREAM) == READERS) {
					droppedAfter = System.nanoTime() - start;
				}
				if (droppedAfter >= 0 && System.nanoTime() - start > droppedAfter + Duration.ofSeconds(4).toNanos()) {
					break;
				}
			}
			pacer.running.set(false);
			publisher.join();
			long published = pacer.events.get();
			long elapsed = pacer.elapsedNanos;
			long first = pacer.firstRowid.get();
			long last = pacer.lastRowid.get();
			System.out.printf("[%s] heap after GC: %d MB before, %d MB with %d subscribers, %d MB at most while "
					+ "publishing; idle subscribers dropped after %s; %d events published at %.0f/s (target %d), "
					+ "slowest publish %d ms; throughput alone %.0f events/s%n", getClass().getSimpleName(),
					mb(baseline), mb(connected), READERS + IDLE, mb(peak),
					(droppedAfter < 0) ? "never" : Duration.ofNanos(droppedAfter), published,
					published * 1e9 / elapsed, EVENTS_PER_SECOND, pacer.slowestNanos / 1_000_000, alone);

			assertThat(pacer.failures).isEmpty();
			assertThat(droppedAfter).as("idle subscribers dropped within %s", DROP_BOUND).isNotNegative();
			assertThat(mb(peak - baseline)).as("heap growth in MB").isLessThan(HEAP_BOUND_MB);
			assertThat(published * 1e9 / elapsed).as("events published per second").isGreaterThan(0.8 * EVENTS_PER_SECOND);
			assertThat(Duration.ofNanos(pacer.slowestNanos)).as("slowest publish").isLessThan(Duration.ofSeconds(5));

			// Every reader got every event, in order, and is still subscribed.
			await().atMost(Duration.ofSeconds(60))
				.until(() -> readers.stream().allMatch((reader) -> reader.lastId.get() >= last || reader.broken()));
			for (Reader reader : readers) {
				assertThat(reader.problem()).isNull();
				assertThat(reader.firstId).isEqualTo(first);
				assertThat(reader.lastId.get()).isEqualTo(last);
				assertThat(reader.count.get()).isEqualTo(published);
			}
			assertThat(this.streams.subscriberCount(STREAM)).isEqualTo(READERS);

			// Each idle client, reading at last, finds events up to a stream.overflow event, then the end.
			for (RawSseClient client1 : idle.clients()) {
				List<Map<String, String>> received = new ArrayList<>();
				client1.readEvents(received::add);
				assertThat(received).isNotEmpty();
				Map<String, String> overflow = received.get(received.size() - 1);
				assertThat(overflow).containsEntry("event", SubscribeController.OVERFLOW);
				assertThat(received.size() - 1L).as("events an idle subscriber was sent").isLessThan(published);
			}
		}
		finally {
			subscriptions.dispose();
			connections.disposeLater().block(Duration.ofSeconds(10));
			loops.disposeLater().block(Duration.ofSeconds(10));
		}

		// Publishing flat out while a hundred fresh idle subscribers hold on, fill up and are dropped.
		await().atMost(Duration.ofSeconds(30)).until(() -> this.streams.subscriberCount(STREAM) == 0);
		try (RawSseClients.Idle fresh = this.sse.idle(PATH, IDLE)) {
			await().atMost(Duration.ofSeconds(30)).until(() -> this.streams.subscriberCount(STREAM) == IDLE);
			double withIdle = throughput(Duration.ofSeconds(3));
			System.out.printf("[%s] throughput: %.0f events/s alone, %.0f with %d idle subscribers%n",
					getClass().getSimpleName(), alone, withIdle, IDLE);
			assertThat(withIdle).isGreaterThan(alone / 3);
		}
	}

	/** Publishes as fast as two clients can, in requests of {@value #EVENTS_PER_REQUEST} events, and returns events/s. */
	private double throughput(Duration duration) throws InterruptedException {
		AtomicLong events = new AtomicLong();
		long end = System.nanoTime() + duration.toNanos();
		List<Thread> threads = new ArrayList<>();
		for (int i = 0; i < 2; i++) {
			HttpJson http = new HttpJson("http://localhost:" + this.port);
			threads.add(new Thread(() -> {
				while (System.nanoTime() < end) {
					publish(http, 0);
					events.addAndGet(EVENTS_PER_REQUEST);
				}
			}, "throughput-" + i));
		}
		long start = System.nanoTime();
		threads.forEach(Thread::start);
		for (Thread thread : threads) {
			thread.join();
		}
		return events.get() * 1e9 / (System.nanoTime() - start);
	}

	private static HttpJson.Answer publish(HttpJson http, long n) {
		StringBuilder body = new StringBuilder("[");
		for (int i = 0; i < EVENTS_PER_REQUEST; i++) {
			body.append((i > 0) ? "," : "").append("{\"n\":").append(n + i).append(",\"pad\":\"").append(PAD).append("\"}");
		}
		HttpJson.Answer answer = http.publish(STREAM, body.append(']').toString());
		assertThat(answer.status()).as("%s", answer).isEqualTo(202);
		return answer;
	}

	/** Publishes {@value #EVENTS_PER_SECOND} events a second until stopped. */
	static final class Pacer implements Runnable {

		final AtomicBoolean running = new AtomicBoolean(true);

		final AtomicLong events = new AtomicLong();

		final AtomicLong firstRowid = new AtomicLong();

		final AtomicLong lastRowid = new AtomicLong();

		final List<String> failures = new ArrayList<>();

		volatile long elapsedNanos;

		volatile long slowestNanos;

		private final HttpJson http;

		Pacer(HttpJson http) {
			this.http = http;
		}

		@Override
		public void run() {
			long period = Duration.ofSeconds(1).toNanos() * EVENTS_PER_REQUEST / EVENTS_PER_SECOND;
			long start = System.nanoTime();
			long next = start;
			try {
				while (this.running.get()) {
					long sent = System.nanoTime();
					HttpJson.Answer answer = publish(this.http, this.events.get());
					this.slowestNanos = Math.max(this.slowestNanos, System.nanoTime() - sent);
					this.firstRowid.compareAndSet(0, answer.longValue("first_rowid"));
					this.lastRowid.set(answer.longValue("last_rowid"));
					this.events.addAndGet(EVENTS_PER_REQUEST);
					next += period;
					long sleep = next - System.nanoTime();
					if (sleep > 0) {
						Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
					}
				}
			}
			catch (Throwable ex) {
				synchronized (this.failures) {
					this.failures.add(ex.toString());
				}
			}
			this.elapsedNanos = System.nanoTime() - start;
		}

	}

	/** A reading subscriber: checks that event ids come one after another, keeping no more than counters. */
	static final class Reader {

		final AtomicLong count = new AtomicLong();

		final AtomicLong lastId = new AtomicLong();

		volatile long firstId;

		private final StringBuilder pending = new StringBuilder();

		private volatile String problem;

		void accept(String chunk) {
			// Chunks may end in the middle of a line: keep the unfinished line for the next one.
			this.pending.append(chunk);
			int end = this.pending.lastIndexOf("\n");
			if (end < 0) {
				return;
			}
			for (String line : this.pending.substring(0, end).split("\n")) {
				if (line.startsWith("id:")) {
					long id = Long.parseLong(line.substring(3).trim());
					if (this.firstId == 0) {
						this.firstId = id;
					}
					else if (id != this.lastId.get() + 1 && this.problem == null) {
						this.problem = "id " + id + " after " + this.lastId.get();
					}
					this.lastId.set(id);
					this.count.incrementAndGet();
				}
				else if (line.equals("event:" + SubscribeController.OVERFLOW) && this.problem == null) {
					this.problem = "overflow after " + this.lastId.get();
				}
			}
			this.pending.delete(0, end + 1);
		}

		void fail(Throwable ex) {
			this.problem = "failed: " + ex;
		}

		void complete() {
			if (this.problem == null) {
				this.problem = "ended after " + this.lastId.get();
			}
		}

		boolean broken() {
			return this.problem != null;
		}

		String problem() {
			return this.problem;
		}

	}

}
