package dev.interlace.server.streams;

import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.jspecify.annotations.Nullable;

import dev.interlace.core.PublishResult;
import dev.interlace.core.EntryId;

/**
 * The answer to a publish, once its rows are committed.
 *
 * @param status always {@value PublishResult#ACCEPTED}
 * @param stream the stream
 * @param rowsReceived the rows stored
 * @param publishId the id of the publish, shared by its rows; {@code null} when nothing was stored
 * @param firstRowid the rowid of the first row stored
 * @param lastRowid the rowid of the last row stored
 * @param firstId the entry ID of the first row stored, {@code <ms>-<seq>}; {@code null} when nothing was stored
 * @param lastId the entry ID of the last row stored; {@code null} when nothing was stored
 * @param triggeredModels the models the publish triggered
 * @since 0.1.0
 */
public record PublishResponse(@JsonProperty("status") String status, @JsonProperty("stream") String stream,
		@JsonProperty("rows_received") int rowsReceived, @JsonProperty("publish_id") @Nullable UUID publishId,
		@JsonProperty("first_rowid") long firstRowid, @JsonProperty("last_rowid") long lastRowid,
		@JsonProperty("first_id") @Nullable String firstId, @JsonProperty("last_id") @Nullable String lastId,
		@JsonProperty("triggered_models") List<String> triggeredModels) {

	static PublishResponse of(PublishResult result) {
		return new PublishResponse(PublishResult.ACCEPTED, result.stream(), result.rowsReceived(), result.publishId(),
				result.firstRowid(), result.lastRowid(), text(result.firstId()), text(result.lastId()),
				result.triggeredModels());
	}

	static PublishResponse empty(String stream) {
		return new PublishResponse(PublishResult.ACCEPTED, stream, 0, null, 0, 0, null, null, List.of());
	}

	private static @Nullable String text(@Nullable EntryId id) {
		return (id != null) ? id.toString() : null;
	}

}
