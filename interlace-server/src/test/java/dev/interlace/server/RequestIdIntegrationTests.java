package dev.interlace.server;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import org.springframework.http.HttpStatus;
import org.springframework.test.web.reactive.server.WebTestClient;
import dev.interlace.server.web.RequestIdFilter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every response carries an {@code X-Request-ID}: the client's when sane, else a generated one; problems quote it.
 */
class RequestIdIntegrationTests extends ApiIntegrationTestSupport {

	@Test
	void responsesCarryAGeneratedRequestIdWhenTheClientSendsNone() {
		String first = requestIdOf(this.client.get().uri("/api/v1/streams").exchange().expectStatus().isOk());
		String second = requestIdOf(this.client.get().uri("/api/v1/streams").exchange().expectStatus().isOk());
		assertThat(UUID.fromString(first)).isNotEqualTo(UUID.fromString(second));
	}

	@Test
	void saneClientRequestIdIsEchoed() {
		this.client.get()
			.uri("/api/v1/streams/api_open")
			.header(RequestIdFilter.HEADER, "trace-42.a:b_c")
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.valueEquals(RequestIdFilter.HEADER, "trace-42.a:b_c");
	}

	@Test
	void unsaneClientRequestIdIsReplaced() {
		for (String unsane : new String[] { "a b", "x".repeat(129), "<script>", "id\u00e9" }) {
			String requestId = requestIdOf(this.client.get()
				.uri("/api/v1/streams/api_open")
				.header(RequestIdFilter.HEADER, unsane)
				.exchange()
				.expectStatus()
				.isOk());
			assertThat(UUID.fromString(requestId)).isNotNull();
		}
	}

	@Test
	void problemsQuoteTheRequestIdOfTheirResponse() {
		Map<String, Object> problem = assertProblem(this.client.get()
			.uri("/api/v1/streams/nope")
			.header(RequestIdFilter.HEADER, "client-id-1")
			.exchange(), HttpStatus.NOT_FOUND, "RESOURCE_NOT_FOUND");
		assertThat(problem).containsEntry("request_id", "client-id-1");
	}

	@Test
	void problemsRaisedByFiltersAndTheFrameworkCarryTheRequestIdToo() {
		assertThat(assertProblem(publish("api_bearer", "{\"n\":1}"), HttpStatus.UNAUTHORIZED, "UNAUTHORIZED"))
			.containsKey("request_id");
		assertThat(assertProblem(this.client.patch().uri("/api/v1/streams").header(RequestIdFilter.HEADER, "x-1").exchange(),
				HttpStatus.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED"))
			.containsEntry("request_id", "x-1");
	}

	@Test
	void publishResponsesCarryTheRequestId() {
		String requestId = requestIdOf(publish("api_open", "{\"n\":1}").expectStatus().isAccepted());
		assertThat(requestId).isNotBlank();
	}

	private static String requestIdOf(WebTestClient.ResponseSpec response) {
		String requestId = response.returnResult(String.class).getResponseHeaders().getFirst(RequestIdFilter.HEADER);
		assertThat(requestId).isNotBlank();
		return requestId;
	}

}
