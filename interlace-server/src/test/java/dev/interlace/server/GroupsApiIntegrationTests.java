package dev.interlace.server;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.interlace.core.engine.DefaultConsumerGroups;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The consumer groups API over real HTTP on a DuckDB file: each test names the Redis Streams behaviour it mirrors.
 * No admin token is set, so group administration is open here ({@link GroupsAdminIntegrationTests} sets one).
 */
@TestPropertySource(properties = "interlace.server.auth-failure-limit.max-failures=100000")
class GroupsApiIntegrationTests extends ApiIntegrationTestSupport {

	static final String GROUPS = "/api/v1/streams/%s/groups";

	static final Consumer<HttpHeaders> NONE = (headers) -> {
	};

	/** Every endpoint of a group, with a body that would succeed on a group that exists. */
	static final List<Endpoint> GROUP_ENDPOINTS = List.of(new Endpoint(HttpMethod.GET, "/g", null),
			new Endpoint(HttpMethod.DELETE, "/g", null),
			new Endpoint(HttpMethod.PUT, "/g/position", "{\"id\":\"0\"}"),
			new Endpoint(HttpMethod.GET, "/g/consumers", null),
			new Endpoint(HttpMethod.DELETE, "/g/consumers/c", null),
			new Endpoint(HttpMethod.POST, "/g/read", "{\"consumer\":\"c\"}"),
			new Endpoint(HttpMethod.POST, "/g/ack", "{\"ids\":[\"1-0\"]}"),
			new Endpoint(HttpMethod.POST, "/g/nack", "{\"consumer\":\"c\",\"ids\":[\"1-0\"]}"),
			new Endpoint(HttpMethod.GET, "/g/pending", null),
			new Endpoint(HttpMethod.GET, "/g/pending?start=-&count=10", null),
			new Endpoint(HttpMethod.POST, "/g/claim", "{\"consumer\":\"c\",\"min_idle_ms\":0,\"ids\":[\"1-0\"]}"),
			new Endpoint(HttpMethod.POST, "/g/autoclaim", "{\"consumer\":\"c\",\"min_idle_ms\":0}"),
			new Endpoint(HttpMethod.GET, "/g/dead-letters", null),
			new Endpoint(HttpMethod.POST, "/g/dead-letters/redrive", "{\"ids\":[\"1-0\"]}"));

	/** Every endpoint of a stream's groups. */
	static final List<Endpoint> ALL_ENDPOINTS = concat(List.of(new Endpoint(HttpMethod.GET, "", null),
			new Endpoint(HttpMethod.POST, "", "{\"name\":\"g\"}")), GROUP_ENDPOINTS);

	record Endpoint(HttpMethod method, String path, String body) {

		WebTestClient.ResponseSpec send(WebTestClient client, String stream, Consumer<HttpHeaders> headers) {
			WebTestClient.RequestBodySpec request = client.method(this.method)
				.uri(GROUPS.formatted(stream) + this.path)
				.headers(headers);
			return (this.body != null)
					? request.contentType(MediaType.APPLICATION_JSON).bodyValue(this.body).exchange()
					: request.exchange();
		}

	}

	static <T> List<T> concat(List<T> first, List<T> second) {
		List<T> all = new java.util.ArrayList<>(first);
		all.addAll(second);
		return all;
	}

	WebTestClient.ResponseSpec send(HttpMethod method, String stream, String path, String body) {
		return new Endpoint(method, path, body).send(this.client, stream, NONE);
	}

	Map<String, Object> ok(HttpMethod method, String stream, String path, String body) {
		return StreamsApi.okJson(send(method, stream, path, body));
	}

	Map<String, Object> create(String stream, String body) {
		return send(HttpMethod.POST, stream, "", body).expectStatus()
			.isCreated()
			.expectBody(MAP)
			.returnResult()
			.getResponseBody();
	}

	@SuppressWarnings("unchecked")
	static List<Map<String, Object>> entries(Map<String, Object> answer) {
		return (List<Map<String, Object>>) answer.get("entries");
	}

