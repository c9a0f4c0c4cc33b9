package dev.interlace.server;

import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;

import com.fasterxml.jackson.annotation.JsonProperty;
import tools.jackson.databind.json.JsonMapper;

import dev.interlace.core.StoredEvent;

/**
 * Writes the data of {@code stream.event} events, {@code {"stream": name, "event": row}}, once per event rather than
 * once per subscriber: every live subscriber of a stream is handed the same {@link StoredEvent} instance, so the JSON
 * of recent events is kept in a small ring, keyed by rowid and checked by identity. Large events are not kept, which
 * bounds what the ring holds.
 *
 * @since 0.1.0
 */
final class SseEventData {

	private static final int SLOTS = 1024;

	private static final int LARGEST_KEPT = 16 * 1024;

	private final JsonMapper mapper;

	private final AtomicReferenceArray<Written> recent = new AtomicReferenceArray<>(SLOTS);

	SseEventData(JsonMapper mapper) {
		this.mapper = mapper;
	}

	String write(StoredEvent event) {
		int slot = (int) (event.rowid() & (SLOTS - 1));
		Written written = this.recent.get(slot);
		if (written != null && written.event == event) {
			return written.json;
		}
		String json = this.mapper.writeValueAsString(new Data(event.stream(), event.toRow()));
		if (json.length() <= LARGEST_KEPT) {
			// Racing writers of one slot both store a correct entry: the last one stays.
			this.recent.set(slot, new Written(event, json));
		}
		return json;
	}

	private record Written(StoredEvent event, String json) {
	}

	/**
	 * Data of a {@code stream.event} event.
	 *
	 * @param stream the stream name
	 * @param event the row, with its metadata columns
	 */
	record Data(@JsonProperty("stream") String stream, @JsonProperty("event") Map<String, Object> event) {
	}

}
