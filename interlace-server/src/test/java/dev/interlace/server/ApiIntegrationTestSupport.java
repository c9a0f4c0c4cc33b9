package dev.interlace.server;

import java.util.List;
import java.util.Map;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import dev.interlace.server.web.RequestIdFilter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server on a random port over a DuckDB file in a temporary directory, with the streams of
 * {@code application-api.yml}; one server per test class.
 */
@InterlaceServerTest
@ActiveProfiles("api")
@DirtiesContext
abstract class ApiIntegrationTestSupport {

	static final ParameterizedTypeReference<Map<String, Object>> MAP = StreamsApi.MAP;

	@Autowired
	ApplicationContext context;

	@Autowired
	WebTestClient client;

	@Autowired
	StreamsApi api;

	WebTestClient.ResponseSpec post(String path, String json) {
		return this.api.post(path, json);
	}

	WebTestClient.ResponseSpec publish(String stream, String json) {
		return this.api.publish(stream, json);
	}

	Map<String, Object> describe(String stream) {
		return this.api.describe(stream);
	}

	long rowCount(String stream) {
		return this.api.rowCount(stream);
	}

	Map<String, Object> consume(String stream, String consumer, int batchSize) {
		return this.api.consume(stream, consumer, batchSize);
	}

	/**
	 * The routes the server maps, from its handler mappings.
	 */
	List<MappedRoutes.Route> routes() {
		return MappedRoutes.of(this.context);
	}

	/**
	 * Checks that a response is an RFC 9457 problem with the given status and code, carrying the request id and no
	 * trace of the server's internals, and returns its members.
	 */
	static Map<String, Object> assertProblem(WebTestClient.ResponseSpec response, HttpStatus status, String code) {
		EntityExchangeResult<String> result = response.expectStatus()
			.isEqualTo(status)
			.expectHeader()
			.contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody(String.class)
			.returnResult();
		String body = result.getResponseBody();
		assertThat(body).doesNotContain("Exception", "\tat ", ".java:", "dev.interlace", "org.springframework");
		Map<String, Object> problem = tools.jackson.databind.json.JsonMapper.shared().readValue(body, Map.class);
		assertThat(problem).containsEntry("status", status.value())
			.containsEntry("code", code)
			.containsEntry("title", status.getReasonPhrase())
			.containsKeys("type", "detail", "instance");
		String requestId = result.getResponseHeaders().getFirst(RequestIdFilter.HEADER);
		assertThat(requestId).isNotBlank();
		assertThat(problem).containsEntry("request_id", requestId);
		return problem;
	}

}