	Map<String, Object> read(String stream, String group, String body) {
		return ok(HttpMethod.POST, stream, "/" + group + "/read", body);
	}

	@Test
	void xgroupCreateAnswers201WithTheGroupAndBusygroupAsA409() {
		Map<String, Object> created = create("api_groups",
				"{\"name\":\"created\",\"start\":\"0\",\"max_deliveries\":4,\"claim_idle_ms\":30000}");
		assertThat(created).containsEntry("name", "created")
			.containsEntry("last_delivered_id", "0-0")
			.containsEntry("pending", 0)
			.containsEntry("max_deliveries", 4)
			.containsEntry("claim_idle_ms", 30000);
		Map<String, Object> problem = assertProblem(send(HttpMethod.POST, "api_groups", "", "{\"name\":\"created\"}"),
				HttpStatus.CONFLICT, "GROUP_EXISTS");
		assertThat(problem).containsEntry("group", "created").containsEntry("stream", "api_groups");
		assertThat(ok(HttpMethod.GET, "api_groups", "/created", null)).containsEntry("name", "created");
		assertThat(ok(HttpMethod.GET, "api_groups", "", null).get("groups").toString()).contains("name=created");
	}

	@Test
	void aGroupDeclaredInConfigurationExistsWithItsSettings() {
		assertThat(ok(HttpMethod.GET, "api_groups_declared", "/workers", null)).containsEntry("max_deliveries", 3)
			.containsEntry("claim_idle_ms", 45000)
			.containsEntry("last_delivered_id", "0-0");
	}

	@Test
	void xreadgroupDeliversNewEntriesOnceAndXackRemovesThemFromThePendingEntriesList() {
		create("api_groups", "{\"name\":\"readers\",\"start\":\"$\"}");
		publish("api_groups", "[{\"n\":1},{\"n\":2},{\"n\":3}]").expectStatus().isAccepted();
		List<Map<String, Object>> first = entries(read("api_groups", "readers", "{\"consumer\":\"a\",\"count\":2}"));
		assertThat(first).hasSize(2);
		assertThat(first.get(0)).containsKeys("id", "rowid").containsEntry("delivery_count", 1);
		assertThat(first.get(0).get("data").toString()).contains("n=1");
		assertThat(entries(read("api_groups", "readers", "{\"consumer\":\"b\",\"count\":10}"))).hasSize(1);
		assertThat(entries(read("api_groups", "readers", "{\"consumer\":\"c\"}"))).isEmpty();

		// XPENDING summary: three pending, two with a, one with b.
		Map<String, Object> summary = ok(HttpMethod.GET, "api_groups", "/readers/pending", null);
		assertThat(summary).containsEntry("count", 3).containsEntry("smallest_id", first.get(0).get("id"));
		assertThat(summary.get("consumers").toString()).contains("name=a, pending=2", "name=b, pending=1");

		String ids = "[\"" + first.get(0).get("id") + "\",\"" + first.get(1).get("id") + "\",\"999999999999999-0\"]";
		assertThat(ok(HttpMethod.POST, "api_groups", "/readers/ack", "{\"ids\":" + ids + "}"))
			.containsEntry("acknowledged", 2);
		assertThat(ok(HttpMethod.POST, "api_groups", "/readers/ack", "{\"ids\":[]}")).containsEntry("acknowledged", 0);
		assertThat(ok(HttpMethod.GET, "api_groups", "/readers/pending", null)).containsEntry("count", 1);
	}

