package dev.interlace.core;

/**
 * How many requests per second a stream accepts on the endpoints under its path: in all, and from each client.
 *
 * @param requestsPerSecond the sustained rate of all clients together, {@value #NONE} for no such limit
 * @param perClientRequestsPerSecond the sustained rate of each client (remote address), {@value #NONE} for no such
 * limit
 * @since 0.1.0
 */
public record RateLimit(int requestsPerSecond, int perClientRequestsPerSecond) {

	/** Rate meaning no limit. */
	public static final int NONE = 0;

	public RateLimit {
		if (requestsPerSecond < 0 || (requestsPerSecond == NONE && perClientRequestsPerSecond == NONE)) {
			throw new IllegalArgumentException("requests-per-second must be positive, was " + requestsPerSecond);
		}
		if (perClientRequestsPerSecond < 0) {
			throw new IllegalArgumentException(
					"per-client-requests-per-second must be positive, was " + perClientRequestsPerSecond);
		}
	}

	/**
	 * Creates a limit of all clients together only.
	 * @param requestsPerSecond the sustained rate
	 */
	public RateLimit(int requestsPerSecond) {
		this(requestsPerSecond, NONE);
	}

	/**
	 * Returns whether all clients together are limited.
	 * @return whether {@link #requestsPerSecond()} is set
	 */
	public boolean limitsAllClients() {
		return this.requestsPerSecond != NONE;
	}

	/**
	 * Returns whether each client is limited.
	 * @return whether {@link #perClientRequestsPerSecond()} is set
	 */
	public boolean limitsEachClient() {
		return this.perClientRequestsPerSecond != NONE;
	}

}
