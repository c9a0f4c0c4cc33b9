package dev.interlace.server;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Consumes over real HTTP under a small byte budget ({@code interlace.consume.max-bytes}): responses are cut short
 * and say so, and consume/ack loops still read every event once, in order.
 */
@TestPropertySource(properties = "interlace.consume.max-bytes=8KB")
class ConsumeByteBudgetIntegrationTests extends ApiIntegrationTestSupport {

	private static final int BUDGET = 8 * 1024;

	@Test
	void aConsumeIsCutAtTheByteBudgetAndMarkedTruncated() {
		publish("api_consume", events(30, 1_000)).expectStatus().isAccepted();
		String raw = consumeRaw("api_consume", "cut", 100);
		@SuppressWarnings("unchecked")
		Map<String, Object> batch = JsonMapper.shared().readValue(raw, Map.class);
		assertThat(batch).containsKeys("stream", "consumer", "events", "count").containsEntry("truncated", true);
		List<?> events = (List<?>) batch.get("events");
		assertThat(events).hasSize((Integer) batch.get("count")).hasSizeBetween(2, 7);
		// The budget bounds the events; the envelope around them adds a few bytes.
		assertThat(raw.getBytes(StandardCharsets.UTF_8)).hasSizeLessThan(BUDGET + 200);
	}

	@Test
	void consumingAndAcknowledgingReadsEveryEventOnceInOrderAcrossTruncatedBatches() {
		long first = ((Number) publish("api_batch", events(40, 1_000)).expectBody(MAP)
			.returnResult()
			.getResponseBody()
			.get("first_rowid")).longValue();
		publish("api_batch", "{\"n\":40,\"text\":\"" + "x".repeat(20_000) + "\"}").expectStatus().isAccepted();
		publish("api_batch", events(10, 1_000)).expectStatus().isAccepted();
		List<Long> rowids = new ArrayList<>();
		List<Boolean> truncated = new ArrayList<>();
		while (true) {
			Map<String, Object> batch = consume("api_batch", "loop", 100);
			List<Map<String, Object>> events = events(batch);
			truncated.add((Boolean) batch.get("truncated"));
			if (events.isEmpty()) {
				break;
			}
			events.forEach((event) -> rowids.add(((Number) event.get("_interlace_rowid")).longValue()));
			post("/api/v1/streams/api_batch/ack",
					"{\"consumer\":\"loop\",\"event_ids\":[" + rowids.get(rowids.size() - 1) + "]}")
				.expectStatus()
				.isOk();
		}
		assertThat(rowids).isEqualTo(LongStream.range(first, first + 51).boxed().toList());
		assertThat(truncated).hasSizeGreaterThan(51 / 7);
		// Every batch but the last two (the stream's end, then nothing) was cut short by the budget.
		assertThat(truncated.subList(0, truncated.size() - 2)).containsOnly(true);
		assertThat(truncated.subList(truncated.size() - 2, truncated.size())).containsOnly(false);
	}

	@Test
	void anEventLargerThanTheByteBudgetIsReturnedAlone() {
		publish("api_open", "[{\"text\":\"" + "x".repeat(20_000) + "\"},{\"text\":\"small\"}]").expectStatus()
			.isAccepted();
		Map<String, Object> large = consume("api_open", "large", 100);
		assertThat(events(large)).singleElement()
			.satisfies((event) -> assertThat((String) event.get("text")).hasSize(20_000));
		assertThat(large).containsEntry("truncated", true);
		post("/api/v1/streams/api_open/ack", "{\"consumer\":\"large\",\"events\":[{\"_interlace_rowid\":"
				+ events(large).get(0).get("_interlace_rowid") + "}]}")
			.expectStatus()
			.isOk();
		Map<String, Object> rest = consume("api_open", "large", 100);
		assertThat(events(rest)).singleElement().satisfies((event) -> assertThat(event).containsEntry("text", "small"));
		assertThat(rest).containsEntry("truncated", false);
	}

	private String consumeRaw(String stream, String consumer, int batchSize) {
		return post("/api/v1/streams/" + stream + "/consume",
				"{\"consumer\":\"" + consumer + "\",\"batch_size\":" + batchSize + "}")
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
	}

	/** A JSON array of events, each with its index and about {@code length} characters of text. */
	private static String events(int count, int length) {
		return IntStream.range(0, count)
			.mapToObj((i) -> "{\"n\":" + i + ",\"text\":\"" + "t".repeat(length) + "\"}")
			.collect(Collectors.joining(",", "[", "]"));
	}

	@SuppressWarnings("unchecked")
	private static List<Map<String, Object>> events(Map<String, Object> batch) {
		return (List<Map<String, Object>>) batch.get("events");
	}

}