	@Test
	void aMalformedIdRefusesTheWholeAckAndNothingIsAcknowledged() {
		create("api_groups", "{\"name\":\"strict\",\"start\":\"$\"}");
		publish("api_groups", "{\"n\":1}").expectStatus().isAccepted();
		String id = (String) entries(read("api_groups", "strict", "{\"consumer\":\"a\"}")).get(0).get("id");
		Map<String, Object> problem = assertProblem(
				send(HttpMethod.POST, "api_groups", "/strict/ack", "{\"ids\":[\"" + id + "\",\"1-x\"]}"),
				HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
		assertThat((String) problem.get("detail")).contains("ids[1]", "1-x");
		assertThat(ok(HttpMethod.GET, "api_groups", "/strict/pending", null)).containsEntry("count", 1);
	}

	@Test
	void xreadgroupWithAnIdRereadsTheConsumersOwnPendingEntries() {
		create("api_groups", "{\"name\":\"history\",\"start\":\"$\"}");
		publish("api_groups", "[{\"n\":1},{\"n\":2}]").expectStatus().isAccepted();
		read("api_groups", "history", "{\"consumer\":\"a\"}");
		List<Map<String, Object>> again = entries(read("api_groups", "history", "{\"consumer\":\"a\",\"after\":\"0\"}"));
		assertThat(again).hasSize(2).allSatisfy((entry) -> assertThat(entry).containsEntry("delivery_count", 2));
		assertThat(entries(read("api_groups", "history", "{\"consumer\":\"b\",\"after\":\"0\"}"))).isEmpty();
	}

	@Test
	void xreadgroupBlockIsALongPollAnsweredByThePublishOfAnEntry() throws Exception {
		create("api_groups_wait", "{\"name\":\"pollers\",\"start\":\"$\"}");
		DefaultConsumerGroups groups = this.context.getBean(DefaultConsumerGroups.class);
		int waitingBefore = groups.waiting();
		long start = System.nanoTime();
		CompletableFuture<Map<String, Object>> poll = CompletableFuture.supplyAsync(() -> StreamsApi.okJson(this.client
			.mutate()
			.responseTimeout(Duration.ofSeconds(30))
			.build()
			.post()
			.uri(GROUPS.formatted("api_groups_wait") + "/pollers/read")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"consumer\":\"a\",\"block_ms\":20000}")
			.exchange()));
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (groups.waiting() <= waitingBefore && System.nanoTime() < deadline) {
			Thread.sleep(5);
		}
		assertThat(poll).isNotDone();
		publish("api_groups_wait", "{\"n\":7}").expectStatus().isAccepted();
		List<Map<String, Object>> entries = entries(poll.get(15, TimeUnit.SECONDS));
		assertThat(entries).singleElement().satisfies((entry) -> assertThat(entry.get("data").toString())
			.contains("n=7"));
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
	}

	@Test
	void xreadgroupBlockTimesOutWithNoEntries() {
		create("api_groups_wait", "{\"name\":\"patient\",\"start\":\"$\"}");
		long start = System.nanoTime();
		assertThat(entries(read("api_groups_wait", "patient", "{\"consumer\":\"a\",\"block_ms\":300}"))).isEmpty();
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
	}

