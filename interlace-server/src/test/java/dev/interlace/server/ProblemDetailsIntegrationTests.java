package dev.interlace.server;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.server.WebFilter;

import dev.interlace.core.StoreException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every failure is an RFC 9457 problem with a code and the request id, whether raised by the API, a web filter or the
 * framework, and no rejected request stores anything.
 */
class ProblemDetailsIntegrationTests extends ApiIntegrationTestSupport {

	private static final String REJECTS = "/api/v1/streams/api_rejects";

	@AfterEach
	void rejectedRequestsStoredNothing() {
		assertThat(rowCount("api_rejects")).isZero();
	}

	@Test
	void unknownStreamIsA404OnEveryEndpoint() {
		Map<String, Object> problem = assertProblem(this.client.get().uri("/api/v1/streams/nope").exchange(),
				HttpStatus.NOT_FOUND, "RESOURCE_NOT_FOUND");
		assertThat(problem.get("detail")).isEqualTo("Stream 'nope' does not exist");
		assertThat(problem).containsEntry("instance", "/api/v1/streams/nope");
		assertProblem(post("/api/v1/streams/nope", "{\"a\":1}"), HttpStatus.NOT_FOUND, "RESOURCE_NOT_FOUND");
		assertProblem(post("/api/v1/streams/nope", "[]"), HttpStatus.NOT_FOUND, "RESOURCE_NOT_FOUND");
		assertProblem(post("/api/v1/streams/nope/consume", "{\"consumer\":\"c\"}"), HttpStatus.NOT_FOUND,
				"RESOURCE_NOT_FOUND");
		assertProblem(post("/api/v1/streams/nope/ack", "{\"consumer\":\"c\",\"event_ids\":[1]}"),
				HttpStatus.NOT_FOUND, "RESOURCE_NOT_FOUND");
	}

	@Test
	void unknownPathIsA404Problem() {
		Map<String, Object> problem = assertProblem(this.client.get().uri("/api/v2/streams").exchange(),
				HttpStatus.NOT_FOUND, "RESOURCE_NOT_FOUND");
		assertThat(problem.get("detail")).isEqualTo("No endpoint GET /api/v2/streams");
		assertProblem(this.client.get().uri("/api/v1/streams/api_open/history").exchange(), HttpStatus.NOT_FOUND,
				"RESOURCE_NOT_FOUND");
		assertProblem(this.client.get().uri("/").exchange(), HttpStatus.NOT_FOUND, "RESOURCE_NOT_FOUND");
	}

