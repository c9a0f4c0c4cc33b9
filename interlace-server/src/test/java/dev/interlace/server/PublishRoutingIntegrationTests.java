package dev.interlace.server;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;

import dev.interlace.server.web.RequestIdFilter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A stream's own path is answered by the router function for every method but describing: publishes with their
 * content negotiation (415, then 406, before the body is read), {@code OPTIONS}, and 405 with {@code Allow} for the
 * rest, while {@code GET} and {@code HEAD} still describe.
 */
class PublishRoutingIntegrationTests extends ApiIntegrationTestSupport {

	private static final String REJECTS = "/api/v1/streams/api_rejects";

	private static final String ALLOW = "GET,HEAD,POST,OPTIONS";

	@LocalServerPort
	int port;

	private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	@AfterEach
	void rejectedRequestsStoredNothing() {
		assertThat(rowCount("api_rejects")).isZero();
	}

	@Test
	void publishOfJsonIsAcceptedWhateverJsonSubtypeOrAcceptHeaderAdmitsJson() throws Exception {
		long before = rowCount("api_open");
		for (String contentType : List.of("application/json", "application/json;charset=UTF-8",
				"application/vnd.orders+json")) {
			for (String accept : new String[] { null, "*/*", "application/json", "application/*",
					"text/plain, application/json;q=0.5" }) {
				HttpResponse<String> response = send("POST", "/api/v1/streams/api_open", contentType, accept,
						"{\"n\":1}");
				assertThat(response.statusCode()).as(contentType + " / " + accept).isEqualTo(202);
				assertThat(response.headers().firstValue(HttpHeaders.CONTENT_TYPE)).hasValue("application/json");
				assertThat(response.body()).startsWith("{\"status\":\"accepted\",\"stream\":\"api_open\","
						+ "\"rows_received\":1,\"publish_id\":\"");
			}
		}
		assertThat(rowCount("api_open")).isEqualTo(before + 15);
	}

	@Test
	void bodyOfAnotherMediaTypeIsA415NamingTheTypesRead() throws Exception {
		for (String contentType : new String[] { "text/plain", "application/x-ndjson", "application/xml", "foo",
				"application/json;charset=nope", null }) {
			HttpResponse<String> response = send("POST", REJECTS, contentType, null, "{\"n\":1}");
			Map<String, Object> problem = assertProblem(response, HttpStatus.UNSUPPORTED_MEDIA_TYPE,
					"UNSUPPORTED_MEDIA_TYPE");
			assertThat((String) problem.get("detail")).as(contentType)
				.endsWith("; send application/json, application/*+json");
			assertThat(response.headers().firstValue(HttpHeaders.ACCEPT))
				.hasValue("application/json, application/*+json");
		}
		assertThat(assertProblem(send("POST", REJECTS, "text/plain", null, "{}"), HttpStatus.UNSUPPORTED_MEDIA_TYPE,
				"UNSUPPORTED_MEDIA_TYPE"))
			.containsEntry("detail", "Content-Type 'text/plain' is not supported; send application/json, "
					+ "application/*+json");
	}

