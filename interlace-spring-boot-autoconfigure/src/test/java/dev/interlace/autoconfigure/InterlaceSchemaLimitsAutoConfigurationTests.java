package dev.interlace.autoconfigure;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.interlace.core.InvalidEventException;
import dev.interlace.core.SchemaLimits;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.engine.DefaultStreams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for the schema evolution settings of {@link InterlaceAutoConfiguration}: {@code interlace.limits.*} and
 * {@code interlace.streams.<name>.schema-evolution}, on real DuckDB files.
 */
class InterlaceSchemaLimitsAutoConfigurationTests {

	@TempDir
	Path temp;

	private ApplicationContextRunner runner;

	@BeforeEach
	void setUp() {
		this.runner = new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(InterlaceAutoConfiguration.class))
			.withPropertyValues("interlace.connections.default.path=" + this.temp.resolve("interlace.duckdb"),
					"interlace.retention.enabled=false", "interlace.streams.clicks.description=Open");
	}

	@Test
	void streamsGetTheDefaultLimitsWhenNoneAreConfigured() {
		this.runner.run((context) -> assertThat(context.getBean(DefaultStreams.class).definition("clicks").schemaLimits())
			.isEqualTo(SchemaLimits.DEFAULTS));
	}

	@Test
	void configuredLimitsApplyToEveryStreamsPublishes() {
		this.runner
			.withPropertyValues("interlace.limits.max-new-columns-per-publish=2",
					"interlace.limits.max-columns-per-stream=3", "interlace.limits.max-keys-per-event=4")
			.run((context) -> {
				DefaultStreams streams = context.getBean(DefaultStreams.class);
				assertThat(streams.definition("clicks").schemaLimits()).isEqualTo(new SchemaLimits(2, 3, 4));
				assertThatExceptionOfType(InvalidEventException.class)
					.isThrownBy(() -> streams.publishBlocking("clicks", List.of(Map.of("a", 1, "b", 2, "c", 3))))
					.withMessageContaining("more than the limit max-new-columns-per-publish of 2");
				Map<String, Object> wide = new LinkedHashMap<>();
				for (int i = 0; i < 5; i++) {
					wide.put("k" + i, null);
				}
				assertThatExceptionOfType(InvalidEventException.class)
					.isThrownBy(() -> streams.publishBlocking("clicks", List.of(wide)))
					.withMessageContaining("more than the limit max-keys-per-event of 4");
				streams.publishBlocking("clicks", List.of(Map.of("a", 1, "b", 2)));
				streams.publishBlocking("clicks", List.of(Map.of("c", 3)));
				assertThatExceptionOfType(InvalidEventException.class)
					.isThrownBy(() -> streams.publishBlocking("clicks", List.of(Map.of("d", 4))))
					.withMessageContaining("more than the limit max-columns-per-stream of 3");
			});
	}

	@Test
	void columnsPerStreamBeyondWhatPostgresqlHoldsFailsNamingTheProperty() {
		this.runner.withPropertyValues("interlace.limits.max-columns-per-stream=1600")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOfSatisfying(InvalidConfigurationPropertyValueException.class,
						(ex) -> assertThat(ex.getName()).isEqualTo("interlace.limits.max-columns-per-stream"))
				.hasMessageContaining("must be between 1 and 1597"));
	}

	@Test
	void nonPositiveLimitFailsNamingTheProperty() {
		this.runner.withPropertyValues("interlace.limits.max-keys-per-event=0")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOfSatisfying(InvalidConfigurationPropertyValueException.class,
						(ex) -> assertThat(ex.getName()).isEqualTo("interlace.limits.max-keys-per-event")));
	}

	@Test
	void schemaEvolutionPropertyTurnsEvolutionOffForThatStreamOnly() {
		this.runner
			.withPropertyValues("interlace.streams.frozen.fields.page=string",
					"interlace.streams.frozen.schema-evolution=false")
			.run((context) -> {
				DefaultStreams streams = context.getBean(DefaultStreams.class);
				StreamDefinition frozen = streams.definition("frozen");
				assertThat(frozen.schemaEvolution()).isFalse();
				assertThat(frozen.validateSchema()).isFalse();
				assertThat(streams.definition("clicks").schemaEvolution()).isTrue();
				streams.publishBlocking("frozen", List.of(Map.of("page", "/"), Map.of()));
				assertThatExceptionOfType(InvalidEventException.class)
					.isThrownBy(() -> streams.publishBlocking("frozen", List.of(Map.of("page", "/", "extra", 1))))
					.satisfies((ex) -> assertThat(ex.getField()).isEqualTo("extra"));
				assertThat(streams.count("frozen")).isEqualTo(2);
			});
	}

}
