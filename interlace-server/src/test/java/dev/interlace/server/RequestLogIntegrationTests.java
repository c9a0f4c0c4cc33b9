package dev.interlace.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.web.reactive.server.WebTestClient;
import dev.interlace.server.web.RequestIdFilter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With {@code interlace.server.request-log=true} and {@code logging.structured.format.console=ecs}, every request is
 * one JSON line with its id, method, path, status and duration, and no credential or payload.
 */
@InterlaceServerTest(properties = { "interlace.server.request-log=true", "logging.structured.format.console=ecs",
		"logging.config=classpath:logback-structured.xml" })
@ActiveProfiles("metrics")
@DirtiesContext
@ExtendWith(OutputCaptureExtension.class)
class RequestLogIntegrationTests {

	@Autowired
	WebTestClient client;

	private final JsonMapper json = JsonMapper.shared();

	@Test
	void eachRequestIsOneJsonLineWithoutSecretsOrPayloads(CapturedOutput output) {
		this.client.post()
			.uri("/api/v1/streams/m_bearer")
			.header("Authorization", "Bearer metrics-secret-1234")
			.header(RequestIdFilter.HEADER, "req-published")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"card\":\"payload-marker-5555\"}")
			.exchange()
			.expectStatus()
			.isAccepted();
		this.client.post()
			.uri("/api/v1/streams/m_bearer")
			.header("Authorization", "Bearer wrong-secret-9876")
			.header("X-API-Key", "key-secret-1111")
			.header(RequestIdFilter.HEADER, "req-refused")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"card\":\"payload-marker-5555\"}")
			.exchange()
			.expectStatus()
			.isUnauthorized();

		List<Map<String, Object>> lines = requestLines(output);
		assertThat(lines).hasSize(2);
		Map<String, Object> published = lines.get(0);
		assertThat(field(published, "http.request.id")).isEqualTo("req-published");
		assertThat(field(published, "http.request.method")).isEqualTo("POST");
		assertThat(field(published, "url.path")).isEqualTo("/api/v1/streams/m_bearer");
		assertThat(field(published, "http.response.status_code")).isEqualTo(202);
		assertThat(field(published, "log.level")).isEqualTo("INFO");
		assertThat(((Number) field(published, "event.duration")).longValue()).isPositive();
		Map<String, Object> refused = lines.get(1);
		assertThat(field(refused, "http.request.id")).isEqualTo("req-refused");
		assertThat(field(refused, "http.response.status_code")).isEqualTo(401);
		assertThat(output.getAll()).doesNotContain("metrics-secret-1234", "wrong-secret-9876", "key-secret-1111",
				"payload-marker-5555");
	}

	/** Follows a dotted ECS name through the nested objects of a line. */
	@SuppressWarnings("unchecked")
	private static Object field(Map<String, Object> line, String name) {
		Object value = line;
		for (String part : name.split("\\.")) {
			assertThat(value).as(name).isInstanceOf(Map.class);
			value = ((Map<String, Object>) value).get(part);
		}
		return value;
	}

	@SuppressWarnings("unchecked")
	private List<Map<String, Object>> requestLines(CapturedOutput output) {
		List<Map<String, Object>> lines = new ArrayList<>();
		for (String line : output.getOut().split("\n")) {
			if (line.startsWith("{") && line.contains("\"logger\":\"dev.interlace.server.requests\"")) {
				lines.add(this.json.readValue(line, Map.class));
			}
		}
		return lines;
	}

}
