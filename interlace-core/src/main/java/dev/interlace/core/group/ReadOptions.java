package dev.interlace.core.group;

import java.time.Duration;

import dev.interlace.core.InvalidRequestException;

/**
 * The options of a {@code >} read of a consumer group ({@code XREADGROUP GROUP g c COUNT n [BLOCK ms] [NOACK]}).
 *
 * @param count the most entries returned, 1 to {@value ConsumerGroups#MAX_COUNT}
 * @param block how long to wait for new entries when none is waiting; {@link Duration#ZERO} returns at once. Unlike
 * Redis' {@code BLOCK 0} there is no waiting forever: a caller that wants to wait on reads again
 * @param noAck whether to track nothing ({@code NOACK}): the entries never become pending
 * @since 0.3.0
 */
public record ReadOptions(int count, Duration block, boolean noAck) {

	public ReadOptions {
		if (count < 1 || count > ConsumerGroups.MAX_COUNT) {
			throw new InvalidRequestException(
					"count must be between 1 and " + ConsumerGroups.MAX_COUNT + ", was " + count);
		}
		if (block.isNegative()) {
			throw new InvalidRequestException("block must be zero (return at once) or more, was " + block);
		}
	}

	/**
	 * Reads up to {@code count} entries, returning at once.
	 * @param count the most entries returned
	 * @return the options
	 */
	public static ReadOptions count(int count) {
		return new ReadOptions(count, Duration.ZERO, false);
	}

	/**
	 * Returns these options, waiting up to {@code block} for new entries.
	 * @param block the longest wait
	 * @return the options
	 */
	public ReadOptions block(Duration block) {
		return new ReadOptions(this.count, block, this.noAck);
	}

	/**
	 * Returns these options, tracking nothing.
	 * @return the options
	 */
	public ReadOptions withoutAck() {
		return new ReadOptions(this.count, this.block, true);
	}

}
