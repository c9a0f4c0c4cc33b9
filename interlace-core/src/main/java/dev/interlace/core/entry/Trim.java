package dev.interlace.core.entry;

import org.jspecify.annotations.Nullable;

import dev.interlace.core.EntryId;
import dev.interlace.core.InvalidRequestException;

/**
 * A trim, as {@code XTRIM key <MAXLEN | MINID> [= | ~] threshold [LIMIT count]} asks for it: {@link #maxLen} keeps
 * the newest entries, {@link #minId} the entries from an ID on.
 * <p>
 * Exact by default: every entry beyond the threshold goes. {@link #approximately()} ({@code ~}) deletes whole
 * granules of {@value #GRANULE} entries only (Redis' default {@code stream-node-max-entries}, whose macro nodes an
 * approximate Redis trim removes whole), so a stream is never trimmed below its threshold and a trim after each
 * publish deletes a hundred entries every hundred publishes rather than one row every time; and at most
 * {@link #limit(long)} entries, {@value #DEFAULT_APPROXIMATE_LIMIT} by default as in Redis ({@code 0} for no limit).
 * As in Redis, a limit needs {@code ~}.
 *
 * @param maxLen the entries to keep, or {@code null} for a trim by minimum ID
 * @param minId the lowest ID to keep, or {@code null} for a trim by length
 * @param approximate whether to delete whole granules only ({@code ~})
 * @param limit the most entries deleted, 0 for no limit; only with {@code approximate}
 * @since 0.3.0
 */
public record Trim(@Nullable Long maxLen, @Nullable EntryId minId, boolean approximate, long limit) {

	/** Entries an approximate trim deletes a multiple of. */
	public static final int GRANULE = 100;

	/** Most entries an approximate trim deletes unless given a limit: Redis' 100 nodes of 100 entries. */
	public static final long DEFAULT_APPROXIMATE_LIMIT = 100L * GRANULE;

	public Trim {
		if ((maxLen == null) == (minId == null)) {
			throw new InvalidRequestException("A trim needs either a max length or a min ID");
		}
		if (maxLen != null && maxLen < 0) {
			throw new InvalidRequestException("The MAXLEN argument must be >= 0, was " + maxLen);
		}
		if (limit < 0) {
			throw new InvalidRequestException("The LIMIT argument must be >= 0, was " + limit);
		}
		if (!approximate && limit != 0) {
			throw new InvalidRequestException("syntax error, LIMIT cannot be used without the special ~ option");
		}
	}

	/**
	 * Returns an exact trim to the newest {@code maxLen} entries ({@code MAXLEN}).
	 * @param maxLen the entries to keep, 0 or more
	 * @return the trim
	 */
	public static Trim maxLen(long maxLen) {
		return new Trim(maxLen, null, false, 0);
	}

	/**
	 * Returns an exact trim of the entries below an ID ({@code MINID}).
	 * @param minId the lowest ID to keep
	 * @return the trim
	 */
	public static Trim minId(EntryId minId) {
		return new Trim(null, minId, false, 0);
	}

	/**
	 * Returns this trim made approximate ({@code ~}), with the default limit.
	 * @return the approximate trim
	 */
	public Trim approximately() {
		return new Trim(this.maxLen, this.minId, true, this.approximate ? this.limit : DEFAULT_APPROXIMATE_LIMIT);
	}

	/**
	 * Returns this approximate trim with a limit ({@code LIMIT}).
	 * @param limit the most entries deleted, 0 for no limit
	 * @return the trim
	 * @throws InvalidRequestException when this trim is exact
	 */
	public Trim limit(long limit) {
		return new Trim(this.maxLen, this.minId, this.approximate, limit);
	}

}
