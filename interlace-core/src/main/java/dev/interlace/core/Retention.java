package dev.interlace.core;

import org.jspecify.annotations.Nullable;

/**
 * How long a stream keeps its rows. Either limit may be absent; rows leave when they break any present limit.
 *
 * @param maxAgeDays rows older than this many days are deleted
 * @param maxRows only the newest this many rows are kept
 * @since 0.1.0
 */
public record Retention(@Nullable Integer maxAgeDays, @Nullable Long maxRows) {

	public Retention {
		if (maxAgeDays != null && maxAgeDays <= 0) {
			throw new IllegalArgumentException("max-age-days must be positive, was " + maxAgeDays);
		}
		if (maxRows != null && maxRows <= 0) {
			throw new IllegalArgumentException("max-rows must be positive, was " + maxRows);
		}
	}

}
