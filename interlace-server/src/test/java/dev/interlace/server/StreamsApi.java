package dev.interlace.server;

import java.util.Map;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The streams API as tests call it over a {@link WebTestClient}: JSON posts, publishes, descriptions, consumes and
 * subscriptions. Reads that a test only builds on expect success; everything else is the test's to check.
 */
final class StreamsApi {

	static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {
	};

	static final ParameterizedTypeReference<ServerSentEvent<String>> SSE = new ParameterizedTypeReference<>() {
	};

	private static final Consumer<HttpHeaders> NO_HEADERS = (headers) -> {
	};

	private final WebTestClient client;

	StreamsApi(WebTestClient client) {
		this.client = client;
	}

	WebTestClient.ResponseSpec post(String path, String json) {
		return post(path, json, NO_HEADERS);
	}

	WebTestClient.ResponseSpec post(String path, String json, Consumer<HttpHeaders> headers) {
		return this.client.post()
			.uri(path)
			.contentType(MediaType.APPLICATION_JSON)
			.headers(headers)
			.bodyValue(json)
			.exchange();
	}

	WebTestClient.ResponseSpec publish(String stream, String json) {
		return post("/api/v1/streams/" + stream, json);
	}

	/**
	 * Publishes, expecting 202 Accepted, and returns the publish result.
	 */
	Map<String, Object> published(String stream, String json) {
		return publish(stream, json).expectStatus()
			.isAccepted()
			.expectBody(MAP)
			.returnResult()
			.getResponseBody();
	}

	/**
	 * Reads a JSON object, expecting 200 OK.
	 */
	Map<String, Object> get(String uri) {
		return get(uri, NO_HEADERS);
	}

	Map<String, Object> get(String uri, Consumer<HttpHeaders> headers) {
		return okJson(this.client.get().uri(uri).headers(headers).exchange());
	}

	Map<String, Object> describe(String stream) {
		return describe(stream, NO_HEADERS);
	}

	Map<String, Object> describe(String stream, Consumer<HttpHeaders> credentials) {
		return get("/api/v1/streams/" + stream, credentials);
	}

	long rowCount(String stream) {
		return rowCount(describe(stream));
	}

	long rowCount(String stream, Consumer<HttpHeaders> credentials) {
		return rowCount(describe(stream, credentials));
	}

	static long rowCount(Map<String, Object> description) {
		return ((Number) description.get("row_count")).longValue();
	}

	Map<String, Object> consume(String stream, String consumer, int batchSize) {
		return okJson(post("/api/v1/streams/" + stream + "/consume",
				"{\"consumer\":\"" + consumer + "\",\"batch_size\":" + batchSize + "}"));
	}

	/**
	 * Checks that a response is 200 OK and returns its body as a JSON object.
	 */
	static Map<String, Object> okJson(WebTestClient.ResponseSpec response) {
		return response.expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody();
	}

	/**
	 * Checks that a response is 200 OK and returns its body as text.
	 */
	static String okBody(WebTestClient.ResponseSpec response) {
		return response.expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
	}

	/**
	 * Asks for an event stream, resuming after {@code lastEventId} if given, and leaves the response to the caller.
	 */
	WebTestClient.ResponseSpec subscription(String uri, @Nullable String lastEventId) {
		return this.client.get()
			.uri(uri)
			.accept(MediaType.TEXT_EVENT_STREAM)
			.headers((headers) -> {
				if (lastEventId != null) {
					headers.set("Last-Event-ID", lastEventId);
				}
			})
			.exchange();
	}

	/**
	 * Subscribes, expecting an event stream, and returns its events, comments included.
	 */
	Flux<ServerSentEvent<String>> subscribe(String uri, @Nullable String lastEventId) {
		return subscription(uri, lastEventId).expectStatus()
			.isOk()
			.expectHeader()
			.contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM)
			.returnResult(SSE)
			.getResponseBody();
	}

}
