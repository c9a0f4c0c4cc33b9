package dev.interlace.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.test.context.TestPropertySource;
import dev.interlace.server.streams.StreamsController;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin role: with {@code interlace.server.admin-token} set, listing and describing streams, metrics, every other
 * path outside a stream's and health details need the admin token, while the health probes stay open.
 */
@Import(AdmittedRequests.Configuration.class)
@TestPropertySource(properties = { "interlace.server.admin-token=" + AdminAccessIntegrationTests.ADMIN_TOKEN,
		"interlace.server.auth-failure-limit.max-failures=100000" })
class AdminAccessIntegrationTests extends ApiIntegrationTestSupport {

	static final String ADMIN_TOKEN = "admin-secret-2718";

	private static final String BEARER_TOKEN = "bearer-secret-4711";

	/** Paths that stay open with an admin token set. */
	private static final List<String> OPEN = List.of("/actuator/health", "/actuator/health/liveness",
			"/actuator/health/readiness");

	@Autowired
	AdmittedRequests admitted;

	@Test
	void everyMappedRouteOutsideAStreamExceptTheProbesRefusesEveryMethodWithoutTheAdminToken() {
		List<MappedRoutes.Route> routes = routes()
			.stream()
			.filter((route) -> !route.isUnder(StreamsController.BASE_PATH + "/{name}"))
			.filter((route) -> !OPEN.contains(route.path("x")))
			.toList();
		assertThat(routes).extracting(MappedRoutes.Route::pattern)
			.contains("/api/v1/streams", "/actuator/prometheus", "/actuator/health/{*path}");
		List<String> answered = new ArrayList<>();
		for (MappedRoutes.Route route : routes) {
			String path = route.path("x");
			for (HttpMethod method : MappedRoutes.METHODS) {
				answered.add(method + " " + path + " (" + route.source() + ") -> "
						+ this.client.method(method).uri(path).exchange().returnResult(String.class).getStatus().value());
				answered.add(method + " " + path + " wrong token -> " + status(method, path, BEARER_TOKEN));
			}
		}
		assertThat(answered).allMatch((line) -> line.endsWith("-> 401"));
		List<String> withToken = new ArrayList<>();
		for (MappedRoutes.Route route : routes) {
			for (HttpMethod method : route.mappedMethods()) {
				String path = route.path("x");
				withToken.add(method + " " + path + " -> " + status(method, path, ADMIN_TOKEN));
			}
		}
		assertThat(withToken).noneMatch((line) -> line.endsWith("-> 401"));
	}

	@Test
	void everyMappedRouteUnderAProtectedStreamStillRefusesEveryMethodWithoutCredentials() {
		StreamAccessIntegrationTests.assertEveryStreamRouteRefusesWithoutCredentials(this.context, this.client,
				this.admitted, "api_bearer", () -> rowCount("api_bearer", ADMIN_TOKEN));
	}

	@Test
	void listingNeedsTheAdminToken() {
		Map<String, Object> problem = assertProblem(this.client.get().uri("/api/v1/streams").exchange(),
				HttpStatus.UNAUTHORIZED, "UNAUTHORIZED");
		assertThat((String) problem.get("detail")).contains("admin token");
		assertProblem(this.client.get()
			.uri("/api/v1/streams")
			.headers((headers) -> headers.setBearerAuth(ADMIN_TOKEN + "x"))
			.exchange(), HttpStatus.UNAUTHORIZED, "UNAUTHORIZED")
			.toString();
		this.client.get()
			.uri("/api/v1/streams")
			.headers((headers) -> headers.setBearerAuth(ADMIN_TOKEN))
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.streams[?(@.name == 'api_bearer')]")
			.exists();
	}

	@Test
	void describingAnOpenStreamNeedsTheAdminTokenAndAProtectedOneItsOwnCredentialsOrTheAdminToken() {
		assertProblem(this.client.get().uri("/api/v1/streams/api_open").exchange(), HttpStatus.UNAUTHORIZED,
				"UNAUTHORIZED");
		assertThat(rowCount("api_open", ADMIN_TOKEN)).isNotNegative();
		assertProblem(this.client.get().uri("/api/v1/streams/api_bearer").exchange(), HttpStatus.UNAUTHORIZED,
				"UNAUTHORIZED");
		assertThat(rowCount("api_bearer", ADMIN_TOKEN)).isNotNegative();
		assertThat(rowCount("api_bearer", BEARER_TOKEN)).isNotNegative();
		this.client.get()
			.uri("/api/v1/streams/api_keyed")
			.header("X-API-Key", "key-secret-0815")
			.exchange()
			.expectStatus()
			.isOk();
	}

	@Test
	void theAdminTokenDoesNotOpenAProtectedStreamsData() {
		this.client.post()
			.uri("/api/v1/streams/api_bearer")
			.headers((headers) -> headers.setBearerAuth(ADMIN_TOKEN))
			.header(HttpHeaders.CONTENT_TYPE, "application/json")
			.bodyValue("{\"n\":1}")
			.exchange()
			.expectStatus()
			.isUnauthorized();
	}

	@Test
	void openStreamsDataEndpointsNeedNoToken() {
		publish("api_open", "{\"n\":1}").expectStatus().isAccepted();
	}

	@Test
	void metricsNeedTheAdminToken() {
		this.client.get().uri("/actuator/prometheus").exchange().expectStatus().isUnauthorized();
		this.client.get()
			.uri("/actuator/prometheus")
			.headers((headers) -> headers.setBearerAuth(ADMIN_TOKEN))
			.exchange()
			.expectStatus()
			.isOk();
	}

	@Test
	void healthStaysOpenButShowsDetailsOnlyWithTheAdminToken() {
		String anonymous = StreamsApi.okBody(this.client.get().uri("/actuator/health").exchange());
		assertThat(anonymous).contains("\"status\":\"UP\"").doesNotContain("details", "components");
		String admin = StreamsApi.okBody(this.client.get()
			.uri("/actuator/health")
			.headers((headers) -> headers.setBearerAuth(ADMIN_TOKEN))
			.exchange());
		assertThat(admin).contains("\"components\"", "writerQueueDepth");
		this.client.get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();
		this.client.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
		this.client.get().uri("/actuator/health/interlace").exchange().expectStatus().isUnauthorized();
	}

	private int status(HttpMethod method, String path, String token) {
		return this.client.method(method)
			.uri(path)
			.headers((headers) -> headers.setBearerAuth(token))
			.exchange()
			.returnResult(String.class)
			.getStatus()
			.value();
	}

	private long rowCount(String stream, String token) {
		return this.api.rowCount(stream, (headers) -> headers.setBearerAuth(token));
	}

}
