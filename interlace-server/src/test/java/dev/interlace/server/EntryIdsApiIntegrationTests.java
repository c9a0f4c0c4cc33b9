package dev.interlace.server;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.http.HttpStatus;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Entry IDs over HTTP: what publishes answer, what {@code Interlace-Entry-Id} asks for (Redis' {@code XADD} ID
 * argument), and what consumers see beside the rowid.
 */
class EntryIdsApiIntegrationTests extends ApiIntegrationTestSupport {

	private static final String ENTRY_ID = "Interlace-Entry-Id";

	// Redis XADD * answers the ID it assigned; here first_id and last_id, beside the rowids.
	@Test
	void publishesAnswerTheEntryIdsOfTheirFirstAndLastRows() {
		Map<String, Object> one = this.api.published("api_open", "{\"page\":\"/a\"}");
		assertThat((String) one.get("first_id")).matches("\\d+-\\d+").isEqualTo(one.get("last_id"));
		Map<String, Object> three = this.api.published("api_open", "[{\"page\":\"/b\"},{\"page\":\"/c\"},{\"page\":\"/d\"}]");
		String[] first = ((String) three.get("first_id")).split("-");
		String[] last = ((String) three.get("last_id")).split("-");
		// One publish, one millisecond: consecutive sequence numbers.
		assertThat(last[0]).isEqualTo(first[0]);
		assertThat(Long.parseLong(last[1])).isEqualTo(Long.parseLong(first[1]) + 2);
		assertThat(this.api.publish("api_open", "[]").expectStatus().isAccepted().expectBody(MAP).returnResult()
			.getResponseBody()).containsEntry("first_id", null).containsEntry("last_id", null);
	}

	// Redis XADD <ms>-<seq> and <ms>-*: the ID asked for, or that millisecond's next sequence.
	@Test
	void anEntryIdHeaderSetsTheIdOfAPublishOfOneEvent() {
		long future = Instant.now().plus(1, ChronoUnit.DAYS).toEpochMilli();
		assertThat(publishWithId("api_consume", "{\"n\":1}", future + "-5")).containsEntry("first_id", future + "-5")
			.containsEntry("last_id", future + "-5");
		assertThat(publishWithId("api_consume", "{\"n\":2}", future + "-*")).containsEntry("first_id", future + "-6");
		// Automatic IDs follow it although the clock is behind.
		assertThat(this.api.published("api_consume", "{\"n\":3}")).containsEntry("first_id", future + "-7");
		List<Map<String, Object>> events = list(consume("api_consume", "ids-reader", 10).get("events"));
		assertThat(events).extracting((event) -> event.get("_interlace_id"))
			.containsExactly(future + "-5", future + "-6", future + "-7");
		assertThat(events.get(0)).containsEntry("_interlace_rowid", 1)
			.containsEntry("_interlace_id_ms", future)
			.containsEntry("_interlace_id_seq", 5);
	}

	// Redis XADD: "ERR The ID specified in XADD is equal or smaller than the target stream top item" and
	// "ERR The ID specified in XADD must be greater than 0-0"; here 400 problems, nothing stored.
	@Test
	void tooSmallZeroMalformedAndBatchEntryIdsAreRefusedWith400AndStoreNothing() {
		publishWithId("api_batch", "{\"n\":1}", "1000-1");
		long before = rowCount("api_batch");
		assertThat(refused("{\"n\":2}", "1000-1")).isEqualTo(
				"The ID specified in XADD is equal or smaller than the target stream top item");
		assertThat(refused("{\"n\":2}", "999-*"))
			.isEqualTo("The ID specified in XADD is equal or smaller than the target stream top item");
		assertThat(refused("{\"n\":2}", "0-0")).contains("The ID specified in XADD must be greater than 0-0");
		assertThat(refused("{\"n\":2}", "abc")).contains(ENTRY_ID, "Invalid stream ID");
		assertThat(refused("{\"n\":2}", "1-2-3")).contains(ENTRY_ID);
		assertThat(refused("{\"n\":2}", "99999999999999999999-0")).contains(ENTRY_ID);
		assertThat(refused("[{\"n\":2},{\"n\":3}]", "2000-0")).contains("An explicit entry ID needs a publish of one event");
		assertThat(refused("[]", "2000-0")).contains("An explicit entry ID needs a publish of one event");
		assertThat(rowCount("api_batch")).isEqualTo(before);
	}

	private Map<String, Object> publishWithId(String stream, String json, String id) {
		return this.api.post("/api/v1/streams/" + stream, json, (headers) -> headers.set(ENTRY_ID, id))
			.expectStatus()
			.isAccepted()
			.expectBody(MAP)
			.returnResult()
			.getResponseBody();
	}

	private String refused(String json, String id) {
		Map<String, Object> problem = assertProblem(
				this.api.post("/api/v1/streams/api_batch", json, (headers) -> headers.set(ENTRY_ID, id)),
				HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
		return (String) problem.get("detail");
	}

	@SuppressWarnings("unchecked")
	private static List<Map<String, Object>> list(Object value) {
		return (List<Map<String, Object>>) value;
	}

}
