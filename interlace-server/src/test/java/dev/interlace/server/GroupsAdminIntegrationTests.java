package dev.interlace.server;

import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.test.context.TestPropertySource;

import dev.interlace.server.GroupsApiIntegrationTests.Endpoint;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Group administration with {@code interlace.server.admin-token} set: creating and destroying groups, setting their
 * position, deleting consumers and redriving need the admin token (401 without, 403 with only the stream's
 * credentials); reading, acknowledging and the rest need the stream's credentials, as its data does.
 */
@TestPropertySource(properties = { "interlace.server.admin-token=" + GroupsAdminIntegrationTests.ADMIN_TOKEN,
		"interlace.server.auth-failure-limit.max-failures=100000" })
class GroupsAdminIntegrationTests extends ApiIntegrationTestSupport {

	static final String ADMIN_TOKEN = "groups-admin-3141";

	private static final Consumer<HttpHeaders> ADMIN = (headers) -> headers.setBearerAuth(ADMIN_TOKEN);

	private static final Consumer<HttpHeaders> STREAM_TOKEN = (headers) -> headers.setBearerAuth("groups-secret-1618");

	private static final List<Endpoint> ADMINISTRATION = List.of(new Endpoint(HttpMethod.POST, "", "{\"name\":\"g\"}"),
			new Endpoint(HttpMethod.DELETE, "/g", null), new Endpoint(HttpMethod.PUT, "/g/position", "{\"id\":\"0\"}"),
			new Endpoint(HttpMethod.DELETE, "/g/consumers/c", null),
			new Endpoint(HttpMethod.POST, "/g/dead-letters/redrive", "{\"ids\":[\"1-0\"]}"));

	@Test
	void groupAdministrationOfAnOpenStreamNeedsTheAdminToken() {
		for (Endpoint endpoint : ADMINISTRATION) {
			Object detail = assertProblem(endpoint.send(this.client, "api_groups", GroupsApiIntegrationTests.NONE),
					HttpStatus.UNAUTHORIZED, "UNAUTHORIZED")
				.get("detail");
			assertThat((String) detail).contains("admin token");
			assertProblem(endpoint.send(this.client, "api_groups", (headers) -> headers.setBearerAuth("wrong")),
					HttpStatus.UNAUTHORIZED, "UNAUTHORIZED");
		}
	}

	@Test
	void groupAdministrationOfAProtectedStreamIsForbiddenWithTheStreamsOwnCredentials() {
		for (Endpoint endpoint : ADMINISTRATION) {
			assertProblem(endpoint.send(this.client, "api_groups_bearer", GroupsApiIntegrationTests.NONE),
					HttpStatus.UNAUTHORIZED, "UNAUTHORIZED");
			assertProblem(endpoint.send(this.client, "api_groups_bearer", STREAM_TOKEN), HttpStatus.FORBIDDEN,
					"FORBIDDEN");
		}
	}

	@Test
	void theAdminTokenAdministersGroupsAndTheStreamsCredentialsUseThem() {
		new Endpoint(HttpMethod.POST, "", "{\"name\":\"admin_made\",\"start\":\"0\"}")
			.send(this.client, "api_groups_bearer", ADMIN)
			.expectStatus()
			.isCreated();
		new Endpoint(HttpMethod.POST, "/admin_made/read", "{\"consumer\":\"c\"}")
			.send(this.client, "api_groups_bearer", STREAM_TOKEN)
			.expectStatus()
			.isOk();
		new Endpoint(HttpMethod.GET, "/admin_made/pending", null).send(this.client, "api_groups_bearer", STREAM_TOKEN)
			.expectStatus()
			.isOk();
		// The admin token does not open the protected stream's data, entries delivered by a group included.
		assertProblem(new Endpoint(HttpMethod.POST, "/admin_made/read", "{\"consumer\":\"c\"}").send(this.client,
				"api_groups_bearer", ADMIN), HttpStatus.UNAUTHORIZED, "UNAUTHORIZED");
		new Endpoint(HttpMethod.PUT, "/admin_made/position", "{\"id\":\"$\"}")
			.send(this.client, "api_groups_bearer", ADMIN)
			.expectStatus()
			.isOk();
		new Endpoint(HttpMethod.DELETE, "/admin_made/consumers/c", null).send(this.client, "api_groups_bearer", ADMIN)
			.expectStatus()
			.isOk();
		new Endpoint(HttpMethod.DELETE, "/admin_made", null).send(this.client, "api_groups_bearer", ADMIN)
			.expectStatus()
			.isNoContent();
	}

	@Test
	void readingAnOpenStreamsGroupNeedsNoToken() {
		new Endpoint(HttpMethod.POST, "", "{\"name\":\"open_readers\"}").send(this.client, "api_groups", ADMIN)
			.expectStatus()
			.isCreated();
		new Endpoint(HttpMethod.POST, "/open_readers/read", "{\"consumer\":\"c\"}")
			.send(this.client, "api_groups", GroupsApiIntegrationTests.NONE)
			.expectStatus()
			.isOk();
	}

}
