package dev.interlace.autoconfigure;

import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.interlace.core.group.GroupSettings;
import dev.interlace.core.group.GroupStart;
import dev.interlace.core.store.ConsumerGroupStore;
import dev.interlace.core.store.CursorStore;
import dev.interlace.core.store.StreamStore;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link InterlaceMetricsAutoConfiguration}.
 */
class InterlaceMetricsAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(InterlaceAutoConfiguration.class, InterlaceMetricsAutoConfiguration.class))
		.withPropertyValues("interlace.connections.default.path=:memory:",
				"interlace.streams.orders.description=Orders");

	@Test
	void withoutMeterRegistryNoMetersAreCreated() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(InterlaceMetrics.class)
			.doesNotHaveBean(StreamStatisticsMeters.class));
	}

	@Test
	void withoutMicrometerNoMetersAreCreated() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(MeterRegistry.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(InterlaceMetrics.class));
	}

	@Test
	void whenDisabledNoMetersAreCreated() {
		this.contextRunner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.withPropertyValues("interlace.metrics.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(InterlaceMetrics.class));
	}

	@Test
	void withMeterRegistryStoreCommitsAndStreamStatisticsAreRecorded() {
		this.contextRunner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.withPropertyValues("interlace.metrics.refresh-interval=1h")
			.run((context) -> {
				assertThat(context).hasSingleBean(InterlaceMetrics.class).hasSingleBean(StreamStatisticsMeters.class);
				StreamStore store = context.getBean(InterlaceStores.class).getDefault();
				store.appendAndWait("orders", List.of(Map.of("id", 1), Map.of("id", 2)));
				((CursorStore) store).commitCursor("orders", "billing", 1);
				context.getBean(StreamStatisticsMeters.class).refresh();
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				assertThat(registry.get(InterlaceMetrics.STORE_COMMIT_ROWS).tag("connection", "default")
					.summary()
					.totalAmount()).isEqualTo(2);
				assertThat(registry.get(StreamStatisticsMeters.STREAM_ROWS).tag("stream", "orders").gauge().value())
					.isEqualTo(2);
				assertThat(registry.get(StreamStatisticsMeters.CONSUMER_LAG)
					.tags("stream", "orders", "consumer", "billing")
					.gauge()
					.value()).isEqualTo(1);
			});
	}

	@Test
	void theLagGaugeOfADeletedConsumerIsRemoved() {
		this.contextRunner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.withPropertyValues("interlace.metrics.refresh-interval=1h")
			.run((context) -> {
				StreamStore store = context.getBean(InterlaceStores.class).getDefault();
				store.appendAndWait("orders", List.of(Map.of("id", 1), Map.of("id", 2)));
				((CursorStore) store).commitCursor("orders", "billing", 1);
				((CursorStore) store).commitCursor("orders", "shipping", 2);
				StreamStatisticsMeters meters = context.getBean(StreamStatisticsMeters.class);
				meters.refresh();
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				assertThat(registry.find(StreamStatisticsMeters.CONSUMER_LAG).gauges()).hasSize(2);
				context.getBean(dev.interlace.core.Streams.class).deleteConsumer("orders", "billing");
				meters.refresh();
				assertThat(registry.find(StreamStatisticsMeters.CONSUMER_LAG).gauges())
					.extracting((gauge) -> gauge.getId().getTag("consumer"))
					.containsExactly("shipping");
				// A consumer of that name coming back gets a gauge again.
				((CursorStore) store).commitCursor("orders", "billing", 2);
				meters.refresh();
				assertThat(registry.get(StreamStatisticsMeters.CONSUMER_LAG)
					.tags("stream", "orders", "consumer", "billing")
					.gauge()
					.value()).isZero();
			});
	}

	@Test
	void retentionDeletionsAreCounted() {
		this.contextRunner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.withPropertyValues("interlace.streams.orders.retention.max-rows=1", "interlace.retention.interval=1h")
			.run((context) -> {
				StreamStore store = context.getBean(InterlaceStores.class).getDefault();
				store.appendAndWait("orders", List.of(Map.of("id", 1), Map.of("id", 2), Map.of("id", 3)));
				context.getBean(dev.interlace.core.engine.RetentionTask.class).trim();
				assertThat(context.getBean(MeterRegistry.class)
					.get(InterlaceMetrics.RETENTION_DELETED)
					.tag("stream", "orders")
					.counter()
					.count()).isEqualTo(2);
			});
	}

	@Test
	void retentionHeldBackByConsumerGroupsIsCounted() {
		this.contextRunner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.withPropertyValues("interlace.streams.orders.retention.max-rows=1",
					"interlace.streams.orders.retention.keep-unacknowledged=true", "interlace.retention.interval=1h")
			.run((context) -> {
				StreamStore store = context.getBean(InterlaceStores.class).getDefault();
				((ConsumerGroupStore) store).createGroup("orders", "billing", GroupStart.beginning(), GroupSettings.REDIS);
				store.appendAndWait("orders", List.of(Map.of("id", 1), Map.of("id", 2), Map.of("id", 3)));
				context.getBean(dev.interlace.core.engine.RetentionTask.class).trim();
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				// The group has read nothing yet: every row stays, and the run says it was held back.
				assertThat(store.describe("orders").rowCount()).isEqualTo(3);
				assertThat(registry.get(InterlaceMetrics.RETENTION_HELD_BACK).functionCounter().count()).isEqualTo(1);
			});
	}

	@Test
	void nonPositiveRefreshIntervalFailsStartup() {
		this.contextRunner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.withPropertyValues("interlace.metrics.refresh-interval=0s")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("interlace.metrics.refresh-interval"));
	}

}
