package dev.interlace.server.streams;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;

import com.fasterxml.jackson.annotation.JsonProperty;
import tools.jackson.databind.json.JsonMapper;

import dev.interlace.core.StoredEvent;

/**
 * Writes the frames of {@code stream.event} events ({@code id}, {@code event} and {@code data} lines, the data being
 * {@code {"stream": name, "event": row}}) once per event rather than once per subscriber: every live subscriber of a
 * stream is handed the same {@link StoredEvent} instance, so the encoded frames of recent events are kept in a small
 * ring, keyed by rowid and checked by identity, and every subscriber writes the same bytes. Large events are not
 * kept, which bounds what the ring holds.
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

	/**
	 * Returns the UTF-8 frame of an event. The array is shared: callers must not change it.
	 * @param event the event
	 * @return its frame
	 */
	byte[] frame(StoredEvent event) {
		int slot = (int) (event.rowid() & (SLOTS - 1));
		Written written = this.recent.get(slot);
		if (written != null && written.event == event) {
			return written.frame;
		}
		String json = this.mapper.writeValueAsString(new Data(event.stream(), event.toRowWithId()));
		byte[] frame = ("id:" + event.rowid() + "\nevent:" + SubscribeController.EVENT + "\ndata:" + json + "\n\n")
			.getBytes(StandardCharsets.UTF_8);
		if (frame.length <= LARGEST_KEPT) {
			// Racing writers of one slot both store a correct entry: the last one stays.
			this.recent.set(slot, new Written(event, frame));
		}
		return frame;
	}

	private record Written(StoredEvent event, byte[] frame) {
	}

	/**
	 * Data of a {@code stream.event} event.
	 *
	 * @param stream the stream name
	 * @param event the row, with its metadata columns and its entry ID as text
	 */
	record Data(@JsonProperty("stream") String stream, @JsonProperty("event") Map<String, Object> event) {
	}

}
