package dev.interlace.core.engine;

import java.sql.SQLException;
import java.time.Duration;
import java.util.function.Supplier;

import dev.interlace.core.StoreException;

/**
 * Bounded retries of reads that hit a transient connection failure: the database dropped the connection or could not
 * be reached (SQLState class 08, or 57P01 to 57P03), but not while a store's circuit breaker refuses calls, and never
 * for anything the database answered. Only reads are retried: a publish that failed may have committed.
 *
 * @param maxAttempts attempts in all, the first included; 1 retries nothing
 * @param backoff wait before the first retry, doubled before each further one
 * @since 0.1.0
 */
public record ReadRetry(int maxAttempts, Duration backoff) {

	/** Attempts when none are configured. */
	public static final int DEFAULT_MAX_ATTEMPTS = 3;

	/** First backoff when none is configured. */
	public static final String DEFAULT_BACKOFF = "100ms";

	/** Three attempts, 100 ms then 200 ms apart. */
	public static final ReadRetry DEFAULTS = new ReadRetry(DEFAULT_MAX_ATTEMPTS, Duration.ofMillis(100));

	/** No retries. */
	public static final ReadRetry NONE = new ReadRetry(1, Duration.ZERO);

	public ReadRetry {
		if (maxAttempts < 1) {
			throw new IllegalArgumentException("max-attempts must be at least 1, was " + maxAttempts);
		}
		if (backoff.isNegative()) {
			throw new IllegalArgumentException("backoff must not be negative, was " + backoff);
		}
	}

	/**
	 * Runs a read, retrying it on transient connection failures.
	 * @param <T> the result type
	 * @param read the read
	 * @return its result
	 */
	public <T> T run(Supplier<T> read) {
		long wait = this.backoff.toMillis();
		for (int attempt = 1;; attempt++) {
			try {
				return read.get();
			}
			catch (StoreException ex) {
				if (attempt >= this.maxAttempts || !isTransient(ex)) {
					throw ex;
				}
			}
			try {
				Thread.sleep(wait);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new StoreException("Interrupted while retrying a read", ex);
			}
			wait *= 2;
		}
	}

	/**
	 * Says whether a failure is a connection failure worth another attempt.
	 * @param ex the failure
	 * @return whether to retry
	 */
	static boolean isTransient(Throwable ex) {
		boolean connectionFailure = false;
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			// An open breaker fails calls at once until its wait is over: retrying within it only adds latency.
			if (cause.getClass().getName().endsWith(".CallNotPermittedException")) {
				return false;
			}
			if (cause instanceof SQLException sql && sql.getSQLState() != null) {
				String state = sql.getSQLState();
				connectionFailure |= state.startsWith("08") || state.equals("57P01") || state.equals("57P02")
						|| state.equals("57P03");
			}
			if (cause.getCause() == cause) {
				break;
			}
		}
		return connectionFailure;
	}

}
