package dev.interlace.autoconfigure;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Schedulers;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.interlace.core.Streams;
import dev.interlace.core.engine.DefaultConsumerGroups;
import dev.interlace.core.engine.DefaultStreams;
import dev.interlace.core.group.BlockingConsumerGroups;
import dev.interlace.core.group.ConsumerGroups;
import dev.interlace.core.EntryId;
import dev.interlace.core.group.GroupEntry;
import dev.interlace.core.group.GroupInfo;
import dev.interlace.core.group.GroupSettings;
import dev.interlace.core.group.GroupStart;
import dev.interlace.core.group.ReadOptions;

import static dev.interlace.autoconfigure.StartupFailures.assertInvalidProperty;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@link ConsumerGroups} bean, the groups of {@code interlace.streams.<name>.groups.*} and their gauges, on real
 * DuckDB files.
 */
class InterlaceConsumerGroupsAutoConfigurationTests {

	@TempDir
	Path temp;

	private ApplicationContextRunner runner;

	@BeforeEach
	void setUp() {
		this.runner = new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(InterlaceAutoConfiguration.class, InterlaceMetricsAutoConfiguration.class))
			.withPropertyValues("interlace.connections.default.path=" + this.temp.resolve("interlace.duckdb"),
					"interlace.streams.orders.description=Orders");
	}

	@Test
	void theConsumerGroupsBeanReadsTheStreams() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(ConsumerGroups.class);
			BlockingConsumerGroups groups = context.getBean(ConsumerGroups.class).blocking();
			groups.createGroup("orders", "billing", GroupStart.beginning(), GroupSettings.REDIS);
			context.getBean(Streams.class).publishBlocking("orders", Map.of("id", 1));
			assertThat(groups.read("orders", "billing", "alice", ReadOptions.count(10)))
				.extracting(GroupEntry::rowid)
				.containsExactly(1L);
		});
	}

	@Test
	void groupsDeclaredInPropertiesAreCreatedAtStartUpWithTheirSettings() {
		this.runner
			.withPropertyValues("interlace.streams.orders.groups.billing.start=0",
					"interlace.streams.orders.groups.billing.max-deliveries=5",
					"interlace.streams.orders.groups.billing.claim-idle=30s",
					"interlace.streams.orders.groups.shipping.start=$")
			.run((context) -> {
				List<GroupInfo> groups = context.getBean(ConsumerGroups.class).blocking().info("orders");
				assertThat(groups).extracting(GroupInfo::name).containsExactly("billing", "shipping");
				assertThat(groups.get(0).settings()).isEqualTo(new GroupSettings(5, Duration.ofSeconds(30)));
				assertThat(groups.get(1).settings()).isEqualTo(GroupSettings.REDIS);
			});
	}

	@Test
	void aDeclaredGroupThatExistsIsLeftAsItIsAtTheNextStart() {
		this.runner.withPropertyValues("interlace.streams.orders.groups.billing.start=0").run((context) -> {
			context.getBean(Streams.class).publishBlocking("orders", Map.of("id", 1));
			context.getBean(ConsumerGroups.class).blocking().read("orders", "billing", "alice", ReadOptions.count(10));
		});
		this.runner.withPropertyValues("interlace.streams.orders.groups.billing.start=0").run((context) -> {
			GroupInfo billing = context.getBean(ConsumerGroups.class).blocking().info("orders", "billing");
			assertThat(billing.pending()).isEqualTo(1);
			assertThat(billing.lastDeliveredRowid()).isEqualTo(1);
		});
	}

	@Test
	void aGroupStartThatIsNoIdFailsNamingTheProperty() {
		this.runner.withPropertyValues("interlace.streams.orders.groups.billing.start=yesterday")
			.run((context) -> assertInvalidProperty(context, "interlace.streams.orders.groups.billing.start",
					"yesterday")
				.hasMessageContaining("'$'"));
	}

	@Test
	void aNegativeMaxDeliveriesFailsNamingTheProperty() {
		this.runner.withPropertyValues("interlace.streams.orders.groups.billing.max-deliveries=-1")
			.run((context) -> assertInvalidProperty(context,
					"interlace.streams.orders.groups.billing.max-deliveries", "-1"));
	}

	@Test
	void aGroupStartMayBeAnEntryId() {
		assertThat(PropertiesConsumerGroups.start("p", "1526985054069-3"))
			.isEqualTo(GroupStart.after(new EntryId(1526985054069L, 3)));
		assertThat(PropertiesConsumerGroups.start("p", "0")).isEqualTo(GroupStart.beginning());
		assertThat(PropertiesConsumerGroups.start("p", "$")).isEqualTo(GroupStart.end());
	}

	@Test
	void anApplicationStreamsBeanGetsNoConsumerGroups() {
		Streams own = new DefaultStreams(List.of(), Map.of(), 16, Schedulers.immediate());
		this.runner.withBean(Streams.class, () -> own)
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(ConsumerGroups.class));
	}

	@Test
	void groupGaugesFollowTheGroupsAndLeaveWithThem() {
		this.runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.withPropertyValues("interlace.metrics.refresh-interval=1h",
					"interlace.streams.orders.groups.billing.start=0",
					"interlace.streams.orders.groups.billing.max-deliveries=1")
			.run((context) -> {
				BlockingConsumerGroups groups = context.getBean(ConsumerGroups.class).blocking();
				context.getBean(Streams.class).publishBlocking("orders", List.of(Map.of("id", 1), Map.of("id", 2),
						Map.of("id", 3)));
				groups.read("orders", "billing", "alice", ReadOptions.count(1));
				// The second entry goes dead at its first nack (max-deliveries 1).
				GroupEntry second = groups.read("orders", "billing", "alice", ReadOptions.count(1)).get(0);
				groups.nack("orders", "billing", "alice", List.of(second.id()), Duration.ZERO);
				ConsumerGroupMeters meters = context.getBean(ConsumerGroupMeters.class);
				meters.refresh();
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				assertThat(registry.get(ConsumerGroupMeters.GROUP_PENDING)
					.tags("stream", "orders", "group", "billing")
					.gauge()
					.value()).isEqualTo(1);
				assertThat(registry.get(ConsumerGroupMeters.GROUP_LAG)
					.tags("stream", "orders", "group", "billing")
					.gauge()
					.value()).isEqualTo(1);
				assertThat(registry.get(ConsumerGroupMeters.GROUP_DEAD_LETTERS)
					.tags("stream", "orders", "group", "billing")
					.gauge()
					.value()).isEqualTo(1);
				groups.destroyGroup("orders", "billing");
				meters.refresh();
				assertThat(registry.find(ConsumerGroupMeters.GROUP_PENDING).gauges()).isEmpty();
				assertThat(registry.find(ConsumerGroupMeters.GROUP_LAG).gauges()).isEmpty();
				assertThat(registry.find(ConsumerGroupMeters.GROUP_DEAD_LETTERS).gauges()).isEmpty();
			});
	}

	@Test
	void theConsumerGroupsBeanIsTheEngines() {
		this.runner.run((context) -> assertThat(context.getBean(ConsumerGroups.class))
			.isInstanceOf(DefaultConsumerGroups.class));
	}

}
