package dev.interlace.server;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Access to entries by ID with {@code interlace.server.admin-token} set: every entries path and method of a
 * protected stream needs its credentials (401 without, whatever the method, before routing); deleting and trimming
 * need the admin token (403 with the stream's own credentials, 401 without any); a read of several streams needs
 * credentials that open each stream it names, and is rate limited as each of them.
 */
@TestPropertySource(properties = { "interlace.server.admin-token=" + EntriesAccessIntegrationTests.ADMIN_TOKEN,
		"interlace.server.auth-failure-limit.max-failures=100000", "interlace.streams.ent_open.description=open",
		"interlace.streams.ent_bearer.auth.type=bearer", "interlace.streams.ent_bearer.auth.token=ent-secret-1",
		"interlace.streams.ent_keyed.auth.type=api_key", "interlace.streams.ent_keyed.auth.key=ent-key-2",
		"interlace.streams.ent_limited.rate-limit.requests-per-second=1" })
class EntriesAccessIntegrationTests extends ApiIntegrationTestSupport {

	static final String ADMIN_TOKEN = "entries-admin-2718";

	private static final Consumer<HttpHeaders> NONE = (headers) -> {
	};

	private static final Consumer<HttpHeaders> ADMIN = (headers) -> headers.setBearerAuth(ADMIN_TOKEN);

	private static final Consumer<HttpHeaders> STREAM_TOKEN = (headers) -> headers.setBearerAuth("ent-secret-1");

	private static final Consumer<HttpHeaders> WRONG = (headers) -> headers.setBearerAuth("wrong");

	private static final Consumer<HttpHeaders> KEY = (headers) -> headers.set("X-API-Key", "ent-key-2");

	/** The reads: the stream's credentials open them. */
	private static final List<Endpoint> READS = List.of(new Endpoint(HttpMethod.GET, "", null),
			new Endpoint(HttpMethod.GET, "/reverse", null), new Endpoint(HttpMethod.GET, "/length", null),
			new Endpoint(HttpMethod.GET, "/info?full=true", null), new Endpoint(HttpMethod.HEAD, "/length", null));

	/** The writes that destroy entries: the admin token only. */
	private static final List<Endpoint> ADMINISTRATION = List.of(new Endpoint(HttpMethod.DELETE, "?ids=1-1", null),
			new Endpoint(HttpMethod.POST, "/delete", "{\"ids\":[\"1-1\"]}"),
			new Endpoint(HttpMethod.POST, "/trim", "{\"maxlen\":1000}"));

	/** Paths and methods no handler serves: guarded all the same. */
	private static final List<Endpoint> UNMAPPED = List.of(new Endpoint(HttpMethod.PUT, "", "{}"),
			new Endpoint(HttpMethod.PATCH, "/info", "{}"), new Endpoint(HttpMethod.DELETE, "/trim", null),
			new Endpoint(HttpMethod.POST, "/1-1", "{}"), new Endpoint(HttpMethod.GET, "/a/b/c", null));

	record Endpoint(HttpMethod method, String path, String body) {

		WebTestClient.ResponseSpec send(WebTestClient client, String stream, Consumer<HttpHeaders> headers) {
			WebTestClient.RequestBodySpec request = client.method(this.method)
				.uri("/api/v1/streams/" + stream + "/entries" + this.path)
				.headers(headers);
			return (this.body != null)
					? request.contentType(MediaType.APPLICATION_JSON).bodyValue(this.body).exchange()
					: request.exchange();
		}

	}

	private static List<Endpoint> all() {
		List<Endpoint> all = new ArrayList<>(READS);
		all.addAll(ADMINISTRATION);
		all.addAll(UNMAPPED);
		return all;
	}

	private static void assertUnauthorized(WebTestClient.ResponseSpec response, Endpoint endpoint) {
		// HEAD answers carry no body: the status is what is checked there.
		if (endpoint.method() == HttpMethod.HEAD) {
			response.expectStatus().isUnauthorized();
			return;
		}
		assertProblem(response, HttpStatus.UNAUTHORIZED, "UNAUTHORIZED");
	}

	@Test
	void everyEntriesPathAndMethodOfAProtectedStreamNeedsCredentials() {
		for (Endpoint endpoint : all()) {
			assertUnauthorized(endpoint.send(this.client, "ent_bearer", NONE), endpoint);
			assertUnauthorized(endpoint.send(this.client, "ent_bearer", WRONG), endpoint);
			assertUnauthorized(endpoint.send(this.client, "ent_keyed", NONE), endpoint);
		}
	}

	@Test
	void theStreamsCredentialsOpenItsReadsButNotTheAdminToken() {
		for (Endpoint endpoint : READS) {
			endpoint.send(this.client, "ent_bearer", STREAM_TOKEN).expectStatus().isOk();
			endpoint.send(this.client, "ent_keyed", KEY).expectStatus().isOk();
			// The admin token opens no protected stream's data, as for the stream's other data paths.
			assertUnauthorized(endpoint.send(this.client, "ent_bearer", ADMIN), endpoint);
		}
		// An entry of a protected stream: 404 once the credentials pass, 401 before.
		assertProblem(new Endpoint(HttpMethod.GET, "/1-1", null).send(this.client, "ent_bearer", STREAM_TOKEN),
				HttpStatus.NOT_FOUND, "RESOURCE_NOT_FOUND");
	}

	@Test
	void deletingAndTrimmingNeedTheAdminToken() {
		for (Endpoint endpoint : ADMINISTRATION) {
			assertProblem(endpoint.send(this.client, "ent_bearer", STREAM_TOKEN), HttpStatus.FORBIDDEN, "FORBIDDEN");
			assertProblem(endpoint.send(this.client, "ent_keyed", KEY), HttpStatus.FORBIDDEN, "FORBIDDEN");
			Object detail = assertProblem(endpoint.send(this.client, "ent_open", NONE), HttpStatus.UNAUTHORIZED,
					"UNAUTHORIZED")
				.get("detail");
			assertThat((String) detail).contains("admin token");
			endpoint.send(this.client, "ent_bearer", ADMIN).expectStatus().isOk();
			endpoint.send(this.client, "ent_open", ADMIN).expectStatus().isOk();
		}
		// Reads of an open stream need nothing, as its other data paths.
		new Endpoint(HttpMethod.GET, "", null).send(this.client, "ent_open", NONE).expectStatus().isOk();
	}

	@Test
	void aReadOfSeveralStreamsNeedsCredentialsThatOpenEachOfThem() {
		String both = "/api/v1/entries?streams=ent_open,ent_bearer&after=0,0";
		assertProblem(this.client.get().uri(both).exchange(), HttpStatus.UNAUTHORIZED, "UNAUTHORIZED");
		assertProblem(this.client.get().uri(both).headers(ADMIN).exchange(), HttpStatus.UNAUTHORIZED, "UNAUTHORIZED");
		this.client.get().uri(both).headers(STREAM_TOKEN).exchange().expectStatus().isOk();
		// The protected stream named in a second parameter is guarded as well.
		assertProblem(this.client.get().uri("/api/v1/entries?streams=ent_open&streams=ent_keyed&after=0&after=0")
			.headers(STREAM_TOKEN)
			.exchange(), HttpStatus.UNAUTHORIZED, "UNAUTHORIZED");
		String bearerAndKeyed = "/api/v1/entries?streams=ent_bearer,ent_keyed&after=0,0";
		assertProblem(this.client.get().uri(bearerAndKeyed).headers(STREAM_TOKEN).exchange(), HttpStatus.UNAUTHORIZED,
				"UNAUTHORIZED");
		this.client.get().uri(bearerAndKeyed).headers(STREAM_TOKEN.andThen(KEY)).exchange().expectStatus().isOk();
		this.client.get().uri("/api/v1/entries?streams=ent_open&after=0").exchange().expectStatus().isOk();
		// Other methods are guarded before routing answers 405.
		assertProblem(this.client.post().uri(both).exchange(), HttpStatus.UNAUTHORIZED, "UNAUTHORIZED");
		assertProblem(this.client.post().uri(both).headers(STREAM_TOKEN).exchange(), HttpStatus.METHOD_NOT_ALLOWED,
				"METHOD_NOT_ALLOWED");
		// Naming no stream is an administrative request, which the endpoint then refuses; an unknown stream is a 404.
		assertProblem(this.client.get().uri("/api/v1/entries?after=0").exchange(), HttpStatus.UNAUTHORIZED,
				"UNAUTHORIZED");
		assertProblem(this.client.get().uri("/api/v1/entries?streams=,&after=0").exchange(), HttpStatus.UNAUTHORIZED,
				"UNAUTHORIZED");
		assertProblem(this.client.get().uri("/api/v1/entries?after=0").headers(ADMIN).exchange(),
				HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
		assertProblem(this.client.get().uri("/api/v1/entries?streams=ent_open,nope&after=0,0").exchange(),
				HttpStatus.NOT_FOUND, "RESOURCE_NOT_FOUND");
		// Below the read path, the administrative rule holds.
		assertProblem(this.client.get().uri("/api/v1/entries/x?streams=ent_open").exchange(), HttpStatus.UNAUTHORIZED,
				"UNAUTHORIZED");
	}

	@Test
	void aReadOfSeveralStreamsCountsAgainstTheRateLimitOfEach() {
		EntityExchangeResult<String> refused = null;
		// One request per second passes: of a few sent at once, one at least is refused.
		for (int i = 0; i < 5 && refused == null; i++) {
			EntityExchangeResult<String> result = this.client.get()
				.uri("/api/v1/entries?streams=ent_open,ent_limited&after=0,0")
				.exchange()
				.expectBody(String.class)
				.returnResult();
			if (result.getStatus().value() == HttpStatus.TOO_MANY_REQUESTS.value()) {
				refused = result;
			}
		}
		assertThat(refused).isNotNull();
		assertThat(refused.getResponseBody()).contains("\"RATE_LIMITED\"", "ent_limited");
		assertThat(refused.getResponseHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isNotBlank();
	}

}