	@Test
	void limitsAreAnswered400NamingTheMember() {
		create("api_groups_errors", "{\"name\":\"limits\"}");
		for (String body : List.of("{\"consumer\":\"a\",\"block_ms\":60001}", "{\"consumer\":\"a\",\"count\":0}",
				"{\"consumer\":\"a\",\"count\":10001}", "{\"consumer\":\"a\",\"block_ms\":-1}", "{\"count\":1}",
				"{\"consumer\":\"a\",\"no_ack\":\"yes\"}", "[]")) {
			assertProblem(send(HttpMethod.POST, "api_groups_errors", "/limits/read", body), HttpStatus.BAD_REQUEST,
					"INVALID_REQUEST");
		}
		String tooMany = "{\"ids\":[" + "\"1-0\",".repeat(10_000) + "\"1-0\"]}";
		assertThat((String) assertProblem(send(HttpMethod.POST, "api_groups_errors", "/limits/ack", tooMany),
				HttpStatus.BAD_REQUEST, "INVALID_REQUEST")
			.get("detail")).contains("10000");
		assertProblem(send(HttpMethod.GET, "api_groups_errors", "/limits/pending?count=10001", null),
				HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
	}

	@Test
	void everyEndpointOfAnUnknownGroupIsA404GroupNotFound() {
		for (Endpoint endpoint : GROUP_ENDPOINTS) {
			Map<String, Object> problem = assertProblem(endpoint.send(this.client, "api_groups_errors", NONE),
					HttpStatus.NOT_FOUND, "GROUP_NOT_FOUND");
			assertThat(problem).as(endpoint.toString()).containsEntry("group", "g");
		}
	}

	@Test
	void everyEndpointOfAnUnknownStreamIsA404() {
		for (Endpoint endpoint : ALL_ENDPOINTS) {
			assertProblem(endpoint.send(this.client, "api_nowhere", NONE), HttpStatus.NOT_FOUND, "RESOURCE_NOT_FOUND");
		}
	}

	@Test
	void everyMalformedIdIsA400() {
		create("api_groups_errors", "{\"name\":\"ids\"}");
		List<Endpoint> malformed = List.of(new Endpoint(HttpMethod.POST, "", "{\"name\":\"x\",\"start\":\"abc\"}"),
				new Endpoint(HttpMethod.PUT, "/ids/position", "{\"id\":\"1-2-3\"}"),
				new Endpoint(HttpMethod.POST, "/ids/read", "{\"consumer\":\"c\",\"after\":\"-1\"}"),
				new Endpoint(HttpMethod.POST, "/ids/ack", "{\"ids\":[\"x\"]}"),
				new Endpoint(HttpMethod.POST, "/ids/ack", "{\"ids\":[1]}"),
				new Endpoint(HttpMethod.POST, "/ids/nack", "{\"consumer\":\"c\",\"ids\":[\"1-\"]}"),
				new Endpoint(HttpMethod.GET, "/ids/pending?start=abc", null),
				new Endpoint(HttpMethod.GET, "/ids/pending?end=(x", null),
				new Endpoint(HttpMethod.POST, "/ids/claim", "{\"consumer\":\"c\",\"min_idle_ms\":0,\"ids\":[\"\"]}"),
				new Endpoint(HttpMethod.POST, "/ids/autoclaim", "{\"consumer\":\"c\",\"min_idle_ms\":0,\"start\":\"z\"}"),
				new Endpoint(HttpMethod.POST, "/ids/dead-letters/redrive", "{\"ids\":[\"99999999999999999999-0\"]}"));
		for (Endpoint endpoint : malformed) {
			assertProblem(endpoint.send(this.client, "api_groups_errors", NONE), HttpStatus.BAD_REQUEST,
					"INVALID_REQUEST");
		}
		assertProblem(send(HttpMethod.GET, "api_groups_errors", "/x", null), HttpStatus.NOT_FOUND, "GROUP_NOT_FOUND");
	}

	@Test
	void xpendingExtendedListsEntriesWithinInclusiveAndExclusiveBoundsOfOneConsumer() {
		create("api_groups", "{\"name\":\"ranges\",\"start\":\"$\"}");
		publish("api_groups", "[{\"n\":1},{\"n\":2},{\"n\":3}]").expectStatus().isAccepted();
		List<Map<String, Object>> read = entries(read("api_groups", "ranges", "{\"consumer\":\"a\",\"count\":2}"));
		read("api_groups", "ranges", "{\"consumer\":\"b\"}");
		String first = (String) read.get(0).get("id");
		assertThat(entries(ok(HttpMethod.GET, "api_groups", "/ranges/pending?start=-&count=10", null))).hasSize(3);
		assertThat(entries(ok(HttpMethod.GET, "api_groups", "/ranges/pending?start=" + first + "&end=" + first, null)))
			.hasSize(1);
		assertThat(entries(ok(HttpMethod.GET, "api_groups", "/ranges/pending?end=(" + first, null))).isEmpty();
		assertThat(entries(ok(HttpMethod.GET, "api_groups", "/ranges/pending?count=1", null))).hasSize(1);
		assertThat(entries(ok(HttpMethod.GET, "api_groups", "/ranges/pending?start=(" + first, null))).hasSize(2);
		List<Map<String, Object>> ofA = entries(ok(HttpMethod.GET, "api_groups", "/ranges/pending?consumer=a", null));
		assertThat(ofA).hasSize(2).allSatisfy((entry) -> assertThat(entry).containsEntry("consumer", "a")
			.containsEntry("delivery_count", 1)
			.containsKey("idle_ms"));
		assertThat(entries(ok(HttpMethod.GET, "api_groups", "/ranges/pending?idle_ms=3600000", null))).isEmpty();
	}

	@Test
	void xclaimAndXautoclaimTransferPendingEntriesToAnotherConsumer() {
		create("api_groups", "{\"name\":\"claims\",\"start\":\"$\"}");
		publish("api_groups", "[{\"n\":1},{\"n\":2}]").expectStatus().isAccepted();
		List<Map<String, Object>> read = entries(read("api_groups", "claims", "{\"consumer\":\"a\"}"));
		Map<String, Object> claim = ok(HttpMethod.POST, "api_groups", "/claims/claim",
				"{\"consumer\":\"b\",\"min_idle_ms\":0,\"ids\":[\"" + read.get(0).get("id") + "\"]}");
		assertThat(claim.get("claimed").toString()).contains("delivery_count=2");
		assertThat(claim).containsEntry("deleted", List.of());
		Map<String, Object> justId = ok(HttpMethod.POST, "api_groups", "/claims/claim",
				"{\"consumer\":\"c\",\"min_idle_ms\":0,\"ids\":[\"" + read.get(0).get("id") + "\"],\"just_id\":true}");
		assertThat(justId).containsEntry("claimed", List.of(read.get(0).get("id")));
		// A min-idle no entry reaches claims nothing.
		assertThat(ok(HttpMethod.POST, "api_groups", "/claims/claim", "{\"consumer\":\"d\",\"min_idle_ms\":3600000,"
				+ "\"ids\":[\"" + read.get(1).get("id") + "\"]}"))
			.containsEntry("claimed", List.of());
		Map<String, Object> auto = ok(HttpMethod.POST, "api_groups", "/claims/autoclaim",
				"{\"consumer\":\"d\",\"min_idle_ms\":0,\"start\":\"0\",\"count\":10}");
		assertThat(auto).containsEntry("next", "0-0");
		assertThat((List<?>) auto.get("claimed")).hasSize(2);
		assertThat(ok(HttpMethod.GET, "api_groups", "/claims/pending", null).get("consumers").toString())
			.isEqualTo("[{name=d, pending=2}]");
	}

	@Test
	void xgroupSetidMovesThePositionAndXinfoConsumersAndDelconsumerFollowTheConsumers() {
		create("api_groups", "{\"name\":\"moved\",\"start\":\"$\"}");
		publish("api_groups", "[{\"n\":1},{\"n\":2}]").expectStatus().isAccepted();
		assertThat(entries(read("api_groups", "moved", "{\"consumer\":\"a\"}"))).hasSize(2);
		read("api_groups", "moved", "{\"consumer\":\"b\"}");
		assertThat(ok(HttpMethod.GET, "api_groups", "/moved/consumers", null).get("consumers").toString())
			.contains("name=a, pending=2", "name=b, pending=0");
		// XGROUP DELCONSUMER answers the pending entries the consumer had; they are pending no more.
		assertThat(ok(HttpMethod.DELETE, "api_groups", "/moved/consumers/a", null)).containsEntry("pending", 2);
		assertThat(ok(HttpMethod.GET, "api_groups", "/moved/consumers", null).get("consumers").toString())
			.doesNotContain("name=a");
		assertThat(ok(HttpMethod.GET, "api_groups", "/moved/pending", null)).containsEntry("count", 0);
		// XGROUP SETID 0: the group delivers the stream again from its start.
		assertThat(ok(HttpMethod.PUT, "api_groups", "/moved/position", "{\"id\":\"0\",\"entries_read\":0}"))
			.containsEntry("last_delivered_id", "0-0")
			.containsEntry("entries_read", 0);
		assertThat(entries(read("api_groups", "moved", "{\"consumer\":\"b\",\"count\":1000}"))).hasSizeGreaterThan(2);
		send(HttpMethod.DELETE, "api_groups", "/moved", null).expectStatus().isNoContent();
		assertProblem(send(HttpMethod.DELETE, "api_groups", "/moved", null), HttpStatus.NOT_FOUND, "GROUP_NOT_FOUND");
	}

	@Test
	void xnackGivesAnEntryBackToTheGroup() {
		create("api_groups", "{\"name\":\"givers\",\"start\":\"$\"}");
		publish("api_groups", "{\"n\":1}").expectStatus().isAccepted();
		String id = (String) entries(read("api_groups", "givers", "{\"consumer\":\"a\"}")).get(0).get("id");
		assertThat(ok(HttpMethod.POST, "api_groups", "/givers/nack", "{\"consumer\":\"b\",\"ids\":[\"" + id + "\"]}"))
			.containsEntry("nacked", 0);
		assertThat(ok(HttpMethod.POST, "api_groups", "/givers/nack", "{\"consumer\":\"a\",\"ids\":[\"" + id + "\"]}"))
			.containsEntry("nacked", 1);
	}

	@Test
	void anEntryNackedAtMaxDeliveriesIsListedAsADeadLetterAndRedriveAppendsItAgain() {
		create("api_groups", "{\"name\":\"fragile\",\"start\":\"$\",\"max_deliveries\":1}");
		publish("api_groups", "{\"n\":42}").expectStatus().isAccepted();
		String id = (String) entries(read("api_groups", "fragile", "{\"consumer\":\"a\"}")).get(0).get("id");
		ok(HttpMethod.POST, "api_groups", "/fragile/nack", "{\"consumer\":\"a\",\"ids\":[\"" + id + "\"]}");
		Map<String, Object> page = ok(HttpMethod.GET, "api_groups", "/fragile/dead-letters", null);
		@SuppressWarnings("unchecked")
		List<Map<String, Object>> letters = (List<Map<String, Object>>) page.get("dead_letters");
		assertThat(letters).singleElement().satisfies((letter) -> assertThat(letter).containsEntry("original_id", id)
			.containsEntry("group", "fragile")
			.containsEntry("consumer", "a")
			.containsKeys("id", "rowid", "data", "reason"));
		assertThat(ok(HttpMethod.POST, "api_groups", "/fragile/dead-letters/redrive",
				"{\"ids\":[\"" + letters.get(0).get("id") + "\"]}"))
			.containsEntry("redriven", 1);
		assertThat(entries(read("api_groups", "fragile", "{\"consumer\":\"a\"}"))).singleElement()
			.satisfies((entry) -> assertThat(entry.get("data").toString()).contains("n=42"));
	}

	@Test
	void everyEndpointOfAProtectedStreamNeedsItsCredentials() {
		Consumer<HttpHeaders> token = (headers) -> headers.setBearerAuth("groups-secret-1618");
		for (Endpoint endpoint : ALL_ENDPOINTS) {
			assertProblem(endpoint.send(this.client, "api_groups_bearer", NONE), HttpStatus.UNAUTHORIZED,
					"UNAUTHORIZED");
			assertProblem(endpoint.send(this.client, "api_groups_bearer",
					(headers) -> headers.setBearerAuth("not-the-token")), HttpStatus.UNAUTHORIZED, "UNAUTHORIZED");
			int status = endpoint.send(this.client, "api_groups_bearer", token)
				.returnResult(String.class)
				.getStatus()
				.value();
			assertThat(status).as(endpoint.toString()).isNotIn(401, 403, 500);
		}
	}

}
