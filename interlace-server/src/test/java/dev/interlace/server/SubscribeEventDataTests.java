package dev.interlace.server;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import dev.interlace.core.StoredEvent;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link SseEventData}: the data of a live event is written once, however many subscribers send it.
 */
class SubscribeEventDataTests {

	final SseEventData data = new SseEventData(JsonMapper.builder().build());

	@Test
	void dataIsTheStreamAndTheRowWithItsMetadataColumns() {
		StoredEvent event = event(7, "o-1");
		assertThat(this.data.write(event)).isEqualTo("{\"stream\":\"orders\",\"event\":{\"order_id\":\"o-1\","
				+ "\"_interlace_rowid\":7,\"_interlace_published_at\":\"2024-05-01T10:00:00.123456Z\","
				+ "\"_interlace_publish_id\":\"" + event.publishId() + "\"}}");
	}

	@Test
	void sameEventHandedToManySubscribersIsWrittenOnce() {
		StoredEvent event = event(7, "o-1");
		assertThat(this.data.write(event)).isSameAs(this.data.write(event));
	}

	@Test
	void anotherEventWithTheSameRowidIsWrittenAfresh() {
		String first = this.data.write(event(7, "o-1"));
		// A replay reads its own instances, and another stream may have the same rowid.
		assertThat(this.data.write(event(7, "o-2"))).isNotSameAs(first).contains("o-2");
	}

	@Test
	void largeEventsAreNotKept() {
		StoredEvent event = event(7, "x".repeat(20_000));
		assertThat(this.data.write(event)).isNotSameAs(this.data.write(event)).isEqualTo(this.data.write(event));
	}

	static StoredEvent event(long rowid, String orderId) {
		return new StoredEvent("orders", rowid, Instant.parse("2024-05-01T10:00:00.123456Z"), UUID.randomUUID(),
				Map.of("order_id", orderId));
	}

}
