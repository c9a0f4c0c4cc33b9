package dev.interlace.autoconfigure;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.util.Assert;

import dev.interlace.core.engine.DefaultConsumerGroups;
import dev.interlace.core.group.GroupInfo;
import dev.interlace.core.store.ConsumerGroupStore;

/**
 * Gauges of every consumer group, tagged {@code stream} and {@code group}: {@value #GROUP_LAG} and
 * {@value #GROUP_PENDING} and {@value #GROUP_DEAD_LETTERS}. Like {@link StreamStatisticsMeters}, one thread of its own reads them from the stores at a
 * fixed interval and the gauges return the last values read, so a scrape never runs a query; a group destroyed since
 * the last read (by any instance) takes its gauges with it.
 *
 * @since 0.3.0
 */
public final class ConsumerGroupMeters implements InitializingBean, DisposableBean {

	/** Entries of the stream not yet delivered to the group; NaN while the store cannot tell. */
	public static final String GROUP_LAG = "interlace.group.lag";

	/** Entries delivered to the group and not acknowledged yet. */
	public static final String GROUP_PENDING = "interlace.group.pending";

	/** Dead letters of the group in the stream's dead-letter stream. */
	public static final String GROUP_DEAD_LETTERS = "interlace.group.dead_letters";

	private static final Logger logger = LoggerFactory.getLogger(ConsumerGroupMeters.class);

	private final DefaultConsumerGroups groups;

	private final MeterRegistry registry;

	private final Duration interval;

	private final ConcurrentMap<String, Meters> meters = new ConcurrentHashMap<>();

	private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor((runnable) -> {
		Thread thread = new Thread(runnable, "interlace-group-statistics");
		thread.setDaemon(true);
		return thread;
	});

	/**
	 * Creates the meters; they refresh once started.
	 * @param groups the groups to measure
	 * @param registry the registry
	 * @param interval time between two reads of the database
	 */
	public ConsumerGroupMeters(DefaultConsumerGroups groups, MeterRegistry registry, Duration interval) {
		Assert.notNull(groups, "'groups' must not be null");
		Assert.notNull(registry, "'registry' must not be null");
		Assert.isTrue(!interval.isNegative() && !interval.isZero(), "'interval' must be positive");
		this.groups = groups;
		this.registry = registry;
		this.interval = interval;
	}

	@Override
	public void afterPropertiesSet() {
		this.refresher.scheduleWithFixedDelay(this::refresh, 0, this.interval.toMillis(), TimeUnit.MILLISECONDS);
	}

	/**
	 * Reads every stream's groups once. A stream whose store fails keeps its previous values.
	 */
	public void refresh() {
		for (String stream : this.groups.streamsWithGroups()) {
			try {
				ConsumerGroupStore store = this.groups.store(stream);
				refresh(stream, store, store.groups(stream));
			}
			catch (RuntimeException ex) {
				if (logger.isDebugEnabled()) {
					logger.debug("Reading the consumer groups of stream '" + stream + "' failed", ex);
				}
			}
		}
	}

	private void refresh(String stream, ConsumerGroupStore store, List<GroupInfo> infos) {
		Set<String> present = new HashSet<>();
		for (GroupInfo info : infos) {
			present.add(info.name());
			Meters meters = metersOf(stream, info.name());
			meters.lag.set((info.lag() != null) ? info.lag().doubleValue() : Double.NaN);
			meters.pending.set((double) info.pending());
			meters.deadLetters.set((double) store.deadLetterCount(stream, info.name()));
		}
		this.meters.entrySet().removeIf((entry) -> {
			Meters meters = entry.getValue();
			if (meters.stream.equals(stream) && !present.contains(meters.group)) {
				meters.gauges.forEach(this.registry::remove);
				return true;
			}
			return false;
		});
	}

	private Meters metersOf(String stream, String group) {
		return this.meters.computeIfAbsent(stream + '\u0000' + group, (key) -> {
			AtomicReference<Double> lag = new AtomicReference<>(Double.NaN);
			AtomicReference<Double> pending = new AtomicReference<>(0.0);
			AtomicReference<Double> deadLetters = new AtomicReference<>(0.0);
			List<Gauge> gauges = List.of(
					Gauge.builder(GROUP_LAG, lag, AtomicReference::get)
						.description("Entries of the stream not yet delivered to the consumer group")
						.tag("stream", stream)
						.tag("group", group)
						.register(this.registry),
					Gauge.builder(GROUP_PENDING, pending, AtomicReference::get)
						.description("Entries delivered to the consumer group and not acknowledged yet")
						.tag("stream", stream)
						.tag("group", group)
						.register(this.registry),
					Gauge.builder(GROUP_DEAD_LETTERS, deadLetters, AtomicReference::get)
						.description("Dead letters of the consumer group: entries that reached its max-deliveries")
						.tag("stream", stream)
						.tag("group", group)
						.register(this.registry));
			return new Meters(stream, group, lag, pending, deadLetters, gauges);
		});
	}

	@Override
	public void destroy() {
		this.refresher.shutdownNow();
	}

	/** A group's gauges and the values they report. */
	private record Meters(String stream, String group, AtomicReference<Double> lag, AtomicReference<Double> pending,
			AtomicReference<Double> deadLetters, List<Gauge> gauges) {
	}

}
