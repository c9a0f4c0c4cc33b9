package dev.interlace.autoconfigure;

import java.io.InputStream;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks the configuration metadata the annotation processor generates from {@link InterlaceProperties}.
 */
class ConfigurationMetadataTests {

	@Test
	void everyPropertyIsDescribed() throws Exception {
		JsonNode metadata;
		try (InputStream in = InterlaceProperties.class.getClassLoader()
			.getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
			assertThat(in).as("generated metadata").isNotNull();
			metadata = JsonMapper.builder().build().readTree(in);
		}
		assertThat(metadata.get("properties").valueStream().map((property) -> property.get("name").asString()))
			.contains("interlace.streams", "interlace.connections", "interlace.subscriber-buffer-size",
					"interlace.retention.enabled", "interlace.retention.interval", "interlace.retention.batch-size",
					"interlace.resilience.circuit-breaker.open-duration", "interlace.resilience.retry.max-attempts",
					"interlace.resilience.retry.backoff");
		assertThat(metadata.get("properties").valueStream())
			.allSatisfy((property) -> assertThat(property.path("description").asString("")).isNotBlank());
	}

}
