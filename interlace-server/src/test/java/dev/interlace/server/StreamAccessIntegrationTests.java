package dev.interlace.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Credentials and rate limits on the stream data endpoints.
 */
class StreamAccessIntegrationTests extends ApiIntegrationTestSupport {

	private static final String BEARER_TOKEN = "bearer-secret-4711";

	private static final String API_KEY = "key-secret-0815";

	@Test
	void bearerStreamRejectsPublishWithoutATokenWithAChallenge() {
		long before = rowCount("api_bearer");
		WebTestClient.ResponseSpec response = send("/api/v1/streams/api_bearer", "{\"n\":1}", (headers) -> {
		});
		Map<String, Object> problem = assertProblem(response, HttpStatus.UNAUTHORIZED, "UNAUTHORIZED");
		response.expectHeader().valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"interlace\"");
		assertThat((String) problem.get("detail")).contains("requires a bearer token");
		assertThat(rowCount("api_bearer")).isEqualTo(before);
	}

	@Test
	void bearerStreamRejectsAWrongTokenOnEveryDataEndpoint() {
		long before = rowCount("api_bearer");
		for (String path : new String[] { "", "/consume", "/ack" }) {
			WebTestClient.ResponseSpec response = send("/api/v1/streams/api_bearer" + path,
					"{\"consumer\":\"c\",\"event_ids\":[1]}", (headers) -> headers.setBearerAuth("wrong-token"));
			Map<String, Object> problem = assertProblem(response, HttpStatus.UNAUTHORIZED, "UNAUTHORIZED");
			response.expectHeader()
				.valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"interlace\", error=\"invalid_token\"");
			assertThat(problem.toString()).doesNotContain(BEARER_TOKEN, "wrong-token");
		}
		assertThat(rowCount("api_bearer")).isEqualTo(before);
	}

	@Test
	void bearerStreamAcceptsTheRightTokenOnPublishConsumeAndAck() {
		Consumer<HttpHeaders> token = (headers) -> headers.setBearerAuth(BEARER_TOKEN);
		Map<String, Object> published = send("/api/v1/streams/api_bearer", "{\"n\":1}", token).expectStatus()
			.isAccepted()
			.expectBody(MAP)
			.returnResult()
			.getResponseBody();
		send("/api/v1/streams/api_bearer/consume", "{\"consumer\":\"c\"}", token).expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.count")
			.isEqualTo(1);
		send("/api/v1/streams/api_bearer/ack", "{\"consumer\":\"c\",\"event_ids\":[" + published.get("last_rowid") + "]}",
				(headers) -> headers.set(HttpHeaders.AUTHORIZATION, "bearer " + BEARER_TOKEN))
			.expectStatus()
			.isOk();
	}

	@Test
	void apiKeyStreamRejectsAMissingOrWrongKeyWithoutAChallenge() {
		long before = rowCount("api_keyed");
		for (String path : new String[] { "", "/consume", "/ack" }) {
			WebTestClient.ResponseSpec missing = send("/api/v1/streams/api_keyed" + path,
					"{\"consumer\":\"c\",\"event_ids\":[1]}", (headers) -> {
					});
			assertThat((String) assertProblem(missing, HttpStatus.UNAUTHORIZED, "UNAUTHORIZED").get("detail"))
				.contains("'X-API-Key'");
			missing.expectHeader().doesNotExist(HttpHeaders.WWW_AUTHENTICATE);
			WebTestClient.ResponseSpec wrong = send("/api/v1/streams/api_keyed" + path,
					"{\"consumer\":\"c\",\"event_ids\":[1]}", (headers) -> headers.set("X-API-Key", API_KEY + "x"));
			assertThat(assertProblem(wrong, HttpStatus.UNAUTHORIZED, "UNAUTHORIZED").toString()).doesNotContain(API_KEY);
		}
		assertProblem(send("/api/v1/streams/api_keyed", "{\"n\":1}", (headers) -> headers.setBearerAuth(API_KEY)),
				HttpStatus.UNAUTHORIZED, "UNAUTHORIZED");
		assertThat(rowCount("api_keyed")).isEqualTo(before);
	}

	@Test
	void apiKeyStreamAcceptsTheRightKeyOnPublishConsumeAndAck() {
		Consumer<HttpHeaders> key = (headers) -> headers.set("X-API-Key", API_KEY);
		Map<String, Object> published = send("/api/v1/streams/api_keyed", "[{\"n\":1},{\"n\":2}]", key).expectStatus()
			.isAccepted()
			.expectBody(MAP)
			.returnResult()
			.getResponseBody();
		send("/api/v1/streams/api_keyed/consume", "{\"consumer\":\"c\",\"batch_size\":1}", key).expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.count")
			.isEqualTo(1);
		send("/api/v1/streams/api_keyed/ack", "{\"consumer\":\"c\",\"event_ids\":[" + published.get("first_rowid") + "]}",
				key)
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.acknowledged")
			.isEqualTo(1);
	}

	@Test
	void apiKeyStreamReadsTheKeyFromItsConfiguredHeader() {
		assertProblem(send("/api/v1/streams/api_custom_header", "{\"n\":1}",
				(headers) -> headers.set("X-API-Key", "key-secret-4242")), HttpStatus.UNAUTHORIZED, "UNAUTHORIZED");
		send("/api/v1/streams/api_custom_header", "{\"n\":1}", (headers) -> headers.set("X-Stream-Key", "key-secret-4242"))
			.expectStatus()
			.isAccepted();
	}

	@Test
	void protectedStreamsCanStillBeListedAndDescribedWithoutTheirSecrets() {
		String described = this.client.get()
			.uri("/api/v1/streams/api_keyed")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		assertThat(described).contains("\"type\":\"api_key\"").doesNotContain(API_KEY, "X-API-Key");
	}

	@Test
	void unknownStreamOnADataEndpointIsA404EvenWithoutCredentials() {
		assertProblem(send("/api/v1/streams/api_nope", "{\"n\":1}", (headers) -> {
		}), HttpStatus.NOT_FOUND, "RESOURCE_NOT_FOUND");
	}

	@Test
	void rateLimitedStreamAnswers429WithRetryAfterOnceItsOwnRateIsSpent() throws InterruptedException {
		List<EntityExchangeResult<String>> results = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			results.add(publish("api_limited", "{\"n\":" + i + "}").expectBody(String.class).returnResult());
		}
		List<Integer> statuses = results.stream().map((result) -> result.getStatus().value()).toList();
		assertThat(statuses).contains(202, 429).containsOnly(202, 429);
		EntityExchangeResult<String> limited = results.get(statuses.indexOf(429));
		String retryAfter = limited.getResponseHeaders().getFirst(HttpHeaders.RETRY_AFTER);
		assertThat(retryAfter).isNotNull().matches("[1-9][0-9]*");
		Map<String, Object> problem = tools.jackson.databind.json.JsonMapper.shared()
			.readValue(limited.getResponseBody(), Map.class);
		assertThat(problem).containsEntry("code", "RATE_LIMITED")
			.containsEntry("status", 429)
			.containsEntry("retry_after", Integer.parseInt(retryAfter))
			.containsKey("request_id");
		assertThat(limited.getResponseHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(rowCount("api_limited")).isEqualTo(statuses.stream().filter((status) -> status == 202).count());
		publish("api_limited_too", "{\"n\":1}").expectStatus().isAccepted();
		Thread.sleep(Duration.ofSeconds(Integer.parseInt(retryAfter)).toMillis());
		publish("api_limited", "{\"n\":99}").expectStatus().isAccepted();
	}

	private WebTestClient.ResponseSpec send(String path, String json, Consumer<HttpHeaders> headers) {
		return this.client.post()
			.uri(path)
			.contentType(MediaType.APPLICATION_JSON)
			.headers(headers)
			.bodyValue(json)
			.exchange();
	}

}
