package dev.interlace.core;

import java.util.List;
import java.util.UUID;

/**
 * What a publish returns once its rows are committed.
 *
 * @param status always {@value #ACCEPTED}
 * @param stream the stream published to
 * @param rowsReceived how many rows were stored
 * @param publishId id stored with every row of this publish
 * @param firstRowid rowid of the first stored row, 0 when none was stored
 * @param lastRowid rowid of the last stored row, 0 when none was stored
 * @param triggeredModels downstream processors started by this publish (none yet)
 * @since 0.1.0
 */
public record PublishResult(String status, String stream, int rowsReceived, UUID publishId, long firstRowid,
		long lastRowid, List<String> triggeredModels) {

	/** The status of every successful publish. */
	public static final String ACCEPTED = "accepted";

	public PublishResult {
		triggeredModels = List.copyOf(triggeredModels);
	}

	/**
	 * Creates the result of a committed publish.
	 * @param stream the stream
	 * @param rows rows stored
	 * @param publishId the publish id
	 * @param firstRowid first rowid
	 * @param lastRowid last rowid
	 * @return the result
	 */
	public static PublishResult accepted(String stream, int rows, UUID publishId, long firstRowid, long lastRowid) {
		return new PublishResult(ACCEPTED, stream, rows, publishId, firstRowid, lastRowid, List.of());
	}

}
