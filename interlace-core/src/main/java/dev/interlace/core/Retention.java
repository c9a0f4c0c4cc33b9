package dev.interlace.core;

import org.jspecify.annotations.Nullable;

/**
 * How long a stream keeps its rows. Either limit may be absent; rows leave when they break any present limit.
 *
 * @param maxAgeDays rows older than this many days are deleted
 * @param maxRows only the newest this many rows are kept
 * @param keepUnacknowledged whether rows some consumer group still needs (pending in a group, or not yet delivered
 * to one) stay whatever the limits say, until every group is done with them
 * @since 0.1.0
 */
public record Retention(@Nullable Integer maxAgeDays, @Nullable Long maxRows, boolean keepUnacknowledged) {

	/**
	 * Creates a retention that trims whatever consumer groups still need, as Redis' XTRIM does.
	 * @param maxAgeDays rows older than this many days are deleted
	 * @param maxRows only the newest this many rows are kept
	 */
	public Retention(@Nullable Integer maxAgeDays, @Nullable Long maxRows) {
		this(maxAgeDays, maxRows, false);
	}

	public Retention {
		if (maxAgeDays != null && maxAgeDays <= 0) {
			throw new IllegalArgumentException("max-age-days must be positive, was " + maxAgeDays);
		}
		if (maxRows != null && maxRows <= 0) {
			throw new IllegalArgumentException("max-rows must be positive, was " + maxRows);
		}
	}

}
