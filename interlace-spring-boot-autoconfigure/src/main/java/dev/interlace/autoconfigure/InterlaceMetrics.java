package dev.interlace.autoconfigure;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.springframework.util.Assert;

import dev.interlace.core.store.StoreObserver;

/**
 * Interlace's meters, recorded where the work happens: publishes and rejected requests by the server, live
 * subscribers, retention deletions by the retention task, and group commits by the stores. Gauges that need the
 * database (rows per stream, consumer lag) are kept by {@link StreamStatisticsMeters} instead.
 *
 * @since 0.1.0
 */
public final class InterlaceMetrics {

	/** Events published, tagged {@code stream}. */
	public static final String PUBLISH_EVENTS = "interlace.publish.events";

	/** Request body bytes of publishes, tagged {@code stream}. */
	public static final String PUBLISH_BYTES = "interlace.publish.bytes";

	/** Time from handing a publish to the store to its commit, tagged {@code stream}. */
	public static final String PUBLISH_LATENCY = "interlace.publish.latency";

	/** Requests refused before any work, tagged {@code reason}: {@code auth}, {@code rate}, {@code validation}, {@code size}. */
	public static final String REQUESTS_REJECTED = "interlace.requests.rejected";

	/** Live subscribers, tagged {@code stream}. */
	public static final String SUBSCRIBERS = "interlace.subscribers";

	/** Rows deleted by retention, tagged {@code stream}. */
	public static final String RETENTION_DELETED = "interlace.retention.deleted";

	/**
	 * Retention runs that kept rows of a stream its limits would have deleted, because consumer groups still needed
	 * them ({@code retention.keep-unacknowledged}).
	 */
	public static final String RETENTION_HELD_BACK = "interlace.retention.held_back";

	/** Time one group commit took, tagged {@code connection}. */
	public static final String STORE_COMMIT_LATENCY = "interlace.store.commit.latency";

	/** Rows of one group commit, tagged {@code connection}. */
	public static final String STORE_COMMIT_ROWS = "interlace.store.commit.rows";

	private final MeterRegistry registry;

	private final ConcurrentMap<String, AtomicInteger> subscribers = new ConcurrentHashMap<>();

	/**
	 * Records into the given registry.
	 * @param registry the registry
	 */
	public InterlaceMetrics(MeterRegistry registry) {
		Assert.notNull(registry, "'registry' must not be null");
		this.registry = registry;
	}

	/**
	 * Records a committed publish.
	 * @param stream the stream
	 * @param events events stored
	 * @param bytes size of the request body, 0 when the publish did not come as one
	 * @param latency time from handing the events to the store to their commit
	 */
	public void published(String stream, int events, long bytes, Duration latency) {
		Counter.builder(PUBLISH_EVENTS).description("Events published").tag("stream", stream)
			.register(this.registry)
			.increment(events);
		if (bytes > 0) {
			Counter.builder(PUBLISH_BYTES).description("Request body bytes of publishes")
				.baseUnit("bytes")
				.tag("stream", stream)
				.register(this.registry)
				.increment(bytes);
		}
		Timer.builder(PUBLISH_LATENCY).description("Time from handing a publish to the store to its commit")
			.tag("stream", stream)
			.publishPercentileHistogram()
			.minimumExpectedValue(Duration.ofMillis(1))
			.maximumExpectedValue(Duration.ofSeconds(10))
			.register(this.registry)
			.record(latency);
	}

	/**
	 * Counts a request refused before any work was done.
	 * @param reason {@code auth}, {@code rate}, {@code validation} or {@code size}
	 */
	public void rejected(String reason) {
		Counter.builder(REQUESTS_REJECTED).description("Requests refused").tag("reason", reason)
			.register(this.registry)
			.increment();
	}

	/**
	 * Counts the retention runs that consumer groups held back, read from the task when scraped.
	 * @param heldBack the count so far
	 */
	public void retentionHeldBack(java.util.function.LongSupplier heldBack) {
		io.micrometer.core.instrument.FunctionCounter
			.builder(RETENTION_HELD_BACK, heldBack, java.util.function.LongSupplier::getAsLong)
			.description("Retention runs that kept rows consumer groups still needed")
			.register(this.registry);
	}

	/**
	 * Counts rows deleted by retention.
	 * @param stream the stream
	 * @param rows rows deleted
	 */
	public void retentionDeleted(String stream, long rows) {
		Counter counter = Counter.builder(RETENTION_DELETED).description("Rows deleted by retention")
			.tag("stream", stream)
			.register(this.registry);
		if (rows > 0) {
			counter.increment(rows);
		}
	}

	/**
	 * Counts a live subscriber in until {@link #subscriberClosed(String)}.
	 * @param stream the stream
	 */
	public void subscriberOpened(String stream) {
		subscribers(stream).incrementAndGet();
	}

	/**
	 * Counts a live subscriber out.
	 * @param stream the stream
	 */
	public void subscriberClosed(String stream) {
		subscribers(stream).decrementAndGet();
	}

	private AtomicInteger subscribers(String stream) {
		return this.subscribers.computeIfAbsent(stream, (key) -> {
			AtomicInteger count = new AtomicInteger();
			Gauge.builder(SUBSCRIBERS, count, AtomicInteger::get).description("Live subscribers")
				.tag("stream", key)
				.register(this.registry);
			return count;
		});
	}

	/**
	 * Returns an observer that records a store's group commits under the connection's name.
	 * @param connection the connection name
	 * @return the observer
	 */
	public StoreObserver storeObserver(String connection) {
		Timer latency = Timer.builder(STORE_COMMIT_LATENCY).description("Time one group commit took")
			.tag("connection", connection)
			.publishPercentileHistogram()
			.minimumExpectedValue(Duration.ofNanos(100_000))
			.maximumExpectedValue(Duration.ofSeconds(10))
			.register(this.registry);
		DistributionSummary rows = DistributionSummary.builder(STORE_COMMIT_ROWS)
			.description("Rows of one group commit")
			.baseUnit("rows")
			.tag("connection", connection)
			.register(this.registry);
		return (stream, committed, nanos) -> {
			latency.record(nanos, TimeUnit.NANOSECONDS);
			rows.record(committed);
		};
	}

	MeterRegistry registry() {
		return this.registry;
	}

}
