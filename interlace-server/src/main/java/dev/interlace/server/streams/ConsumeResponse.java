package dev.interlace.server.streams;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;

import dev.interlace.core.ConsumedBatch;
import dev.interlace.core.StoredEvent;

/**
 * The answer to a consume: the events after the consumer's cursor, which has not moved.
 *
 * @param stream the stream
 * @param consumer the consumer
 * @param events the events, as rows with their metadata columns and entry ID ({@link StoredEvent#toRowWithId()})
 * @param count the number of events
 * @param truncated whether the byte budget of a consume cut the batch short while further events were waiting
 * @since 0.1.0
 */
public record ConsumeResponse(@JsonProperty("stream") String stream, @JsonProperty("consumer") String consumer,
		@JsonProperty("events") List<Map<String, Object>> events, @JsonProperty("count") int count,
		@JsonProperty("truncated") boolean truncated) {

	static ConsumeResponse of(ConsumedBatch batch) {
		return new ConsumeResponse(batch.stream(), batch.consumer(),
				batch.events().stream().map(StoredEvent::toRowWithId).toList(), batch.count(), batch.truncated());
	}

}
