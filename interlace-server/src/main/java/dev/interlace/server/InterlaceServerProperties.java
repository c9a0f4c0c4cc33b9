package dev.interlace.server;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings of the Interlace server's HTTP API.
 *
 * @param maxBodySize Largest request body accepted; larger ones are answered with 413.
 * @param maxNestingDepth Deepest nesting of JSON objects and arrays accepted in a request body.
 * @param sseHeartbeat Interval of the comments that keep idle server-sent-event connections open.
 * @since 0.1.0
 */
@ConfigurationProperties("interlace.server")
public record InterlaceServerProperties(@DefaultValue("10MB") DataSize maxBodySize,
		@DefaultValue("64") int maxNestingDepth, @DefaultValue("15s") Duration sseHeartbeat) {

	public InterlaceServerProperties {
		if (maxBodySize.toBytes() < 1) {
			throw new IllegalArgumentException("interlace.server.max-body-size must be positive, was " + maxBodySize);
		}
		if (maxNestingDepth < 1) {
			throw new IllegalArgumentException(
					"interlace.server.max-nesting-depth must be positive, was " + maxNestingDepth);
		}
	}

}
