package dev.interlace.autoconfigure;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.io.ClassPathResource;

import dev.interlace.core.ConsumedBatch;
import dev.interlace.core.StreamAuth;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.Streams;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for streams declared in YAML, as applications write them.
 */
class InterlacePropertiesYamlTests {

	@TempDir
	Path temp;

	@Test
	void yamlStreamsKeepTheirFieldOrderAndArePublishableAndConsumable() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(InterlaceAutoConfiguration.class))
			.withInitializer((context) -> {
				try {
					new YamlPropertySourceLoader().load("orders-streams", new ClassPathResource("orders-streams.yml"))
						.forEach(context.getEnvironment().getPropertySources()::addFirst);
				}
				catch (java.io.IOException ex) {
					throw new IllegalStateException(ex);
				}
			})
			.withPropertyValues("interlace.connections.default.path=" + this.temp.resolve("yaml.duckdb"))
			.run((context) -> {
				Streams streams = context.getBean(Streams.class);
				assertThat(streams.definitions()).extracting(StreamDefinition::name).containsExactly("orders", "payments");
				StreamDefinition orders = streams.definition("orders");
				assertThat(orders.fields()).containsOnlyKeys("order_id", "customerId", "amount", "placed_at");
				assertThat(orders.fields().keySet()).containsExactly("order_id", "customerId", "amount", "placed_at");
				assertThat(orders.tags()).containsExactly("sales", "eu");
				assertThat(orders.auth()).isEqualTo(new StreamAuth.ApiKey(StreamAuth.ApiKey.DEFAULT_HEADER, "k-123"));
				assertThat(orders.retention().maxAgeDays()).isEqualTo(30);
				assertThat(streams.definition("payments").schema()).isEqualTo("billing");

				streams.publish("orders", Map.of("order_id", "o-1", "customerId", "c-9", "amount", new BigDecimal("5"),
						"placed_at", Instant.parse("2026-01-02T03:04:05Z")))
					.block(Duration.ofSeconds(10));
				ConsumedBatch batch = streams.consume("orders", "audit");
				assertThat(batch.events()).singleElement()
					.satisfies((event) -> assertThat(event.data()).containsEntry("customerId", "c-9"));
			});
	}

}
