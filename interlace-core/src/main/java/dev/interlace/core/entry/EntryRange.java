package dev.interlace.core.entry;

import dev.interlace.core.EntryId;
import dev.interlace.core.InvalidRequestException;

/**
 * A range of entry IDs, both ends inclusive, as {@code XRANGE} and {@code XREVRANGE} take them. {@link #parse}
 * reads Redis' bounds: {@code -} and {@code +} (the smallest and the largest ID, at either end), an incomplete ID
 * ({@code 5} is {@code 5-0} as a start and {@code 5-<max>} as an end) and {@code (} for an exclusive bound.
 *
 * @param start the smallest ID in the range
 * @param end the largest ID in the range; a range whose start is after its end is empty
 * @since 0.3.0
 */
public record EntryRange(EntryId start, EntryId end) {

	/** Every ID, {@code - +}. */
	public static final EntryRange ALL = new EntryRange(EntryId.MIN, EntryId.MAX);

	/**
	 * Returns the range of a single ID.
	 * @param id the ID
	 * @return the range
	 */
	public static EntryRange of(EntryId id) {
		return new EntryRange(id, id);
	}

	/**
	 * Parses Redis' bounds of a range, the start first whatever the direction (XREVRANGE names its end first; call
	 * this with its arguments swapped).
	 * @param start the start: {@code -}, {@code +}, an ID, an incomplete ID or either with {@code (} for exclusive
	 * @param end the end, likewise
	 * @return the range, empty when the start is after the end
	 * @throws InvalidRequestException when a bound is no ID, or an exclusive one leaves no ID (such as {@code (+} as
	 * a start), in Redis' words
	 */
	public static EntryRange parse(String start, String end) {
		return new EntryRange(bound(start, true), bound(end, false));
	}

	/**
	 * Returns whether the range holds no ID.
	 * @return whether the start is after the end
	 */
	public boolean isEmpty() {
		return this.start.isAfter(this.end);
	}

	private static EntryId bound(String text, boolean isStart) {
		boolean exclusive = text.length() > 1 && text.charAt(0) == '(';
		String id = exclusive ? text.substring(1) : text;
		EntryId bound;
		if (id.equals("-")) {
			bound = EntryId.MIN;
		}
		else if (id.equals("+")) {
			bound = EntryId.MAX;
		}
		else {
			// Redis completes an exclusive incomplete ID as it does an inclusive one, then steps past it: "(5" as a
			// start is 5-1, not 6-0.
			bound = EntryId.parse(id, isStart ? 0 : Long.MAX_VALUE);
		}
		if (!exclusive) {
			return bound;
		}
		EntryId stepped = isStart ? bound.next() : bound.previous();
		if (stepped == null) {
			throw new InvalidRequestException("invalid " + (isStart ? "start" : "end") + " ID for the interval");
		}
		return stepped;
	}

}
