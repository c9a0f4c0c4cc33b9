package dev.interlace.server;

import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.http.HttpStatus;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Empty acknowledgements, the bound on consumers per stream and deleting consumers, over real HTTP.
 */
@TestPropertySource(properties = "interlace.consume.max-consumers-per-stream=3")
class ConsumersApiIntegrationTests extends ApiIntegrationTestSupport {

	@Test
	void anAckOfNothingAnswersTheUnchangedCursorAndCreatesNoConsumer() {
		publish("api_ack_empty", "[{\"n\":1},{\"n\":2}]").expectStatus().isAccepted();
		for (String member : new String[] { "events", "event_ids" }) {
			assertThat(ack("api_ack_empty", "{\"consumer\":\"newcomer\",\"" + member + "\":[]}"))
				.containsEntry("status", "ok")
				.containsEntry("acknowledged", 0)
				.containsEntry("cursor", 0);
		}
		assertThat(ack("api_ack_empty", "{\"consumer\":\"worker\",\"event_ids\":[2]}")).containsEntry("cursor", 2);
		assertThat(ack("api_ack_empty", "{\"consumer\":\"worker\",\"events\":[]}")).containsEntry("acknowledged", 0)
			.containsEntry("cursor", 2);
		// The newcomer never got a cursor: deleting it finds nothing.
		assertProblem(delete("api_ack_empty", "newcomer"), HttpStatus.NOT_FOUND, "RESOURCE_NOT_FOUND");
	}

	@Test
	void aNewConsumerBeyondTheLimitIsA400NamingItUntilAConsumerIsDeleted() {
		publish("api_consumers", "[{\"n\":1},{\"n\":2}]").expectStatus().isAccepted();
		for (String consumer : new String[] { "a", "b", "c" }) {
			ack("api_consumers", "{\"consumer\":\"" + consumer + "\",\"event_ids\":[1]}");
		}
		// Consuming under a new name and acknowledging nothing store nothing: neither is refused.
		assertThat(consume("api_consumers", "d", 10)).containsEntry("count", 2);
		assertThat(ack("api_consumers", "{\"consumer\":\"d\",\"event_ids\":[]}")).containsEntry("cursor", 0);
		Map<String, Object> problem = assertProblem(
				post("/api/v1/streams/api_consumers/ack", "{\"consumer\":\"d\",\"event_ids\":[1]}"),
				HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
		assertThat((String) problem.get("detail")).contains("'d'", "3 consumers",
				"interlace.consume.max-consumers-per-stream");
		// Existing consumers go on.
		assertThat(ack("api_consumers", "{\"consumer\":\"a\",\"event_ids\":[2]}")).containsEntry("cursor", 2);

		delete("api_consumers", "b").expectStatus().isNoContent().expectBody().isEmpty();
		assertProblem(delete("api_consumers", "b"), HttpStatus.NOT_FOUND, "RESOURCE_NOT_FOUND");
		assertThat(ack("api_consumers", "{\"consumer\":\"d\",\"event_ids\":[1]}")).containsEntry("cursor", 1);
		// A deleted consumer starts again from the oldest row.
		assertThat(consume("api_consumers", "b", 10)).containsEntry("count", 2);
	}

	@Test
	void deletingAConsumerOfAnUnknownStreamIsA404AndABadNameA400() {
		assertProblem(delete("api_nowhere", "a"), HttpStatus.NOT_FOUND, "RESOURCE_NOT_FOUND");
		assertProblem(delete("api_consumers", "x".repeat(201)), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
	}

	private Map<String, Object> ack(String stream, String body) {
		return post("/api/v1/streams/" + stream + "/ack", body).expectStatus()
			.isOk()
			.expectBody(MAP)
			.returnResult()
			.getResponseBody();
	}

	private org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec delete(String stream,
			String consumer) {
		return this.client.delete().uri("/api/v1/streams/{name}/consumers/{consumer}", stream, consumer).exchange();
	}

}
