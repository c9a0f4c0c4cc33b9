package dev.interlace.core;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import dev.interlace.core.EntryId;

/**
 * One committed row of a stream.
 *
 * @param stream the stream name
 * @param rowid position in the stream: strictly increasing in commit order
 * @param id the entry's Redis-style ID, assigned with the rowid: both increase strictly together
 * @param publishedAt commit time (UTC, microsecond precision)
 * @param publishId id shared by every row of the same publish
 * @param data the row's fields in column order; fields whose value is null are left out
 * @since 0.1.0
 */
public record StoredEvent(String stream, long rowid, EntryId id, Instant publishedAt, UUID publishId,
		Map<String, Object> data) {

	/** Column holding {@link #rowid()}. */
	public static final String ROWID = "_interlace_rowid";

	/** Column holding {@link #publishedAt()}. */
	public static final String PUBLISHED_AT = "_interlace_published_at";

	/** Column holding {@link #publishId()}. */
	public static final String PUBLISH_ID = "_interlace_publish_id";

	/** Column holding the milliseconds part of {@link #id()}. */
	public static final String ID_MS = "_interlace_id_ms";

	/** Column holding the sequence part of {@link #id()}. */
	public static final String ID_SEQ = "_interlace_id_seq";

	/**
	 * Key of {@link #id()} as text, {@code <ms>-<seq>}, in the rows responses show ({@link #toRowWithId()}); no
	 * column holds it.
	 */
	public static final String ID = "_interlace_id";

	public StoredEvent {
		data = java.util.Collections.unmodifiableMap(data);
	}

	/**
	 * Returns the row as stored: the fields followed by the metadata columns (rowid, publish time, publish id and
	 * the two parts of the entry ID).
	 * @return a new map
	 */
	public Map<String, Object> toRow() {
		Map<String, Object> row = new LinkedHashMap<>(this.data);
		row.put(ROWID, this.rowid);
		row.put(PUBLISHED_AT, this.publishedAt);
		row.put(PUBLISH_ID, this.publishId);
		row.put(ID_MS, this.id.ms());
		row.put(ID_SEQ, this.id.seq());
		return row;
	}

	/**
	 * Returns the row as stored with the entry ID as text besides, under {@value #ID}, as responses show events.
	 * @return a new map
	 */
	public Map<String, Object> toRowWithId() {
		Map<String, Object> row = toRow();
		row.put(ID, this.id.toString());
		return row;
	}

}
