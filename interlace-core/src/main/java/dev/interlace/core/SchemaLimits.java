package dev.interlace.core;

/**
 * How far publishes may grow a stream's table when its schema evolves: each limit bounds the work one request can
 * cause, and the columns it leaves behind for good. A publish over any of them is rejected as a whole, naming the
 * limit, its value and the first event and field over it.
 *
 * @param maxNewColumnsPerPublish most columns one publish may add
 * @param maxColumnsPerStream most field columns a stream's table may have through evolution, at most
 * {@value #MAX_FIELD_COLUMNS}
 * @param maxKeysPerEvent most keys one event may have
 * @since 0.1.0
 */
public record SchemaLimits(int maxNewColumnsPerPublish, int maxColumnsPerStream, int maxKeysPerEvent) {

	/** Default of {@link #maxNewColumnsPerPublish()}. */
	public static final int DEFAULT_MAX_NEW_COLUMNS_PER_PUBLISH = 64;

	/** Default of {@link #maxColumnsPerStream()}. */
	public static final int DEFAULT_MAX_COLUMNS_PER_STREAM = 1_000;

	/** Default of {@link #maxKeysPerEvent()}. */
	public static final int DEFAULT_MAX_KEYS_PER_EVENT = 1_000;

	/**
	 * Most field columns a stream's table can have in every store: PostgreSQL holds at most 1,600 columns in a
	 * table, and 3 of them are Interlace's own ({@code rowid}, publish time and publish id).
	 */
	public static final int MAX_FIELD_COLUMNS = 1_600 - 3;

	/** The default limits. */
	public static final SchemaLimits DEFAULTS = new SchemaLimits(DEFAULT_MAX_NEW_COLUMNS_PER_PUBLISH,
			DEFAULT_MAX_COLUMNS_PER_STREAM, DEFAULT_MAX_KEYS_PER_EVENT);

	/** Name of {@link #maxNewColumnsPerPublish()} in messages and configuration. */
	public static final String MAX_NEW_COLUMNS_PER_PUBLISH = "max-new-columns-per-publish";

	/** Name of {@link #maxColumnsPerStream()} in messages and configuration. */
	public static final String MAX_COLUMNS_PER_STREAM = "max-columns-per-stream";

	/** Name of {@link #maxKeysPerEvent()} in messages and configuration. */
	public static final String MAX_KEYS_PER_EVENT = "max-keys-per-event";

	public SchemaLimits {
		if (maxNewColumnsPerPublish < 1) {
			throw new IllegalArgumentException(MAX_NEW_COLUMNS_PER_PUBLISH + " must be positive");
		}
		if (maxColumnsPerStream < 1 || maxColumnsPerStream > MAX_FIELD_COLUMNS) {
			throw new IllegalArgumentException(MAX_COLUMNS_PER_STREAM + " must be between 1 and " + MAX_FIELD_COLUMNS
					+ ", the most columns PostgreSQL holds in a table besides Interlace's own");
		}
		if (maxKeysPerEvent < 1) {
			throw new IllegalArgumentException(MAX_KEYS_PER_EVENT + " must be positive");
		}
	}

}
