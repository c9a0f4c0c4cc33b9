package dev.interlace.server.streams;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import dev.interlace.core.StoredEvent;
import dev.interlace.core.EntryId;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link SseEventData}: the frame of a live event is written once, however many subscribers send it.
 */
class SubscribeEventDataTests {

	final SseEventData data = new SseEventData(JsonMapper.builder().build());

	@Test
	void frameIsTheRowidTheEventNameAndTheStreamWithTheRowItsMetadataColumnsAndEntryId() {
		StoredEvent event = event(7, "o-1");
		assertThat(text(this.data.frame(event))).isEqualTo("id:7\nevent:stream.event\n"
				+ "data:{\"stream\":\"orders\",\"event\":{\"order_id\":\"o-1\","
				+ "\"_interlace_rowid\":7,\"_interlace_published_at\":\"2024-05-01T10:00:00.123456Z\","
				+ "\"_interlace_publish_id\":\"" + event.publishId() + "\",\"_interlace_id_ms\":1714557600123,"
				+ "\"_interlace_id_seq\":7,\"_interlace_id\":\"1714557600123-7\"}}\n\n");
	}

	@Test
	void frameIsUtf8() {
		assertThat(text(this.data.frame(event(7, "Zürich €")))).contains("\"order_id\":\"Zürich €\"");
	}

	@Test
	void sameEventHandedToManySubscribersIsWrittenOnce() {
		StoredEvent event = event(7, "o-1");
		assertThat(this.data.frame(event)).isSameAs(this.data.frame(event));
	}

	@Test
	void anotherEventWithTheSameRowidIsWrittenAfresh() {
		byte[] first = this.data.frame(event(7, "o-1"));
		// A replay reads its own instances, and another stream may have the same rowid.
		byte[] second = this.data.frame(event(7, "o-2"));
		assertThat(second).isNotSameAs(first);
		assertThat(text(second)).contains("o-2");
	}

	@Test
	void largeEventsAreNotKept() {
		StoredEvent event = event(7, "x".repeat(20_000));
		assertThat(this.data.frame(event)).isNotSameAs(this.data.frame(event)).isEqualTo(this.data.frame(event));
	}

	private static String text(byte[] frame) {
		return new String(frame, StandardCharsets.UTF_8);
	}

	static StoredEvent event(long rowid, String orderId) {
		return new StoredEvent("orders", rowid, new EntryId(1714557600123L, rowid), Instant.parse("2024-05-01T10:00:00.123456Z"), UUID.randomUUID(),
				Map.of("order_id", orderId));
	}

}
