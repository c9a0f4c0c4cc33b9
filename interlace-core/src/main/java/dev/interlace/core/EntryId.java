package dev.interlace.core;

import org.jspecify.annotations.Nullable;


/**
 * The ID of a stream entry, {@code <ms>-<seq>} as in Redis Streams: the milliseconds part, then a sequence within
 * that millisecond. A stream assigns IDs with its rowids, in the same order: both increase strictly together, so
 * either may serve as a cursor.
 * <p>
 * Both parts are stored as SQL {@code BIGINT}, so each runs from 0 to {@value Long#MAX_VALUE} (Redis allows up to
 * 2<sup>64</sup>-1; a millisecond part of 2<sup>63</sup> is 292 million years from the epoch). Parsing accepts the
 * full unsigned range of Redis' syntax and refuses a part above {@value Long#MAX_VALUE} with a message that says so;
 * the range bounds {@code +} and an incomplete ID's upper end map to {@link #MAX}.
 *
 * @param ms the milliseconds part
 * @param seq the sequence part
 * @since 0.3.0
 */
public record EntryId(long ms, long seq) implements Comparable<EntryId> {

	/** The smallest ID, {@code 0-0}: never an entry's, the start of every stream. */
	public static final EntryId MIN = new EntryId(0, 0);

	/** The largest ID. */
	public static final EntryId MAX = new EntryId(Long.MAX_VALUE, Long.MAX_VALUE);

	public EntryId {
		if (ms < 0 || seq < 0) {
			throw new InvalidRequestException("Invalid stream ID " + Long.toUnsignedString(ms) + "-"
					+ Long.toUnsignedString(seq) + ": each part runs from 0 to " + Long.MAX_VALUE);
		}
	}

	/**
	 * Parses a complete ID, {@code <ms>-<seq>}, or {@code <ms>} alone, which means {@code <ms>-0}.
	 * @param text the ID
	 * @return the ID
	 * @throws InvalidRequestException when the text is no valid ID
	 */
	public static EntryId parse(String text) {
		return parse(text, 0);
	}

	/**
	 * Parses an ID whose sequence may be left out, as range bounds may ({@code 1526985054069} is
	 * {@code 1526985054069-0} as a start and {@code 1526985054069-<max>} as an end).
	 * @param text the ID
	 * @param missingSeq the sequence when the text has none
	 * @return the ID
	 * @throws InvalidRequestException when the text is no valid ID
	 */
	public static EntryId parse(String text, long missingSeq) {
		int dash = text.indexOf('-');
		if (dash < 0) {
			return new EntryId(part(text, text), missingSeq);
		}
		return new EntryId(part(text, text.substring(0, dash)), part(text, text.substring(dash + 1)));
	}

	/**
	 * Parses an ID or returns {@code null} when the text is none, for callers that give their own message.
	 * @param text the ID
	 * @return the ID or {@code null}
	 */
	public static @Nullable EntryId tryParse(String text) {
		try {
			return parse(text);
		}
		catch (InvalidRequestException ex) {
			return null;
		}
	}

	private static long part(String id, String part) {
		if (part.isEmpty() || part.length() > 20) {
			throw invalid(id);
		}
		for (int i = 0; i < part.length(); i++) {
			char c = part.charAt(i);
			if (c < '0' || c > '9') {
				throw invalid(id);
			}
		}
		long value;
		try {
			value = Long.parseUnsignedLong(part);
		}
		catch (NumberFormatException ex) {
			throw invalid(id);
		}
		if (value < 0) {
			throw new InvalidRequestException("Invalid stream ID '" + id + "': each part runs from 0 to "
					+ Long.MAX_VALUE + " here (entry IDs are stored as SQL BIGINT)");
		}
		return value;
	}

	private static InvalidRequestException invalid(String id) {
		return new InvalidRequestException("Invalid stream ID specified as stream command argument: '" + id
				+ "' (an ID is <ms>-<seq>, two non-negative integers)");
	}

	/**
	 * Returns the ID right after this one, for exclusive range starts.
	 * @return the next ID, or {@code null} when this is {@link #MAX}
	 */
	public @Nullable EntryId next() {
		if (this.seq < Long.MAX_VALUE) {
			return new EntryId(this.ms, this.seq + 1);
		}
		return (this.ms < Long.MAX_VALUE) ? new EntryId(this.ms + 1, 0) : null;
	}

	/**
	 * Returns the ID right before this one, for exclusive range ends.
	 * @return the previous ID, or {@code null} when this is {@link #MIN}
	 */
	public @Nullable EntryId previous() {
		if (this.seq > 0) {
			return new EntryId(this.ms, this.seq - 1);
		}
		return (this.ms > 0) ? new EntryId(this.ms - 1, Long.MAX_VALUE) : null;
	}

	@Override
	public int compareTo(EntryId other) {
		int byMs = Long.compare(this.ms, other.ms);
		return (byMs != 0) ? byMs : Long.compare(this.seq, other.seq);
	}

	/**
	 * Returns whether this ID comes after another.
	 * @param other the other ID
	 * @return whether this one is greater
	 */
	public boolean isAfter(EntryId other) {
		return compareTo(other) > 0;
	}

	@Override
	public String toString() {
		return this.ms + "-" + this.seq;
	}

}
