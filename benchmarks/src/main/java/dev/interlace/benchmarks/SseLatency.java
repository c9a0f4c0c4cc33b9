package dev.interlace.benchmarks;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import io.netty.buffer.Unpooled;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * Load generator for live delivery: opens many SSE subscriptions to a running server, publishes at a fixed rate
 * over HTTP and reports the latency from the publish request being sent to each subscriber receiving the event.
 * <p>
 * Usage: {@code java -cp benchmarks.jar dev.interlace.benchmarks.SseLatency <base-url> <subscribers> <events/s>
 * <seconds> [events-per-request] [warm-up-seconds]}. Publisher and subscribers run in this JVM, so the latency is
 * measured with one clock: each event carries the {@code System.nanoTime()} of its publish request in {@code sent_at}.
 */
public final class SseLatency {

	private static final int BUCKET_MICROS = 10;

	private static final int BUCKETS = 100_000;

	private final AtomicLongArray histogram = new AtomicLongArray(BUCKETS + 1);

	private final AtomicLongArray publishHistogram = new AtomicLongArray(BUCKETS + 1);

	private final AtomicLong received = new AtomicLong();

	/** Events sent before this {@code System.nanoTime()} warm both JVMs up and are not counted. */
	private volatile long measureFrom = Long.MAX_VALUE;

	private final AtomicLong overflows = new AtomicLong();

	private SseLatency() {
	}

	public static void main(String[] args) throws Exception {
		String base = (args.length > 0) ? args[0] : "http://127.0.0.1:18080";
		int subscribers = (args.length > 1) ? Integer.parseInt(args[1]) : 1_000;
		int rate = (args.length > 2) ? Integer.parseInt(args[2]) : 10_000;
		int seconds = (args.length > 3) ? Integer.parseInt(args[3]) : 20;
		int perRequest = (args.length > 4) ? Integer.parseInt(args[4]) : 10;
		// Both JVMs keep compiling the delivery path for about half a minute under load.
		int warmupSeconds = (args.length > 5) ? Integer.parseInt(args[5]) : 30;
		new SseLatency().run(base, subscribers, rate, seconds, perRequest, warmupSeconds);
	}

