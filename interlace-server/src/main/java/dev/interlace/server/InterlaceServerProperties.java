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
 * @param readTimeout Longest pause allowed while a request's body is arriving (longer: 408, connection closed), and
 * longest wait for a request's complete headers (longer: connection closed). Also the keep-alive idle timeout unless
 * {@code server.netty.idle-timeout} is set.
 * @since 0.1.0
 */
@ConfigurationProperties("interlace.server")
public record InterlaceServerProperties(@DefaultValue("10MB") DataSize maxBodySize,
		@DefaultValue("64") int maxNestingDepth, @DefaultValue("15s") Duration sseHeartbeat,
		@DefaultValue("30s") Duration readTimeout) {

	public InterlaceServerProperties {
		if (maxBodySize.toBytes() < 1) {
			throw new IllegalArgumentException("interlace.server.max-body-size must be positive, was " + maxBodySize);
		}
		if (maxNestingDepth < 1) {
			throw new IllegalArgumentException(
					"interlace.server.max-nesting-depth must be positive, was " + maxNestingDepth);
		}
		// Netty schedules in milliseconds: anything shorter would mean no timeout at all.
		if (readTimeout.toMillis() < 1) {
			throw new IllegalArgumentException("interlace.server.read-timeout must be at least 1ms, was " + readTimeout);
		}
	}

}
