package dev.interlace.core;

import java.time.Duration;
import java.util.function.Predicate;

/**
 * How a batched subscription groups events.
 *
 * @param batchSize largest batch emitted
 * @param timeout longest a partial batch waits before it is emitted
 * @param filter events that fail it are skipped
 * @since 0.1.0
 */
public record SubscribeOptions(int batchSize, Duration timeout, Predicate<StoredEvent> filter) {

	public SubscribeOptions {
		if (batchSize < 1) {
			throw new InvalidRequestException("batchSize must be at least 1, was " + batchSize);
		}
		if (timeout.isNegative() || timeout.isZero()) {
			throw new InvalidRequestException("timeout must be positive, was " + timeout);
		}
	}

	/**
	 * Returns options that emit batches of up to {@code batchSize} events, or fewer after {@code timeout}.
	 * @param batchSize the batch size
	 * @param timeout the timeout
	 * @return the options, with no filter
	 */
	public static SubscribeOptions batches(int batchSize, Duration timeout) {
		return new SubscribeOptions(batchSize, timeout, (event) -> true);
	}

	/**
	 * Returns these options with a filter.
	 * @param filter the filter
	 * @return new options
	 */
	public SubscribeOptions withFilter(Predicate<StoredEvent> filter) {
		return new SubscribeOptions(this.batchSize, this.timeout, filter);
	}

}
