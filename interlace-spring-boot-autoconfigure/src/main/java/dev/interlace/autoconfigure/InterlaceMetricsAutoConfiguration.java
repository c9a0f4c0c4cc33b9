package dev.interlace.autoconfigure;

import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.annotation.Bean;

import dev.interlace.core.Streams;
import dev.interlace.core.engine.DefaultConsumerGroups;
import dev.interlace.core.engine.RetentionTask;
import dev.interlace.core.store.StreamStore;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} of Interlace's Micrometer
 * meters, when the application has a {@link MeterRegistry} (as the actuator provides): {@link InterlaceMetrics}, the
 * group commits of Interlace's stores, the {@link StreamStatisticsMeters} gauges, and the
 * {@link ConsumerGroupMeters} gauges when the stores keep consumer groups.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = InterlaceAutoConfiguration.class,
		afterName = { "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration" })
@ConditionalOnClass({ MeterRegistry.class, Streams.class })
@ConditionalOnBean(MeterRegistry.class)
@ConditionalOnBooleanProperty(name = "interlace.metrics.enabled", matchIfMissing = true)
@EnableConfigurationProperties(InterlaceMetricsProperties.class)
public final class InterlaceMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	InterlaceMetrics interlaceMetrics(MeterRegistry registry, ObjectProvider<InterlaceStores> stores,
			ObjectProvider<RetentionTask> retention) {
		InterlaceMetrics metrics = new InterlaceMetrics(registry);
		retention.ifAvailable((task) -> {
			task.setDeletionListener(metrics::retentionDeleted);
			metrics.retentionHeldBack(task::getHeldBackCount);
		});
		InterlaceStores held = stores.getIfAvailable();
		if (held != null) {
			for (Map.Entry<String, StreamStore> store : held.asMap().entrySet()) {
				store.getValue().setStoreObserver(metrics.storeObserver(store.getKey()));
			}
		}
		return metrics;
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean({ Streams.class, InterlaceStores.class })
	StreamStatisticsMeters interlaceStreamStatisticsMeters(Streams streams, InterlaceStores stores,
			MeterRegistry registry, InterlaceMetricsProperties properties) {
		if ((properties.refreshInterval().isNegative() || properties.refreshInterval().isZero())) {
			throw new InvalidConfigurationPropertyValueException("interlace.metrics.refresh-interval",
					properties.refreshInterval(), "must be positive");
		}
		return new StreamStatisticsMeters(streams, stores, registry, properties.refreshInterval());
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(DefaultConsumerGroups.class)
	ConsumerGroupMeters interlaceConsumerGroupMeters(DefaultConsumerGroups groups, MeterRegistry registry,
			InterlaceMetricsProperties properties) {
		if ((properties.refreshInterval().isNegative() || properties.refreshInterval().isZero())) {
			throw new InvalidConfigurationPropertyValueException("interlace.metrics.refresh-interval",
					properties.refreshInterval(), "must be positive");
		}
		return new ConsumerGroupMeters(groups, registry, properties.refreshInterval());
	}

}
