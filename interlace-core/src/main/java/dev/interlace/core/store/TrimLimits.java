package dev.interlace.core.store;

/**
 * How many of the entries a trim by length or minimum ID would delete it deletes: all of them, or with Redis'
 * {@code ~} only whole granules of entries (never below the length or minimum asked for), and at most a limit
 * (Redis' {@code LIMIT}).
 *
 * @param granule the entries deleted are a multiple of this, 1 for an exact trim
 * @param limit the most entries deleted, 0 for no limit
 * @since 0.3.0
 */
public record TrimLimits(long granule, long limit) {

	/** An exact trim: every entry beyond the threshold, without limit. */
	public static final TrimLimits EXACT = new TrimLimits(1, 0);

	public TrimLimits {
		if (granule < 1 || limit < 0) {
			throw new IllegalArgumentException("A trim's granule must be positive and its limit 0 or more, were "
					+ granule + " and " + limit);
		}
	}

	/**
	 * Returns how many entries to delete of those an exact trim would delete.
	 * @param candidates the entries beyond the threshold
	 * @return the entries to delete, the oldest first
	 */
	public long deletable(long candidates) {
		long capped = (this.limit > 0) ? Math.min(candidates, this.limit) : candidates;
		return capped - (capped % this.granule);
	}

}