	private void run(String base, int subscribers, int rate, int seconds, int perRequest, int warmupSeconds)
			throws Exception {
		LoopResources loops = LoopResources.create("sse-load", 2, true);
		ConnectionProvider connections = ConnectionProvider.builder("sse-load").maxConnections(subscribers + 64)
			.pendingAcquireMaxCount(-1)
			.build();
		HttpClient client = HttpClient.create(connections).runOn(loops).baseUrl(base);
		CountDownLatch connected = new CountDownLatch(subscribers);
		Disposable.Composite streams = Disposables.composite();
		for (int i = 0; i < subscribers; i++) {
			// Chunks may end mid-line: keep the unfinished line for the next chunk.
			StringBuilder pending = new StringBuilder();
			streams.add(client.headers((h) -> h.add("Accept", "text/event-stream"))
				.get()
				.uri("/api/v1/streams/bench/subscribe")
				.responseContent()
				.asString(StandardCharsets.UTF_8)
				.doOnNext((chunk) -> {
					connected.countDown();
					pending.append(chunk);
					int end = pending.lastIndexOf("\n");
					if (end >= 0) {
						record(pending.substring(0, end));
						pending.delete(0, end + 1);
					}
				})
				.subscribe(null, (error) -> System.err.println("subscriber failed: " + error)));
		}
		if (!connected.await(60, TimeUnit.SECONDS)) {
			System.err.println("only " + (subscribers - connected.getCount()) + " subscribers connected");
		}
		System.out.printf("%d subscribers connected; publishing %d events/s for %d s of warm-up, then %d s measured, "
				+ "in requests of %d%n", subscribers, rate, warmupSeconds, seconds, perRequest);
		AtomicLong published = new AtomicLong();
		AtomicLong failed = new AtomicLong();
		AtomicLong id = new AtomicLong();
		ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
		long requestsPerSecond = Math.max(1, rate / perRequest);
		long periodNanos = TimeUnit.SECONDS.toNanos(1) / requestsPerSecond;
		long total = requestsPerSecond * (seconds + warmupSeconds);
		this.measureFrom = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmupSeconds);
		AtomicLong sent = new AtomicLong();
		CountDownLatch done = new CountDownLatch(1);
		ticker.scheduleAtFixedRate(() -> {
			if (sent.incrementAndGet() > total) {
				done.countDown();
				return;
			}
			StringBuilder body = new StringBuilder("[");
			long now = System.nanoTime();
			for (int i = 0; i < perRequest; i++) {
				if (i > 0) {
					body.append(',');
				}
				long n = id.incrementAndGet();
				body.append("{\"id\":").append(n).append(",\"user\":\"u").append(n % 1000)
					.append("\",\"amount\":1.5,\"sent_at\":").append(now).append('}');
			}
			body.append(']');
			client.headers((h) -> h.add("Content-Type", "application/json"))
				.post()
				.uri("/api/v1/streams/bench")
				.send(Mono.just(Unpooled.wrappedBuffer(body.toString().getBytes(StandardCharsets.UTF_8))))
				// Read the answer to the end, or the connection never returns to the pool.
				.responseSingle((response, content) -> content.then(Mono.just(response.status().code())))
				.subscribe((status) -> {
					long micros = (System.nanoTime() - now) / 1_000;
					if (now < this.measureFrom) {
						return;
					}
					this.publishHistogram.incrementAndGet((int) Math.min(BUCKETS, micros / BUCKET_MICROS));
					if (status == 202) {
						published.addAndGet(perRequest);
					}
					else {
						failed.incrementAndGet();
					}
				}, (error) -> failed.incrementAndGet());
		}, 0, periodNanos, TimeUnit.NANOSECONDS);
		done.await();
		ticker.shutdownNow();
		Thread.sleep(Duration.ofSeconds(3).toMillis());
		streams.dispose();
		long expected = published.get() * subscribers;
		System.out.printf("published %d events (%d failed requests); deliveries %d of %d expected (%.2f%%); overflow markers %d%n",
				published.get(), failed.get(), this.received.get(), expected,
				(expected > 0) ? 100.0 * this.received.get() / expected : 0.0, this.overflows.get());
		System.out.printf("publish request (until its 202): p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, p99.9 %.2f ms%n",
				percentile(this.publishHistogram, 0.50), percentile(this.publishHistogram, 0.90),
				percentile(this.publishHistogram, 0.99), percentile(this.publishHistogram, 0.999));
		System.out.printf("publish-to-subscriber latency: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, p99.9 %.2f ms%n",
				percentile(this.histogram, 0.50), percentile(this.histogram, 0.90), percentile(this.histogram, 0.99),
				percentile(this.histogram, 0.999));
		connections.dispose();
		loops.dispose();
	}

	private void record(String chunk) {
		long now = System.nanoTime();
		int at = 0;
		while ((at = chunk.indexOf("\"sent_at\":", at)) >= 0) {
			at += 10;
			int end = at;
			while (end < chunk.length() && (Character.isDigit(chunk.charAt(end)) || chunk.charAt(end) == '-')) {
				end++;
			}
			if (end == at) {
				continue;
			}
			long sentAt = Long.parseLong(chunk, at, end, 10);
			if (sentAt < this.measureFrom) {
				continue;
			}
			long micros = (now - sentAt) / 1_000;
			this.histogram.incrementAndGet((int) Math.min(BUCKETS, Math.max(0, micros / BUCKET_MICROS)));
			this.received.incrementAndGet();
		}
		if (chunk.contains("stream.overflow")) {
			this.overflows.incrementAndGet();
		}
	}

	private static double percentile(AtomicLongArray histogram, double quantile) {
		long count = 0;
		for (int i = 0; i <= BUCKETS; i++) {
			count += histogram.get(i);
		}
		long wanted = (long) Math.ceil(count * quantile);
		long seen = 0;
		for (int i = 0; i <= BUCKETS; i++) {
			seen += histogram.get(i);
			if (seen >= wanted && wanted > 0) {
				return (i + 1) * BUCKET_MICROS / 1000.0;
			}
		}
		return Double.NaN;
	}

}
