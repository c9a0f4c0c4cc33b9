package dev.interlace.core;

import org.jspecify.annotations.Nullable;


/**
 * The ID a publish asks for, as the ID argument of Redis' {@code XADD}: {@link #auto() *} (the writer assigns it),
 * {@link #at(EntryId) <ms>-<seq>} or {@link #atMillis(long) <ms>-*} (that millisecond, the next sequence in it). An
 * explicit ID applies to a publish of exactly one event and must be greater than the stream's last ID.
 *
 * @since 0.3.0
 */
public final class NewEntryId {

	private static final NewEntryId AUTO = new NewEntryId(null, -1);

	private final @Nullable EntryId id;

	/** The milliseconds part asked for with {@code <ms>-*}, or -1. */
	private final long ms;

	private NewEntryId(@Nullable EntryId id, long ms) {
		this.id = id;
		this.ms = ms;
	}

	/**
	 * Returns the automatic ID, Redis' {@code *}.
	 * @return the automatic ID
	 */
	public static NewEntryId auto() {
		return AUTO;
	}

	/**
	 * Returns an explicit ID, Redis' {@code <ms>-<seq>}.
	 * @param id the ID
	 * @return the requested ID
	 * @throws InvalidRequestException when the ID is {@code 0-0}, never valid, in Redis' words
	 */
	public static NewEntryId at(EntryId id) {
		if (id.equals(EntryId.MIN)) {
			throw new InvalidRequestException("The ID specified in XADD must be greater than 0-0");
		}
		return new NewEntryId(id, -1);
	}

	/**
	 * Returns an ID in a given millisecond with the next sequence number in it, Redis' {@code <ms>-*}.
	 * @param ms the milliseconds part
	 * @return the requested ID
	 * @throws InvalidRequestException when {@code ms} is negative
	 */
	public static NewEntryId atMillis(long ms) {
		if (ms < 0) {
			throw new InvalidRequestException("Invalid stream ID " + ms + "-*: the milliseconds part runs from 0 to "
					+ Long.MAX_VALUE);
		}
		return new NewEntryId(null, ms);
	}

	/**
	 * Parses the ID argument of {@code XADD}: {@code *}, {@code <ms>-*}, {@code <ms>-<seq>} or {@code <ms>} (which
	 * means {@code <ms>-0}).
	 * @param text the ID
	 * @return the requested ID
	 * @throws InvalidRequestException when the text is no valid ID, or is {@code 0-0}
	 */
	public static NewEntryId parse(String text) {
		String trimmed = text.strip();
		if (trimmed.equals("*")) {
			return AUTO;
		}
		if (trimmed.endsWith("-*")) {
			return atMillis(EntryId.parse(trimmed.substring(0, trimmed.length() - 2)).ms());
		}
		return at(EntryId.parse(trimmed));
	}

	/**
	 * Returns whether the writer assigns the ID.
	 * @return whether this is {@link #auto()}
	 */
	public boolean isAuto() {
		return this.id == null && this.ms < 0;
	}

	/**
	 * Checks that a publish fits this ID: an explicit one needs exactly one event.
	 * @param events the publish's events
	 * @throws InvalidRequestException when it does not fit
	 */
	public void requireFits(int events) {
		if (!isAuto() && events != 1) {
			throw new InvalidRequestException("An explicit entry ID needs a publish of one event, not " + events);
		}
	}

	/**
	 * Returns the ID an entry appended after {@code last} gets, for an explicit ID.
	 * @param last the stream's last ID, {@link EntryId#MIN} when it has none
	 * @return the entry's ID
	 * @throws InvalidRequestException when the ID is not greater than {@code last}, in Redis' words
	 * @throws IllegalStateException when this is {@link #auto()}
	 */
	public EntryId after(EntryId last) {
		EntryId resolved;
		if (this.id != null) {
			resolved = this.id;
		}
		else if (this.ms < 0) {
			throw new IllegalStateException("An automatic ID is the writer's to assign");
		}
		else if (this.ms == last.ms()) {
			resolved = (last.seq() < Long.MAX_VALUE) ? new EntryId(this.ms, last.seq() + 1) : last;
		}
		else {
			// 0-0 is never an entry's: the first ID of millisecond 0 is 0-1, as XADD 0-* gives.
			resolved = new EntryId(this.ms, (this.ms == 0) ? 1 : 0);
		}
		if (!resolved.isAfter(last)) {
			throw new InvalidRequestException("The ID specified in XADD is equal or smaller than the target stream top item");
		}
		return resolved;
	}

	@Override
	public boolean equals(@Nullable Object other) {
		return other instanceof NewEntryId that && this.ms == that.ms && java.util.Objects.equals(this.id, that.id);
	}

	@Override
	public int hashCode() {
		return java.util.Objects.hash(this.id, this.ms);
	}

	@Override
	public String toString() {
		if (this.id != null) {
			return this.id.toString();
		}
		return (this.ms < 0) ? "*" : this.ms + "-*";
	}

}
