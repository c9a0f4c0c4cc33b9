package dev.interlace.server;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

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
 * @param adminToken Bearer token of the admin role, needed to list and describe streams and for every path outside a
 * stream's except the health probes; health details are shown only with it. Not set (or blank): all of these are
 * open to anyone. Set it from an environment variable or a placeholder rather than in a file.
 * @param authFailureLimit Limit of failed credential checks per client address.
 * @param maxTrackedClients Most client addresses whose failed credential checks, and most clients of each stream
 * whose per-client rate limits, are remembered at once; the least recently used are forgotten beyond.
 * @since 0.1.0
 */
@ConfigurationProperties("interlace.server")
public record InterlaceServerProperties(@DefaultValue("10MB") DataSize maxBodySize,
		@DefaultValue("64") int maxNestingDepth, @DefaultValue("15s") Duration sseHeartbeat,
		@DefaultValue("30s") Duration readTimeout, @Nullable String adminToken,
		@DefaultValue AuthFailureLimit authFailureLimit,
		@DefaultValue("" + InterlaceServerProperties.DEFAULT_MAX_TRACKED_CLIENTS) int maxTrackedClients) {

	/** Default failed credential checks allowed per client address and window. */
	public static final int DEFAULT_MAX_AUTH_FAILURES = 10;

	/** Default window over which failed credential checks are counted. */
	public static final String DEFAULT_AUTH_FAILURE_WINDOW = "1m";

	/** Default client addresses whose failures and per-client rate limits are remembered at once. */
	public static final int DEFAULT_MAX_TRACKED_CLIENTS = 10_000;

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
		if (maxTrackedClients < 1) {
			throw new IllegalArgumentException(
					"interlace.server.max-tracked-clients must be positive, was " + maxTrackedClients);
		}
		adminToken = (adminToken != null && !adminToken.isBlank()) ? adminToken.trim() : null;
	}

	/**
	 * Limit of failed credential checks (credentials sent that do not match; missing ones do not count) per client
	 * address. Over it, every request of the address that needs credentials is answered 429 until its window ends.
	 *
	 * @param maxFailures Failed checks allowed per address within a window.
	 * @param window Window over which failed checks are counted, starting with an address's first failure.
	 */
	public record AuthFailureLimit(@DefaultValue("" + DEFAULT_MAX_AUTH_FAILURES) int maxFailures,
			@DefaultValue(DEFAULT_AUTH_FAILURE_WINDOW) Duration window) {

		public AuthFailureLimit {
			if (maxFailures < 1) {
				throw new IllegalArgumentException(
						"interlace.server.auth-failure-limit.max-failures must be positive, was " + maxFailures);
			}
			if (window.toMillis() < 1) {
				throw new IllegalArgumentException(
						"interlace.server.auth-failure-limit.window must be at least 1ms, was " + window);
			}
		}

	}

}
