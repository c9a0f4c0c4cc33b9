package dev.interlace.core.store.support;

import dev.interlace.core.InvalidRequestException;
import dev.interlace.core.EntryId;

/**
 * How a writer assigns automatic entry IDs, as Redis' {@code XADD *} does: the milliseconds part is the commit time
 * or, when the clock is behind the stream's last ID (an explicit ID in the future, a clock set back), the last ID's
 * milliseconds, so IDs never go down; the sequence restarts at 0 when the milliseconds part grows.
 */
public final class EntryIds {

	private EntryIds() {
	}

	/**
	 * Returns the ID of the first of {@code rows} rows appended after {@code last}, the others taking the sequence
	 * numbers that follow within the same millisecond.
	 * @param last the stream's last ID, {@link EntryId#MIN} when it has none
	 * @param nowMs the commit time in milliseconds since the epoch
	 * @param rows the rows, at least one
	 * @return the first row's ID
	 * @throws InvalidRequestException when the stream has used up the last possible ID, as Redis words it
	 */
	public static EntryId next(EntryId last, long nowMs, int rows) {
		if (nowMs > last.ms()) {
			return new EntryId(nowMs, 0);
		}
		// All of a publish's rows share a millisecond: when they do not fit into what is left of this one, they
		// start the next, as Redis moves on once the sequence is exhausted.
		if (last.seq() <= Long.MAX_VALUE - rows) {
			return new EntryId(last.ms(), last.seq() + 1);
		}
		if (last.ms() == Long.MAX_VALUE) {
			throw new InvalidRequestException("The stream has exhausted the last possible ID, unable to add more items");
		}
		return new EntryId(last.ms() + 1, 0);
	}

}
