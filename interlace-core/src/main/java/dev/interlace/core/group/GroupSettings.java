package dev.interlace.core.group;

import java.time.Duration;

import dev.interlace.core.InvalidRequestException;

/**
 * What a consumer group does beyond Redis, configurable per group.
 *
 * @param maxDeliveries deliveries after which an entry still not acknowledged moves to the stream's dead-letter
 * stream and leaves the pending entries list; 0 never moves it (Redis' behaviour)
 * @param claimIdle a {@code >} read first hands the reader pending entries idle at least this long (as Redis 8.4's
 * {@code CLAIM} option), so a crashed consumer's entries reach the others with no autoclaim loop; zero turns it off
 * @since 0.3.0
 */
public record GroupSettings(int maxDeliveries, Duration claimIdle) {

	/** Redis' behaviour: no dead letters, no claiming during reads. */
	public static final GroupSettings REDIS = new GroupSettings(0, Duration.ZERO);

	public GroupSettings {
		if (maxDeliveries < 0) {
			throw new InvalidRequestException("max-deliveries must be 0 (never) or more, not " + maxDeliveries);
		}
		if (claimIdle.isNegative()) {
			throw new InvalidRequestException("claim-idle must be zero (off) or more, not " + claimIdle);
		}
	}

}
