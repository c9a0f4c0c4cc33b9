package dev.interlace.server;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every endpoint of the streams API except subscribe, over real HTTP, on their successful paths.
 */
class StreamsApiIntegrationTests extends ApiIntegrationTestSupport {

	@Test
	void listingShowsEveryStreamInNameOrderWithSettingsAndRowCountButNoSecrets() {
		String body = this.client.get()
			.uri("/api/v1/streams")
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		assertThat(body).doesNotContain("bearer-secret-4711", "key-secret-0815", "key-secret-4242");
		Map<String, Object> listing = this.api.get("/api/v1/streams");
		List<Map<String, Object>> streams = list(listing.get("streams"));
		List<Object> names = streams.stream().map((stream) -> stream.get("name")).toList();
		assertThat(names).contains("api_open", "api_typed", "api_bearer", "orders", "clicks");
		assertThat(names).isSorted();
		Map<String, Object> open = streams.stream().filter((stream) -> stream.get("name").equals("api_open")).findFirst().orElseThrow();
		assertThat(open).containsEntry("description", "Columns inferred from the events")
			.containsEntry("owner", "api-tests")
			.containsEntry("tags", List.of("api", "open"))
			.containsEntry("schema", "events")
			.containsEntry("endpoint", "/api/v1/streams/api_open")
			.containsKeys("row_count");
		assertThat(open).containsOnlyKeys("name", "schema", "description", "tags", "owner", "row_count", "endpoint");
		assertThat(listing.get("count")).isEqualTo(streams.size());
	}

	@Test
	void listingCanBeFilteredBySchema() {
		Map<String, Object> listing = this.api.get("/api/v1/streams?schema=nowhere");
		assertThat(list(listing.get("streams"))).isEmpty();
		assertThat(listing.get("count")).isEqualTo(0);
		Map<String, Object> events = this.api.get("/api/v1/streams?schema=events&tag=open");
		assertThat(list(events.get("streams"))).extracting((stream) -> stream.get("name")).containsExactly("api_open");
	}

	@Test
	void listingCanBeFilteredByTag() {
		Map<String, Object> listing = this.api.get("/api/v1/streams?tag=api");
		assertThat(list(listing.get("streams"))).extracting((stream) -> stream.get("name"))
			.containsExactly("api_open", "api_typed");
	}

	@Test
	void describingAStreamShowsItsColumnsRowCountAndAuthTypeButNotItsSecret() {
		Map<String, Object> typed = describe("api_typed");
		assertThat(typed).containsEntry("name", "api_typed").containsEntry("validate_schema", true);
		assertThat(map(typed.get("fields"))).containsEntry("amount", "decimal").containsEntry("details", "json");
		assertThat(map(typed.get("fields"))).containsEntry("order_id", "string").containsEntry("placed_at", "timestamp");
		assertThat(typed.get("row_count")).isInstanceOf(Number.class);
		assertThat(typed).containsKey("last_rowid")
			.containsEntry("cursor", "rowid")
			.containsEntry("downstream", List.of())
			.containsKeys("description", "tags", "owner", "auth", "rate_limit", "retention");
		assertThat(list(typed.get("endpoints"))).extracting((endpoint) -> endpoint.get("method") + " " + endpoint.get("path"))
			.containsExactly("POST /api/v1/streams/api_typed", "GET /api/v1/streams/api_typed/subscribe",
					"POST /api/v1/streams/api_typed/consume", "POST /api/v1/streams/api_typed/ack",
					"DELETE /api/v1/streams/api_typed/consumers/{consumer}");
		Map<String, Object> bearer = this.api.describe("api_bearer",
				(headers) -> headers.setBearerAuth("bearer-secret-4711"));
		assertThat(bearer.get("auth")).isEqualTo(Map.of("type", "bearer", "required", true));
		assertThat(bearer.toString()).doesNotContain("bearer-secret-4711");
		assertThat(describe("api_limited").get("rate_limit")).isEqualTo(Map.of("requests_per_second", 1));
	}

