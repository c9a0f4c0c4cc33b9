package dev.interlace.autoconfigure;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.util.Assert;

import dev.interlace.core.StreamDefinition;
import dev.interlace.core.Streams;
import dev.interlace.core.store.CursorStore;
import dev.interlace.core.store.DatabaseStores;
import dev.interlace.core.store.StreamTable;

/**
 * Gauges that need the database: {@value #STREAM_ROWS} per stream and {@value #CONSUMER_LAG} per consumer (the stream's
 * last rowid minus the consumer's cursor, for the databases that keep cursors). One thread of its own reads them from
 * the stores at a fixed interval and the gauges return the last values read, so a scrape never runs a query, whatever
 * the number of scrapes.
 *
 * @since 0.1.0
 */
public final class StreamStatisticsMeters implements InitializingBean, DisposableBean {

	/** Rows of a stream, tagged {@code stream}. */
	public static final String STREAM_ROWS = "interlace.stream.rows";

	/** Events a consumer has not acknowledged yet, tagged {@code stream} and {@code consumer}. */
	public static final String CONSUMER_LAG = "interlace.consumer.lag";

	private static final Logger logger = LoggerFactory.getLogger(StreamStatisticsMeters.class);

	private final Streams streams;

	private final InterlaceStores stores;

	private final MeterRegistry registry;

	private final Duration interval;

	private final ConcurrentMap<String, AtomicLong> rows = new ConcurrentHashMap<>();

	private final ConcurrentMap<String, Lag> lags = new ConcurrentHashMap<>();

	private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor((runnable) -> {
		Thread thread = new Thread(runnable, "interlace-statistics");
		thread.setDaemon(true);
		return thread;
	});

	/**
	 * Creates the meters; they refresh once started.
	 * @param streams the streams to measure
	 * @param stores the stores holding them
	 * @param registry the registry
	 * @param interval time between two reads of the database
	 */
	public StreamStatisticsMeters(Streams streams, InterlaceStores stores, MeterRegistry registry, Duration interval) {
		Assert.notNull(streams, "'streams' must not be null");
		Assert.notNull(stores, "'stores' must not be null");
		Assert.notNull(registry, "'registry' must not be null");
		Assert.isTrue(!interval.isNegative() && !interval.isZero(), "'interval' must be positive");
		this.streams = streams;
		this.stores = stores;
		this.registry = registry;
		this.interval = interval;
	}

	@Override
	public void afterPropertiesSet() {
		this.refresher.scheduleWithFixedDelay(this::refresh, 0, this.interval.toMillis(), TimeUnit.MILLISECONDS);
	}

	/**
	 * Reads every stream's row count and cursors once. A stream whose store fails keeps its previous values.
	 */
	public void refresh() {
		for (StreamDefinition definition : this.streams.definitions()) {
			DatabaseStores database = this.stores.stores(definition.connection());
			if (database == null) {
				continue;
			}
			try {
				refresh(definition.name(), database);
			}
			catch (RuntimeException ex) {
				if (logger.isDebugEnabled()) {
					logger.debug("Reading statistics of stream '" + definition.name() + "' failed", ex);
				}
			}
		}
	}

	private void refresh(String stream, DatabaseStores database) {
		StreamTable table = database.streams().describe(stream);
		rowsOf(stream).set(table.rowCount());
		CursorStore cursorStore = database.cursors();
		Map<String, Long> cursors = (cursorStore != null) ? cursorStore.readCursors(stream) : Map.of();
		for (Map.Entry<String, Long> cursor : cursors.entrySet()) {
			lagOf(stream, cursor.getKey()).set(Math.max(0, table.lastRowid() - cursor.getValue()));
		}
		// A consumer deleted since the last read (by any instance) takes its gauge with it.
		this.lags.entrySet().removeIf((entry) -> {
			Lag lag = entry.getValue();
			if (lag.stream.equals(stream) && !cursors.containsKey(lag.consumer)) {
				this.registry.remove(lag.gauge);
				return true;
			}
			return false;
		});
	}

	private AtomicLong rowsOf(String stream) {
		return this.rows.computeIfAbsent(stream, (key) -> {
			AtomicLong value = new AtomicLong();
			Gauge.builder(STREAM_ROWS, value, AtomicLong::get).description("Rows of a stream")
				.baseUnit("rows")
				.tag("stream", stream)
				.register(this.registry);
			return value;
		});
	}

	private AtomicLong lagOf(String stream, String consumer) {
		return this.lags.computeIfAbsent(stream + '\u0000' + consumer, (key) -> {
			AtomicLong value = new AtomicLong();
			Gauge gauge = Gauge.builder(CONSUMER_LAG, value, AtomicLong::get)
				.description("Events a consumer has not acknowledged yet")
				.tag("stream", stream)
				.tag("consumer", consumer)
				.register(this.registry);
			return new Lag(stream, consumer, value, gauge);
		}).value;
	}

	/** A consumer's lag gauge and the value it reports. */
	private record Lag(String stream, String consumer, AtomicLong value, Gauge gauge) {
	}

	@Override
	public void destroy() {
		this.refresher.shutdownNow();
	}

}
