package dev.interlace.core.group;

import org.jspecify.annotations.Nullable;

import dev.interlace.core.EntryId;
import dev.interlace.core.InvalidRequestException;

/**
 * Which pending entries the extended form of {@code XPENDING} lists: IDs from {@code start} to {@code end}, both
 * inclusive (an exclusive bound {@code (id} is given as {@link EntryId#next()} or {@link EntryId#previous()}), idle
 * at least {@code minIdleMillis}, of one consumer or all, at most {@code count}, in ID order.
 *
 * @param start the smallest ID listed
 * @param end the largest ID listed
 * @param count the most entries listed
 * @param consumer the consumer, or {@code null} for all
 * @param minIdleMillis the least idle time listed, 0 for all
 * @since 0.3.0
 */
public record PendingQuery(EntryId start, EntryId end, int count, @Nullable String consumer, long minIdleMillis) {

	public PendingQuery {
		if (count < 0) {
			throw new InvalidRequestException("The count of a pending query must be 0 or more, not " + count);
		}
		if (minIdleMillis < 0) {
			throw new InvalidRequestException("The idle time of a pending query must be 0 or more, not " + minIdleMillis);
		}
	}

	/**
	 * Lists every pending entry of the group, at most {@code count}.
	 * @param count the most entries listed
	 * @return the query
	 */
	public static PendingQuery all(int count) {
		return new PendingQuery(EntryId.MIN, EntryId.MAX, count, null, 0);
	}

}