	@Test
	void publishingOneObjectStoresOneEventAndAnswers202WithThePublishResult() {
		long before = rowCount("api_open");
		Map<String, Object> result = this.api.published("api_open", "{\"page\":\"/home\",\"visits\":3}");
		assertThat(result).containsEntry("status", "accepted")
			.containsEntry("stream", "api_open")
			.containsEntry("rows_received", 1)
			.containsEntry("triggered_models", List.of())
			.containsKeys("first_rowid", "last_rowid");
		assertThat(UUID.fromString((String) result.get("publish_id"))).isNotNull();
		assertThat(result.get("first_rowid")).isEqualTo(result.get("last_rowid"));
		assertThat(rowCount("api_open")).isEqualTo(before + 1);
		assertThat(map(describe("api_open").get("fields"))).containsEntry("page", "string").containsEntry("visits", "int64");
	}

	@Test
	void publishingAnArrayStoresEveryEventWithConsecutiveRowids() {
		long before = rowCount("api_open");
		Map<String, Object> result = this.api.published("api_open",
				"[{\"page\":\"/a\"},{\"page\":\"/b\"},{\"page\":\"/c\"}]");
		assertThat(result).containsEntry("rows_received", 3);
		long first = ((Number) result.get("first_rowid")).longValue();
		assertThat(((Number) result.get("last_rowid")).longValue()).isEqualTo(first + 2);
		assertThat(rowCount("api_open")).isEqualTo(before + 3);
	}

	@Test
	void publishingAnEmptyArrayStoresNothingAndAnswers202WithNoRows() {
		long before = rowCount("api_open");
		publish("api_open", "[]").expectStatus()
			.isAccepted()
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo("accepted")
			.jsonPath("$.rows_received")
			.isEqualTo(0);
		assertThat(rowCount("api_open")).isEqualTo(before);
	}

	@Test
	void publishingAcceptsJsonWithACharsetAndJsonSubtypes() {
		this.api.post("/api/v1/streams/api_open", "{\"page\":\"/charset\"}",
				(headers) -> headers.set(HttpHeaders.CONTENT_TYPE, "application/json; charset=UTF-8"))
			.expectStatus()
			.isAccepted();
		this.api.post("/api/v1/streams/api_open", "{\"page\":\"/subtype\"}",
				(headers) -> headers.set(HttpHeaders.CONTENT_TYPE, "application/vnd.interlace+json"))
			.expectStatus()
			.isAccepted();
	}

	@Test
	void consumedEventsAreRowsWithMetadataColumnsAndJsonFriendlyValues() {
		publish("api_typed", """
				{"order_id":"o-1","amount":12.50,"quantity":2,"placed_at":"2024-05-01T12:00:00.123456Z",
				 "day":"2024-05-01","paid":true,"details":{"lines":[{"sku":"a","qty":2}],"note":null}}
				""").expectStatus().isAccepted();
		Map<String, Object> batch = consume("api_typed", "typed-reader", 10);
		assertThat(batch).containsEntry("stream", "api_typed").containsEntry("consumer", "typed-reader").containsEntry("count", 1);
		Map<String, Object> row = list(batch.get("events")).get(0);
		assertThat(row).containsEntry("order_id", "o-1")
			.containsEntry("amount", 12.5)
			.containsEntry("quantity", 2)
			.containsEntry("placed_at", "2024-05-01T12:00:00.123456Z")
			.containsEntry("day", "2024-05-01")
			.containsEntry("paid", true)
			.containsKeys("_interlace_rowid", "_interlace_published_at", "_interlace_publish_id");
		assertThat(map(row.get("details")).get("lines")).isEqualTo(List.of(Map.of("sku", "a", "qty", 2)));
		assertThat(row.get("_interlace_rowid")).isInstanceOf(Number.class);
		assertThat((String) row.get("_interlace_published_at")).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
		assertThat(UUID.fromString((String) row.get("_interlace_publish_id"))).isNotNull();
	}

	@Test
	void decimalsAreAnsweredAsExactJsonNumbers() {
		publish("api_typed", """
				{"order_id":"o-2","amount":12345678901234567.0123456789,"quantity":1,
				 "placed_at":"2024-05-01T12:00:00Z","day":"2024-05-01","paid":false,"details":[]}
				""").expectStatus().isAccepted();
		String body = StreamsApi
			.okBody(post("/api/v1/streams/api_typed/consume", "{\"consumer\":\"decimal-reader\",\"batch_size\":100}"));
		assertThat(body).contains("\"amount\":12345678901234567.0123456789");
	}