	@Test
	void unsupportedMediaTypeWinsOverAnAcceptHeaderAdmittingNoJson() throws Exception {
		assertProblem(send("POST", REJECTS, "text/plain", "text/plain", "{\"n\":1}"),
				HttpStatus.UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE");
	}

	@Test
	void acceptHeaderAdmittingNoJsonIsA406BeforeTheBodyIsRead() throws Exception {
		for (String accept : List.of("text/plain", "application/problem+json", "text/event-stream", "foo")) {
			// Not JSON: a body that were read would be a 400.
			HttpResponse<String> response = send("POST", REJECTS, "application/json", accept, "not json");
			Map<String, Object> problem = assertProblem(response, HttpStatus.NOT_ACCEPTABLE, "NOT_ACCEPTABLE");
			assertThat((String) problem.get("detail")).as(accept).contains("application/json");
			assertThat(response.headers().firstValue(HttpHeaders.ACCEPT)).hasValue("application/json");
		}
	}

	@Test
	void otherMethodsAreA405WithEveryMethodThePathAnswers() throws Exception {
		for (String method : List.of("PUT", "PATCH", "DELETE", "TRACE", "PROPFIND")) {
			HttpResponse<String> response = send(method, REJECTS, "application/json", null, "{\"n\":1}");
			Map<String, Object> problem = assertProblem(response, HttpStatus.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED");
			assertThat(response.headers().firstValue(HttpHeaders.ALLOW)).as(method).hasValue(ALLOW);
			assertThat((String) problem.get("detail")).isEqualTo("Method " + method
					+ " is not supported here; allowed: GET, HEAD, POST, OPTIONS");
		}
	}

	@Test
	void allowListsTheMethodsMappedForTheStreamPathInEitherMapping() {
		Set<HttpMethod> mapped = new LinkedHashSet<>();
		routes()
			.stream()
			.filter((route) -> route.pattern().equals("/api/v1/streams/{name}"))
			.forEach((route) -> mapped.addAll(route.methods()));
		// The 405 route's predicate names the methods it leaves to describing: GET and HEAD.
		assertThat(mapped).extracting(HttpMethod::name).containsExactlyInAnyOrder(ALLOW.split(","));
	}

	@Test
	void optionsAnswersTheAllowedMethodsAndTheMediaTypesAPublishMayBeSentAs() throws Exception {
		HttpResponse<String> response = send("OPTIONS", REJECTS, null, null, null);
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue(HttpHeaders.ALLOW)).hasValue(ALLOW);
		assertThat(response.headers().firstValue("Accept-Post")).hasValue("application/json, application/*+json");
		assertThat(response.body()).isEmpty();
	}

	@Test
	void getAndHeadStillDescribeTheStream() throws Exception {
		HttpResponse<String> get = send("GET", REJECTS, null, null, null);
		assertThat(get.statusCode()).isEqualTo(200);
		assertThat(get.body()).startsWith("{\"name\":\"api_rejects\",");
		HttpResponse<String> head = send("HEAD", REJECTS, null, null, null);
		assertThat(head.statusCode()).isEqualTo(200);
		assertThat(head.headers().firstValue(HttpHeaders.CONTENT_TYPE)).hasValue("application/json");
		assertThat(head.body()).isEmpty();
	}

	@Test
	void unknownStreamIsA404WhateverTheMethodOrMediaType() throws Exception {
		for (String method : List.of("POST", "OPTIONS", "DELETE")) {
			assertProblem(send(method, "/api/v1/streams/api_nope", "text/plain", "text/plain", "{}"),
					HttpStatus.NOT_FOUND, "RESOURCE_NOT_FOUND");
		}
	}

	@Test
	void protectedStreamIsA401BeforeAnyNegotiation() throws Exception {
		for (String method : List.of("POST", "OPTIONS", "DELETE")) {
			assertProblem(send(method, "/api/v1/streams/api_bearer", "text/plain", "text/plain", "{}"),
					HttpStatus.UNAUTHORIZED, "UNAUTHORIZED");
		}
	}

	private HttpResponse<String> send(String method, String path, String contentType, String accept, String body)
			throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path));
		if (contentType != null) {
			request.header(HttpHeaders.CONTENT_TYPE, contentType);
		}
		if (accept != null) {
			request.header(HttpHeaders.ACCEPT, accept);
		}
		request.method(method, (body != null) ? HttpRequest.BodyPublishers.ofString(body)
				: HttpRequest.BodyPublishers.noBody());
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	/** The checks of {@link ApiIntegrationTestSupport#assertProblem} on a response read with the JDK's client. */
	private static Map<String, Object> assertProblem(HttpResponse<String> response, HttpStatus status, String code) {
		assertThat(response.statusCode()).isEqualTo(status.value());
		assertThat(response.headers().firstValue(HttpHeaders.CONTENT_TYPE))
			.hasValue(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
		assertThat(response.body()).doesNotContain("Exception", "\tat ", ".java:", "dev.interlace",
				"org.springframework");
		@SuppressWarnings("unchecked")
		Map<String, Object> problem = tools.jackson.databind.json.JsonMapper.shared().readValue(response.body(),
				Map.class);
		assertThat(problem).containsEntry("status", status.value())
			.containsEntry("code", code)
			.containsEntry("title", status.getReasonPhrase())
			.containsKeys("type", "detail", "instance");
		assertThat(problem).containsEntry("request_id",
				response.headers().firstValue(RequestIdFilter.HEADER).orElseThrow());
		return problem;
	}

}
