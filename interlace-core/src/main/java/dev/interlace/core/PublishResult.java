package dev.interlace.core;

import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import dev.interlace.core.EntryId;

/**
 * What a publish returns once its rows are committed.
 *
 * @param status always {@value #ACCEPTED}
 * @param stream the stream published to
 * @param rowsReceived how many rows were stored
 * @param publishId id stored with every row of this publish
 * @param firstRowid rowid of the first stored row, 0 when none was stored
 * @param lastRowid rowid of the last stored row, 0 when none was stored
 * @param firstId entry ID of the first stored row, {@code null} when none was stored
 * @param lastId entry ID of the last stored row, {@code null} when none was stored
 * @param triggeredModels downstream processors started by this publish (none yet)
 * @since 0.1.0
 */
public record PublishResult(String status, String stream, int rowsReceived, UUID publishId, long firstRowid,
		long lastRowid, @Nullable EntryId firstId, @Nullable EntryId lastId, List<String> triggeredModels) {

	/** The status of every successful publish. */
	public static final String ACCEPTED = "accepted";

	public PublishResult {
		triggeredModels = List.copyOf(triggeredModels);
	}

	/**
	 * Creates the result of a publish that stored no rows.
	 * @param stream the stream
	 * @param publishId the publish id
	 * @return the result
	 */
	public static PublishResult empty(String stream, UUID publishId) {
		return new PublishResult(ACCEPTED, stream, 0, publishId, 0, 0, null, null, List.of());
	}

	/**
	 * Creates the result of a committed publish.
	 * @param stream the stream
	 * @param rows rows stored
	 * @param publishId the publish id
	 * @param firstRowid first rowid
	 * @param lastRowid last rowid
	 * @param firstId entry ID of the first row
	 * @param lastId entry ID of the last row
	 * @return the result
	 */
	public static PublishResult accepted(String stream, int rows, UUID publishId, long firstRowid, long lastRowid,
			EntryId firstId, EntryId lastId) {
		return new PublishResult(ACCEPTED, stream, rows, publishId, firstRowid, lastRowid, firstId, lastId,
				List.of());
	}

}
