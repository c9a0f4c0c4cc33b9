package dev.interlace.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * A blocking JSON client of one running server, safe to share between threads; every request has a timeout, so
 * that a hanging server fails a test rather than holding it.
 */
final class HttpJson {

	static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);

	private static final JsonMapper JSON = JsonMapper.shared();

	private final HttpClient client = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	private final String base;

	HttpJson(String base) {
		this.base = base;
	}

	static HttpJson of(ConfigurableApplicationContext context) {
		return new HttpJson(baseUrl(context));
	}

	static String baseUrl(ConfigurableApplicationContext context) {
		return "http://localhost:" + context.getEnvironment().getRequiredProperty("local.server.port");
	}

	Answer get(String path) {
		return send(HttpRequest.newBuilder(URI.create(this.base + path)).GET());
	}

	Answer post(String path, String json) {
		return send(HttpRequest.newBuilder(URI.create(this.base + path))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(json)));
	}

	Answer publish(String stream, String json) {
		return post("/api/v1/streams/" + stream, json);
	}

	Answer consume(String stream, String consumer, int batchSize) {
		return post("/api/v1/streams/" + stream + "/consume",
				"{\"consumer\":\"" + consumer + "\",\"batch_size\":" + batchSize + "}");
	}

	Answer ack(String stream, String consumer, long rowid) {
		return post("/api/v1/streams/" + stream + "/ack",
				"{\"consumer\":\"" + consumer + "\",\"event_ids\":[" + rowid + "]}");
	}

	private Answer send(HttpRequest.Builder request) {
		long start = System.nanoTime();
		try {
			HttpResponse<String> response = this.client.send(
					request.timeout(REQUEST_TIMEOUT).header("Accept", "application/json, application/problem+json")
						.build(),
					HttpResponse.BodyHandlers.ofString());
			return new Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
					response.headers().firstValue("Retry-After").orElse(null), response.body(),
					Duration.ofNanos(System.nanoTime() - start));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * One response.
	 */
	record Answer(int status, String contentType, String retryAfter, String body, Duration elapsed) {

		@SuppressWarnings("unchecked")
		Map<String, Object> json() {
			return JSON.readValue(this.body, Map.class);
		}

		long longValue(String member) {
			return ((Number) json().get(member)).longValue();
		}

		@SuppressWarnings("unchecked")
		List<Map<String, Object>> events() {
			return (List<Map<String, Object>>) json().get("events");
		}

		@Override
		public String toString() {
			return this.status + " " + this.contentType + " after " + this.elapsed.toMillis() + " ms: " + this.body;
		}

	}

}