	@Test
	void wrongMethodIsA405WithTheAllowedMethods() {
		OneResponse response = new OneResponse(
				this.client.delete().uri("/api/v1/streams/api_rejects").exchange());
		assertProblem(response.spec, HttpStatus.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED");
		response.spec.expectHeader().value(HttpHeaders.ALLOW, (allow) -> assertThat(allow).contains("GET", "POST"));
		assertProblem(this.client.get().uri(REJECTS + "/consume").exchange(), HttpStatus.METHOD_NOT_ALLOWED,
				"METHOD_NOT_ALLOWED");
		assertProblem(this.client.put().uri(REJECTS + "/ack").bodyValue("{}").exchange(),
				HttpStatus.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED");
	}

	@Test
	void bodyThatIsNotJsonIsA415() {
		for (String path : new String[] { REJECTS, REJECTS + "/consume", REJECTS + "/ack" }) {
			assertProblem(this.client.post().uri(path).contentType(MediaType.TEXT_PLAIN).bodyValue("{\"a\":1}").exchange(),
					HttpStatus.UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE");
		}
		assertProblem(this.client.post()
			.uri(REJECTS)
			.contentType(MediaType.APPLICATION_FORM_URLENCODED)
			.bodyValue("a=1")
			.exchange(), HttpStatus.UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE");
		assertProblem(this.client.post().uri(REJECTS).bodyValue("{\"a\":1}".getBytes(StandardCharsets.UTF_8)).exchange(),
				HttpStatus.UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE");
	}

	@Test
	void acceptingNoJsonIsA406() {
		assertProblem(this.client.get().uri("/api/v1/streams/api_open").accept(MediaType.TEXT_PLAIN).exchange(),
				HttpStatus.NOT_ACCEPTABLE, "NOT_ACCEPTABLE");
	}

	@Test
	void bodyOverTheLimitIsA413BeforeItIsRead() {
		Map<String, Object> problem = assertProblem(publishRejects(largeEvent()), HttpStatus.CONTENT_TOO_LARGE,
				"PAYLOAD_TOO_LARGE");
		assertThat((String) problem.get("detail")).contains("65536 bytes", "interlace.server.max-body-size");
	}

	@Test
	void chunkedBodyOverTheLimitIsA413() {
		byte[] bytes = largeEvent().getBytes(StandardCharsets.UTF_8);
		Flux<DataBuffer> chunks = Flux.range(0, bytes.length / 4096 + 1)
			.map((i) -> DefaultDataBufferFactory.sharedInstance
				.wrap(java.nio.ByteBuffer.wrap(bytes, i * 4096, Math.min(4096, bytes.length - i * 4096))));
		assertProblem(this.client.post()
			.uri(REJECTS)
			.contentType(MediaType.APPLICATION_JSON)
			.body(BodyInserters.fromDataBuffers(chunks))
			.exchange(), HttpStatus.CONTENT_TOO_LARGE, "PAYLOAD_TOO_LARGE");
	}

	@Test
	void malformedJsonIsA400NamingWhereItBroke() {
		Map<String, Object> problem = assertProblem(publishRejects("{\"a\": 1,,}"), HttpStatus.BAD_REQUEST,
				"INVALID_REQUEST");
		assertThat((String) problem.get("detail")).startsWith("Request body is not valid JSON").contains("line 1");
		assertProblem(publishRejects("{\"a\": 1} {\"b\": 2}"), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
		assertProblem(publishRejects("[{\"a\": 1}"), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
		assertProblem(post(REJECTS + "/consume", "{consumer: c}"), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
	}

	@Test
	void emptyOrNullBodyIsA400() {
		assertProblem(this.client.post().uri(REJECTS).contentType(MediaType.APPLICATION_JSON).exchange(),
				HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
		assertProblem(publishRejects("null"), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
		assertProblem(publishRejects("   "), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
	}

	@Test
	void bodyThatIsNeitherAnObjectNorAnArrayIsA400() {
		Map<String, Object> problem = assertProblem(publishRejects("42"), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
		assertThat(problem.get("detail"))
			.isEqualTo("Request body is a number; expected a JSON object or an array of JSON objects");
		assertProblem(publishRejects("\"text\""), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
		assertProblem(publishRejects("true"), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
	}

	@Test
	void arrayWithANonObjectItemIsA400NamingTheRowIndex() {
		Map<String, Object> problem = assertProblem(publishRejects("[{\"a\":1},[2],{\"a\":3}]"),
				HttpStatus.BAD_REQUEST, "VALIDATION_ERROR");
		assertThat(problem).containsEntry("row_index", 1).containsEntry("field", null);
		assertThat((String) problem.get("detail")).contains("Event 1", "is an array; expected a JSON object");
		assertThat(assertProblem(publishRejects("[{\"a\":1},{\"a\":2},null]"), HttpStatus.BAD_REQUEST,
				"VALIDATION_ERROR"))
			.containsEntry("row_index", 2);
	}

	@Test
	void missingRequiredFieldIsA400NamingTheFieldAndRow() {
		long before = rowCount("api_typed");
		Map<String, Object> problem = assertProblem(post("/api/v1/streams/api_typed",
				"[" + typedOrder("o-1", "1") + ", {\"order_id\":\"o-2\"}]"), HttpStatus.BAD_REQUEST, "VALIDATION_ERROR");
		assertThat(problem).containsEntry("row_index", 1).containsKey("field");
		assertThat((String) problem.get("detail")).contains("is required");
		assertThat(rowCount("api_typed")).isEqualTo(before);
	}

	@Test
	void wrongTypeIsA400NamingTheFieldAndRow() {
		long before = rowCount("api_typed");
		Map<String, Object> problem = assertProblem(
				post("/api/v1/streams/api_typed", "[" + typedOrder("o-1", "1") + "," + typedOrder("o-2", "\"many\"") + "]"),
				HttpStatus.BAD_REQUEST, "VALIDATION_ERROR");
		assertThat(problem).containsEntry("row_index", 1).containsEntry("field", "quantity");
		assertThat((String) problem.get("detail")).contains("expects int64");
		assertThat(rowCount("api_typed")).isEqualTo(before);
	}

	@Test
	void undeclaredFieldOnAValidatedStreamIsA400NamingIt() {
		String extra = typedOrder("o-1", "1").replaceFirst("\\{", "{\"coupon\":\"x\",");
		assertThat(assertProblem(post("/api/v1/streams/api_typed", extra), HttpStatus.BAD_REQUEST, "VALIDATION_ERROR"))
			.containsEntry("row_index", 0)
			.containsEntry("field", "coupon");
	}

	@Test
	void deeplyNestedJsonIsA400RatherThanAStackOverflow() {
		String deep = "{\"a\":" + "[".repeat(20_000) + "]".repeat(20_000) + "}";
		Map<String, Object> problem = assertProblem(publishRejects(deep), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
		assertThat(problem.get("detail")).isEqualTo("Request body nests JSON deeper than 64 levels");
	}

	@Test
	void duplicateKeysAreA400() {
		assertProblem(publishRejects("{\"a\":1,\"a\":2}"), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
	}

	@Test
	void consumeWithoutAConsumerOrWithABatchSizeOutOfRangeIsA400() {
		assertProblem(post(REJECTS + "/consume", "{}"), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
		assertProblem(post(REJECTS + "/consume", "{\"consumer\":\" \"}"), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
		assertProblem(post(REJECTS + "/consume", "[]"), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
		for (String size : new String[] { "0", "10001", "-1", "1.5", "\"ten\"", "99999999999999999999" }) {
			Map<String, Object> problem = assertProblem(
					post(REJECTS + "/consume", "{\"consumer\":\"c\",\"batch_size\":" + size + "}"),
					HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
			assertThat((String) problem.get("detail")).contains("between 1 and 10000");
		}
	}

	@Test
	void ackWithoutUsableRowidsIsA400() {
		for (String body : new String[] { "{\"consumer\":\"c\"}", "{\"event_ids\":[1]}",
				"{\"consumer\":\"c\",\"event_ids\":[\"1\"]}",
				"{\"consumer\":\"c\",\"event_ids\":[0]}", "{\"consumer\":\"c\",\"events\":[{\"n\":1}]}",
				"{\"consumer\":\"c\",\"events\":[1]}", "{\"consumer\":\"c\",\"events\":[],\"event_ids\":[1]}",
				"{\"consumer\":\"c\",\"event_ids\":7}" }) {
			assertProblem(post(REJECTS + "/ack", body), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
		}
	}

	@Test
	void unexpectedFailureIsA500WithoutItsMessageOrStackTrace() {
		Map<String, Object> problem = assertInternalErrorWithout("/test/failures/internal", "hunter2", "IllegalState");
		assertThat((String) problem.get("detail")).contains("request id");
	}

	@Test
	void failureInAWebFilterIsAProblemToo() {
		assertInternalErrorWithout("/test/failures/filter", "hunter2");
	}

	@Test
	void storeFailureIsA503WithRetryAfter() {
		OneResponse response = new OneResponse(this.client.get().uri("/test/failures/store").exchange());
		Map<String, Object> problem = assertProblem(response.spec, HttpStatus.SERVICE_UNAVAILABLE,
				"SERVICE_UNAVAILABLE");
		// The circuit breaker's open duration, 2 s by default.
		response.spec.expectHeader().valueEquals(HttpHeaders.RETRY_AFTER, "2");
		assertThat(problem).containsEntry("retry_after", 2);
		assertThat(problem.toString()).doesNotContain("hunter2");
	}

	/**
	 * Checks that a request fails as a 500 problem whose body shows none of the given secrets, and returns its
	 * members.
	 */
	private Map<String, Object> assertInternalErrorWithout(String uri, String... secrets) {
		String body = this.client.get()
			.uri(uri)
			.exchange()
			.expectStatus()
			.isEqualTo(HttpStatus.INTERNAL_SERVER_ERROR)
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		assertThat(body).doesNotContain(secrets);
		return assertProblem(this.client.get().uri(uri).exchange(), HttpStatus.INTERNAL_SERVER_ERROR,
				"INTERNAL_ERROR");
	}

	private WebTestClient.ResponseSpec publishRejects(String json) {
		return post(REJECTS, json);
	}

	private static String largeEvent() {
		return "{\"text\":\"" + "x".repeat(70_000) + "\"}";
	}

	private static String typedOrder(String id, String quantity) {
		return "{\"order_id\":\"" + id + "\",\"amount\":\"9.99\",\"quantity\":" + quantity
				+ ",\"placed_at\":\"2024-05-01T12:00:00Z\",\"day\":\"2024-05-01\",\"paid\":true,\"details\":{}}";
	}

	/** Keeps one exchange's response for several assertions. */
	private record OneResponse(WebTestClient.ResponseSpec spec) {
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class FailingEndpoints {

		@Bean
		RouterFunction<ServerResponse> failingRoutes() {
			return RouterFunctions.route()
				.GET("/test/failures/internal", (request) -> {
					throw new IllegalStateException("connection to db failed, password=hunter2");
				})
				.GET("/test/failures/store",
						(request) -> Mono.error(new StoreException("DuckDB said: password=hunter2 is wrong")))
				.build();
		}

		@Bean
		WebFilter failingFilter() {
			return (exchange, chain) -> exchange.getRequest().getPath().value().equals("/test/failures/filter")
					? Mono.error(new IllegalArgumentException("filter broke, password=hunter2")) : chain.filter(exchange);
		}

	}

}
