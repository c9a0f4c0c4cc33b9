package dev.interlace.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import dev.interlace.server.streams.StreamsController;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Credentials and rate limits on every endpoint under a stream's path, without an admin token.
 */
@Import(AdmittedRequests.Configuration.class)
@ExtendWith(OutputCaptureExtension.class)
class StreamAccessIntegrationTests extends ApiIntegrationTestSupport {

	private static final String BEARER_TOKEN = "bearer-secret-4711";

	private static final String API_KEY = "key-secret-0815";

	@Autowired
	AdmittedRequests admitted;

	@Test
	void bearerStreamRejectsPublishWithoutATokenWithAChallenge() {
		long before = bearerRowCount();
		WebTestClient.ResponseSpec response = send("/api/v1/streams/api_bearer", "{\"n\":1}", (headers) -> {
		});
		Map<String, Object> problem = assertProblem(response, HttpStatus.UNAUTHORIZED, "UNAUTHORIZED");
		response.expectHeader().valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"interlace\"");
		assertThat((String) problem.get("detail")).contains("requires a bearer token");
		assertThat(bearerRowCount()).isEqualTo(before);
	}

	@Test
	void bearerStreamRejectsAWrongTokenOnEveryDataEndpoint() {
		long before = bearerRowCount();
		for (String path : new String[] { "", "/consume", "/ack" }) {
			WebTestClient.ResponseSpec response = send("/api/v1/streams/api_bearer" + path,
					"{\"consumer\":\"c\",\"event_ids\":[1]}", (headers) -> headers.setBearerAuth("wrong-token"));
			Map<String, Object> problem = assertProblem(response, HttpStatus.UNAUTHORIZED, "UNAUTHORIZED");
			response.expectHeader()
				.valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"interlace\", error=\"invalid_token\"");
			assertThat(problem.toString()).doesNotContain(BEARER_TOKEN, "wrong-token");
		}
		assertThat(bearerRowCount()).isEqualTo(before);
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
		long before = keyedRowCount();
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
		assertThat(keyedRowCount()).isEqualTo(before);
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
	void protectedStreamsAreListedButDescribedOnlyWithTheirCredentialsAndWithoutTheirSecrets() {
		assertThat(this.client.get().uri("/api/v1/streams").exchange().expectStatus().isOk().expectBody(String.class)
			.returnResult().getResponseBody()).contains("\"api_keyed\"").doesNotContain(API_KEY);
		assertProblem(this.client.get().uri("/api/v1/streams/api_keyed").exchange(), HttpStatus.UNAUTHORIZED,
				"UNAUTHORIZED");
		String described = StreamsApi
			.okBody(this.client.get().uri("/api/v1/streams/api_keyed").header("X-API-Key", API_KEY).exchange());
		assertThat(described).contains("\"type\":\"api_key\"").doesNotContain(API_KEY, "X-API-Key");
	}

	@Test
	void startUpWarnsThatWithoutAnAdminTokenListingMetricsAndHealthDetailsAreOpen(CapturedOutput output) {
		assertThat(output.getAll()).contains("interlace.server.admin-token is not set")
			.contains("api_bearer", "api_keyed");
	}

	@Test
	void headOnSubscribeOfAProtectedStreamIsRefusedWithoutCredentialsBeforeAnyReplay() {
		int before = this.admitted.to("/api/v1/streams/api_bearer/subscribe").size();
		this.client.head()
			.uri("/api/v1/streams/api_bearer/subscribe?from=0")
			.exchange()
			.expectStatus()
			.isUnauthorized()
			.expectHeader()
			.valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"interlace\"");
		assertThat(this.admitted.to("/api/v1/streams/api_bearer/subscribe")).hasSize(before);
	}

	@Test
	void everyMappedRouteUnderAProtectedStreamRefusesEveryMethodWithoutCredentials() {
		assertEveryStreamRouteRefusesWithoutCredentials(this.context, this.client, this.admitted, "api_bearer",
				this::bearerRowCount);
		assertEveryStreamRouteRefusesWithoutCredentials(this.context, this.client, this.admitted, "api_keyed",
				this::keyedRowCount);
	}

	/**
	 * Sends every method to every mapped route under the stream's path without credentials, and checks that each is
	 * answered 401 before reaching a handler, and that the stream's row count did not change.
	 */
	static void assertEveryStreamRouteRefusesWithoutCredentials(ApplicationContext context, WebTestClient client,
			AdmittedRequests admitted, String stream, java.util.function.LongSupplier rowCount) {
		List<MappedRoutes.Route> routes = MappedRoutes.of(context)
			.stream()
			.filter((route) -> route.isUnder(StreamsController.BASE_PATH + "/{name}"))
			.toList();
		assertThat(routes).extracting(MappedRoutes.Route::pattern)
			.contains("/api/v1/streams/{name}", "/api/v1/streams/{name}/subscribe", "/api/v1/streams/{name}/consume",
					"/api/v1/streams/{name}/ack");
		assertThat(routes).as("the router function's publish route").anyMatch((route) -> route.source()
			.contains("routerFunctionMapping") && route.pattern().equals("/api/v1/streams/{name}"));
		long rows = rowCount.getAsLong();
		String prefix = StreamsController.BASE_PATH + "/" + stream;
		int before = admitted.to(prefix).size();
		List<String> answered = new ArrayList<>();
		for (MappedRoutes.Route route : routes) {
			for (HttpMethod method : MappedRoutes.METHODS) {
				String path = route.path(stream) + "?from=0";
				WebTestClient.RequestBodySpec request = client.method(method).uri(path);
				WebTestClient.ResponseSpec response = (method == HttpMethod.POST || method == HttpMethod.PUT
						|| method == HttpMethod.PATCH)
						? request.contentType(MediaType.APPLICATION_JSON)
							.bodyValue("{\"n\":1,\"consumer\":\"c\",\"event_ids\":[1]}")
							.exchange()
						: request.exchange();
				int status = response.returnResult(String.class).getStatus().value();
				answered.add(method + " " + path + " (" + route.source() + ") -> " + status);
			}
		}
		assertThat(answered).allMatch((line) -> line.endsWith("-> 401"));
		assertThat(admitted.to(prefix)).as("requests that got past the access filter").hasSize(before);
		assertThat(rowCount.getAsLong()).isEqualTo(rows);
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
		publish("api_limited_too", "{\"n\":1}").expectStatus().isAccepted();
		Thread.sleep(Duration.ofSeconds(Integer.parseInt(retryAfter)).toMillis());
		// Describing counts against the limit too: the next publish's rowid tells how many rows the burst stored.
		Map<String, Object> next = publish("api_limited", "{\"n\":99}").expectStatus()
			.isAccepted()
			.expectBody(MAP)
			.returnResult()
			.getResponseBody();
		assertThat(((Number) next.get("first_rowid")).longValue() - 1)
			.isEqualTo(statuses.stream().filter((status) -> status == 202).count());
	}

	private long bearerRowCount() {
		return rowCount("api_bearer", (headers) -> headers.setBearerAuth(BEARER_TOKEN));
	}

	private long keyedRowCount() {
		return rowCount("api_keyed", (headers) -> headers.set("X-API-Key", API_KEY));
	}

	private long rowCount(String stream, Consumer<HttpHeaders> credentials) {
		return this.api.rowCount(stream, credentials);
	}

	private WebTestClient.ResponseSpec send(String path, String json, Consumer<HttpHeaders> headers) {
		return this.api.post(path, json, headers);
	}

}
