package dev.interlace.core;

/**
 * How many requests per second a stream accepts on its data endpoints.
 *
 * @param requestsPerSecond the sustained rate
 * @since 0.1.0
 */
public record RateLimit(int requestsPerSecond) {

	public RateLimit {
		if (requestsPerSecond <= 0) {
			throw new IllegalArgumentException("requests-per-second must be positive, was " + requestsPerSecond);
		}
	}

}
