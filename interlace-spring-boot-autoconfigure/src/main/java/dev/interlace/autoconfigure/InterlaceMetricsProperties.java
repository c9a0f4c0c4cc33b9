package dev.interlace.autoconfigure;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of Interlace's meters.
 *
 * @param enabled whether Interlace records meters when the application has a Micrometer registry
 * @param refreshInterval time between two reads of the row counts and consumer cursors behind the
 * {@code interlace.stream.rows} and {@code interlace.consumer.lag} gauges
 * @since 0.1.0
 */
@ConfigurationProperties("interlace.metrics")
public record InterlaceMetricsProperties(@DefaultValue("true") boolean enabled,
		@DefaultValue("15s") Duration refreshInterval) {

}
