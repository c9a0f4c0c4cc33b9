package dev.interlace.server;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import reactor.netty.http.client.HttpClient;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import dev.interlace.server.web.StreamAccessFilter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Limits per client address: failed credentials and the per-client rate limit. Each client binds its own loopback
 * address, so that the server sees distinct remote addresses without any forwarded header; with
 * {@code server.forward-headers-strategy=framework} the address a request was forwarded for counts instead.
 */
@TestPropertySource(properties = { "interlace.server.auth-failure-limit.max-failures=3",
		"interlace.server.max-tracked-clients=" + ClientLimitsIntegrationTests.MAX_TRACKED_CLIENTS,
		"server.forward-headers-strategy=framework" })
class ClientLimitsIntegrationTests extends ApiIntegrationTestSupport {

	static final int MAX_TRACKED_CLIENTS = 50;

	private static final String BEARER_TOKEN = "bearer-secret-4711";

	@LocalServerPort
	int port;

	@Autowired
	StreamAccessFilter filter;

	@Test
	void repeatedBadTokensFromOneAddressAreAnswered429WithRetryAfterWhileAnotherClientCarriesOn() {
		WebTestClient attacker = clientFrom("127.0.0.2");
		WebTestClient other = clientFrom("127.0.0.3");
		for (int i = 0; i < 3; i++) {
			String guess = "guess-" + i;
			assertProblem(publish(attacker, "api_bearer", (headers) -> headers.setBearerAuth(guess)),
					HttpStatus.UNAUTHORIZED, "UNAUTHORIZED");
		}
		WebTestClient.ResponseSpec blocked = publish(attacker, "api_bearer", (headers) -> headers.setBearerAuth("guess-3"));
		EntityExchangeResult<String> result = blocked.expectStatus()
			.isEqualTo(HttpStatus.TOO_MANY_REQUESTS)
			.expectBody(String.class)
			.returnResult();
		String retryAfter = result.getResponseHeaders().getFirst(HttpHeaders.RETRY_AFTER);
		assertThat(retryAfter).isNotNull().matches("[1-9][0-9]*");
		assertThat(Integer.parseInt(retryAfter)).isLessThanOrEqualTo(60);
		assertThat(result.getResponseBody()).contains("\"code\":\"RATE_LIMITED\"").doesNotContain("guess");
		// Even the right token is refused while the address is blocked: otherwise guessing would go on.
		publish(attacker, "api_bearer", (headers) -> headers.setBearerAuth(BEARER_TOKEN)).expectStatus()
			.isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
		// An open stream still serves the blocked address.
		publish(attacker, "api_open", (headers) -> {
		}).expectStatus().isAccepted();
		publish(other, "api_bearer", (headers) -> headers.setBearerAuth(BEARER_TOKEN)).expectStatus().isAccepted();
		assertProblem(publish(other, "api_bearer", (headers) -> headers.setBearerAuth("guess")),
				HttpStatus.UNAUTHORIZED, "UNAUTHORIZED");
	}

	@Test
	void missingCredentialsAndSuccessesDoNotCountAsFailures() {
		WebTestClient client = clientFrom("127.0.0.4");
		for (int i = 0; i < 10; i++) {
			assertProblem(publish(client, "api_bearer", (headers) -> {
			}), HttpStatus.UNAUTHORIZED, "UNAUTHORIZED");
			publish(client, "api_bearer", (headers) -> headers.setBearerAuth(BEARER_TOKEN)).expectStatus().isAccepted();
		}
		assertProblem(publish(client, "api_bearer", (headers) -> headers.setBearerAuth("guess")),
				HttpStatus.UNAUTHORIZED, "UNAUTHORIZED");
	}

	@Test
	void aClientThatExhaustsItsOwnLimitIsAnswered429WhileAnotherClientIsStillServed() {
		WebTestClient greedy = clientFrom("127.0.0.5");
		WebTestClient other = clientFrom("127.0.0.6");
		List<Integer> statuses = new ArrayList<>();
		EntityExchangeResult<String> limited = null;
		while (limited == null && statuses.size() < 20) {
			EntityExchangeResult<String> result = publish(greedy, "api_per_client", (headers) -> {
			}).expectBody(String.class).returnResult();
			statuses.add(result.getStatus().value());
			if (result.getStatus().value() == 429) {
				limited = result;
			}
		}
		assertThat(statuses).as("statuses of the greedy client").contains(429).containsOnly(202, 429);
		assertThat(limited.getResponseHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isNotNull().matches("[1-9][0-9]*");
		assertThat(limited.getResponseBody()).contains("\"code\":\"RATE_LIMITED\"", "per client");
		publish(other, "api_per_client", (headers) -> {
		}).expectStatus().isAccepted();
	}

	@Test
	void manyDistinctAddressesAreRememberedOnlyUpToTheBound() {
		WebTestClient proxy = clientFrom("127.0.0.7");
		for (int i = 0; i < MAX_TRACKED_CLIENTS * 4; i++) {
			String forwardedFor = "10.0." + (i / 250) + "." + (i % 250);
			// Each address is a client of its own: one request each stays within its per-client limit.
			proxy.post()
				.uri("/api/v1/streams/api_per_client")
				.header("X-Forwarded-For", forwardedFor)
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue("{\"n\":1}")
				.exchange()
				.expectStatus()
				.isAccepted();
			proxy.post()
				.uri("/api/v1/streams/api_bearer")
				.header("X-Forwarded-For", forwardedFor)
				.headers((headers) -> headers.setBearerAuth("guess"))
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue("{\"n\":1}")
				.exchange()
				.expectStatus()
				.isUnauthorized();
		}
		assertThat(this.filter.trackedFailures()).isBetween(1L, (long) MAX_TRACKED_CLIENTS);
		assertThat(this.filter.trackedClientLimiters()).isBetween(1L, (long) MAX_TRACKED_CLIENTS);
	}

	@Test
	void describeShowsThePerClientLimit() {
		assertThat(describe("api_per_client").get("rate_limit"))
			.isEqualTo(Map.of("requests_per_second", 1000, "per_client_requests_per_second", 1));
	}

	private WebTestClient clientFrom(String address) {
		HttpClient http = HttpClient.create().bindAddress(() -> new InetSocketAddress(address, 0));
		return WebTestClient.bindToServer(new ReactorClientHttpConnector(http))
			.baseUrl("http://127.0.0.1:" + this.port)
			.build();
	}

	private static WebTestClient.ResponseSpec publish(WebTestClient client, String stream,
			Consumer<HttpHeaders> headers) {
		return client.post()
			.uri("/api/v1/streams/" + stream)
			.contentType(MediaType.APPLICATION_JSON)
			.headers(headers)
			.bodyValue("{\"n\":1}")
			.exchange();
	}

}
