package dev.interlace.core.group;

import dev.interlace.core.EntryId;

import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * A group's pending entries list in short, as Redis' summary form of {@code XPENDING} shows it.
 *
 * @param count pending entries
 * @param smallest the smallest pending ID, {@code null} when none is pending
 * @param largest the largest pending ID, {@code null} when none is pending
 * @param consumers pending entries per consumer that has any, in consumer name order
 * @since 0.3.0
 */
public record PendingSummary(long count, @Nullable EntryId smallest, @Nullable EntryId largest,
		Map<String, Long> consumers) {

	public PendingSummary {
		consumers = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(consumers));
	}

}