	@Test
	void consumeReturnsAtMostTheBatchSizeWithoutMovingTheCursor() {
		publish("api_batch", "[{\"n\":1},{\"n\":2},{\"n\":3}]").expectStatus().isAccepted();
		Map<String, Object> first = consume("api_batch", "batcher", 2);
		assertThat(first).containsEntry("count", 2);
		assertThat(list(first.get("events"))).extracting((row) -> row.get("n")).containsExactly(1, 2);
		Map<String, Object> again = consume("api_batch", "batcher", 2);
		assertThat(again.get("events")).isEqualTo(first.get("events"));
	}

	@Test
	void consumeUsesABatchOf100WhenNoneIsGiven() {
		StringBuilder events = new StringBuilder("[");
		for (int i = 0; i < 150; i++) {
			events.append((i > 0) ? "," : "").append("{\"n\":").append(i).append('}');
		}
		publish("api_consume", events.append(']').toString()).expectStatus().isAccepted();
		post("/api/v1/streams/api_consume/consume", "{\"consumer\":\"defaults\"}").expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.count")
			.isEqualTo(100);
	}

	@Test
	void ackWithConsumedEventsMovesTheCursorToTheHighestRowid() {
		publish("api_ack_events", "[{\"n\":1},{\"n\":2},{\"n\":3}]").expectStatus().isAccepted();
		List<Map<String, Object>> events = list(consume("api_ack_events", "worker", 2).get("events"));
		String acked = tools.jackson.databind.json.JsonMapper.shared()
			.writeValueAsString(Map.of("consumer", "worker", "events", events));
		Map<String, Object> result = StreamsApi.okJson(post("/api/v1/streams/api_ack_events/ack", acked));
		assertThat(result).containsEntry("status", "ok")
			.containsEntry("acknowledged", 2)
			.containsEntry("cursor", events.get(1).get("_interlace_rowid"));
		Map<String, Object> rest = consume("api_ack_events", "worker", 10);
		assertThat(list(rest.get("events"))).extracting((row) -> row.get("n")).containsExactly(3);
	}

	@Test
	void ackWithEventIdsCountsTheIdsAcknowledged() {
		Map<String, Object> published = this.api.published("api_ack_ids", "[{\"n\":1},{\"n\":2},{\"n\":3}]");
		long first = ((Number) published.get("first_rowid")).longValue();
		post("/api/v1/streams/api_ack_ids/ack",
				"{\"consumer\":\"ids\",\"event_ids\":[" + first + "," + (first + 1) + "," + (first + 2) + "]}")
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo("ok")
			.jsonPath("$.acknowledged")
			.isEqualTo(3)
			.jsonPath("$.cursor")
			.isEqualTo(first + 2);
		assertThat(consume("api_ack_ids", "ids", 10)).containsEntry("count", 0);
	}

	@Test
	void ackNeverMovesTheCursorBackwards() {
		Map<String, Object> published = this.api.published("api_ack_backwards", "[{\"n\":1},{\"n\":2},{\"n\":3}]");
		long last = ((Number) published.get("last_rowid")).longValue();
		post("/api/v1/streams/api_ack_backwards/ack", "{\"consumer\":\"c\",\"event_ids\":[" + last + "]}")
			.expectStatus()
			.isOk();
		post("/api/v1/streams/api_ack_backwards/ack", "{\"consumer\":\"c\",\"event_ids\":[" + (last - 2) + "]}")
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.cursor")
			.isEqualTo(last);
		assertThat(consume("api_ack_backwards", "c", 10)).containsEntry("count", 0);
	}

	@Test
	void ackBeyondTheLastRowidIsRejectedAndLeavesTheCursor() {
		Map<String, Object> published = this.api.published("api_ack_beyond", "{\"n\":1}");
		long last = ((Number) published.get("last_rowid")).longValue();
		assertProblem(post("/api/v1/streams/api_ack_beyond/ack", "{\"consumer\":\"c\",\"event_ids\":[" + (last + 5) + "]}"),
				HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
		assertThat(consume("api_ack_beyond", "c", 10)).containsEntry("count", 1);
	}

	@SuppressWarnings("unchecked")
	private static List<Map<String, Object>> list(Object value) {
		return (List<Map<String, Object>>) value;
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(Object value) {
		return (Map<String, Object>) value;
	}

}
