package dev.interlace.server;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.interlace.core.PublishResult;
import dev.interlace.core.engine.DefaultStreams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code GET /api/v1/streams/{name}/subscribe} over real HTTP, on a DuckDB file. Each test uses its own stream of
 * {@code application-sse.yml}.
 */
@InterlaceServerTest
@ActiveProfiles("sse")
class SubscribeEndpointTests {

	static final ParameterizedTypeReference<ServerSentEvent<String>> SSE = StreamsApi.SSE;

	static final Duration TIMEOUT = Duration.ofSeconds(30);

	@Autowired
	WebTestClient client;

	@Autowired
	StreamsApi api;

	@Autowired
	DefaultStreams streams;

	final JsonMapper json = JsonMapper.builder().build();

	@Test
	void liveEventsArriveInCommitOrderWithTheirRowidAsId() {
		List<ServerSentEvent<String>> received = new CopyOnWriteArrayList<>();
		List<PublishResult> published = new ArrayList<>();
		StepVerifier
			.create(subscribe("/api/v1/streams/sse_live/subscribe", null).filter(this::isStreamEvent)
				.take(3)
				.doOnNext(received::add))
			.then(() -> {
				for (int n = 1; n <= 3; n++) {
					published.add(this.streams.publishBlocking("sse_live", Map.of("n", n, "note", "#" + n)));
				}
			})
			.expectNextCount(3)
			.expectComplete()
			.verify(TIMEOUT);
		for (int i = 0; i < 3; i++) {
			assertLiveEvent(received.get(i), published.get(i), i + 1);
		}
	}

	@Test
	void headOfASubscriptionAnswersItsHeadersWithoutReplayingOrSubscribing() {
		this.streams.publishBlocking("sse_head", List.of(Map.of("n", 1), Map.of("n", 2)));
		int replays = this.streams.activeReplays();
		this.client.head()
			.uri("/api/v1/streams/sse_head/subscribe?from=0")
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM)
			.expectBody()
			.isEmpty();
		assertThat(this.streams.activeReplays()).isEqualTo(replays);
		this.client.head().uri("/api/v1/streams/sse_nope/subscribe").exchange().expectStatus().isNotFound();
	}

	private void assertLiveEvent(ServerSentEvent<String> event, PublishResult published, int n) {
		assertThat(event.event()).isEqualTo("stream.event");
		assertThat(event.id()).isEqualTo(Long.toString(published.firstRowid()));
		JsonNode data = this.json.readTree(event.data());
		assertThat(data.get("stream").asString()).isEqualTo("sse_live");
		assertThat(data.get("event").get("n").asLong()).isEqualTo(n);
		assertThat(data.get("event").get("note").asString()).isEqualTo("#" + n);
		// The SSE id stays the rowid; the data shows the entry ID beside it.
		assertThat(data.get("event").get("_interlace_id").asString()).isEqualTo(published.firstId().toString());
		assertThat(data.get("event").get("_interlace_rowid").asLong()).isEqualTo(published.firstRowid());
	}

	@Test
	void eventDataIsTheRowWithItsMetadataColumnsInSnakeCaseAndIsoTimestamps() {
		PublishResult published = this.streams.publishBlocking("sse_format",
				Map.of("order_id", "o-1", "amount", "12.50", "placed_at", "2024-05-01T10:00:00Z", "paid", true, "extra",
						Map.of("tags", List.of("a", "b"))));
		StepVerifier.create(subscribe("/api/v1/streams/sse_format/subscribe?from=0", null).filter(this::isStreamEvent)
			.take(1)).assertNext((event) -> {
				JsonNode data = this.json.readTree(event.data());
				assertThat(data.propertyNames()).containsExactly("stream", "event");
				JsonNode row = data.get("event");
				assertThat(row.propertyNames()).containsExactly("order_id", "amount", "placed_at", "paid", "extra",
						"_interlace_rowid", "_interlace_published_at", "_interlace_publish_id", "_interlace_id_ms",
						"_interlace_id_seq", "_interlace_id");
				assertThat(row.get("order_id").asString()).isEqualTo("o-1");
				assertThat(row.get("amount").decimalValue()).isEqualByComparingTo("12.5");
				assertThat(row.get("placed_at").isString()).isTrue();
				assertThat(Instant.parse(row.get("placed_at").asString())).isEqualTo("2024-05-01T10:00:00Z");
				assertThat(row.get("paid").asBoolean()).isTrue();
				assertThat(row.get("extra").get("tags").get(1).asString()).isEqualTo("b");
				assertThat(row.get("_interlace_rowid").asLong()).isEqualTo(published.firstRowid());
				assertThat(row.get("_interlace_published_at").isString()).isTrue();
				assertThat(Instant.parse(row.get("_interlace_published_at").asString()))
					.isBetween(Instant.now().minusSeconds(60), Instant.now());
				assertThat(row.get("_interlace_publish_id").asString()).isEqualTo(published.publishId().toString());
			})
			.expectComplete()
			.verify(TIMEOUT);
	}

	@Test
	void fromReplaysTheRowsAfterItThenContinuesLiveWithoutGapOrDuplicateWhilePublishing() throws Exception {
		assertReplayThenLive("sse_from", (after) -> subscribe("/api/v1/streams/sse_from/subscribe?from=" + after, null));
	}

	@Test
	void lastEventIdReplaysTheRowsAfterItThenContinuesLiveAndWinsOverFrom() throws Exception {
		// A reconnecting browser sends Last-Event-ID but keeps the URL it first used.
		assertReplayThenLive("sse_header",
				(after) -> subscribe("/api/v1/streams/sse_header/subscribe?from=0", Long.toString(after)));
	}

	private void assertReplayThenLive(String stream, java.util.function.LongFunction<Flux<ServerSentEvent<String>>> subscribe)
			throws Exception {
		long after = 0;
		for (int i = 1; i <= 50; i++) {
			PublishResult result = this.streams.publishBlocking(stream, Map.of("i", i));
			if (i == 20) {
				after = result.lastRowid();
			}
		}
		AtomicReference<Long> last = new AtomicReference<>();
		Thread publisher = new Thread(() -> {
			for (int i = 51; i <= 250; i++) {
				last.set(this.streams.publishBlocking(stream, Map.of("i", i)).lastRowid());
			}
		});
		publisher.start();
		try {
			// Subscribing while the publisher runs puts the switch from replay to live among concurrent commits.
			Flux<ServerSentEvent<String>> events = subscribe.apply(after);
			List<Long> expected = LongStream.rangeClosed(after + 1, after + 230).boxed().toList();
			StepVerifier.create(events.filter(this::isStreamEvent).map((event) -> Long.parseLong(event.id())).take(230))
				.recordWith(ArrayList::new)
				.expectNextCount(230)
				.consumeRecordedWith((ids) -> assertThat(ids).containsExactlyElementsOf(expected))
				.expectComplete()
				.verify(TIMEOUT);
		}
		finally {
			publisher.join(TIMEOUT.toMillis());
		}
		assertThat(last.get()).isEqualTo(after + 230);
	}

	@Test
	void filterKeepsOnlyEventsWhoseFieldHasTheValue() {
		List<JsonNode> rows = new CopyOnWriteArrayList<>();
		List<Long> expected = new ArrayList<>();
		StepVerifier
			.create(subscribe("/api/v1/streams/sse_filter/subscribe?filter=kind:b", null).filter(this::isStreamEvent)
				.map((event) -> this.json.readTree(event.data()).get("event"))
				.take(5)
				.doOnNext(rows::add))
			.then(() -> {
				for (int i = 0; i < 10; i++) {
					PublishResult result = this.streams.publishBlocking("sse_filter",
							Map.of("kind", (i % 2 == 0) ? "a" : "b", "i", i));
					if (i % 2 == 1) {
						expected.add(result.firstRowid());
					}
				}
			})
			.expectNextCount(5)
			.expectComplete()
			.verify(TIMEOUT);
		assertThat(rows).allSatisfy((row) -> assertThat(row.get("kind").asString()).isEqualTo("b"));
		assertThat(rows).extracting((row) -> row.get("_interlace_rowid").asLong()).containsExactlyElementsOf(expected);
	}

	@Test
	void filterOnADecimalComparesByValueAndAppliesToTheReplay() {
		this.streams.publishBlocking("sse_decimal", List.of(Map.of("order_id", "cheap", "amount", 3),
				Map.of("order_id", "priced", "amount", "99.90"), Map.of("order_id", "other", "amount", 7)));
		StepVerifier.create(subscribe("/api/v1/streams/sse_decimal/subscribe?from=0&filter=amount:99.9", null)
			.filter(this::isStreamEvent)
			.take(1)).assertNext((event) -> assertThat(this.json.readTree(event.data()).get("event").get("order_id")
				.asString()).isEqualTo("priced"))
			.expectComplete()
			.verify(TIMEOUT);
	}

	@Test
	void responseOpensWithACommentAndSendsHeartbeatComments() {
		StepVerifier.create(subscribe("/api/v1/streams/sse_heartbeat/subscribe", null).take(3))
			.assertNext((event) -> assertThat(event.comment()).isEqualTo("subscribed"))
			.assertNext((event) -> assertThat(event.comment()).isEqualTo("heartbeat"))
			.assertNext((event) -> assertThat(event.comment()).isEqualTo("heartbeat"))
			.expectComplete()
			.verify(TIMEOUT);
	}

	@Test
	void clientThatDisconnectsIsRemovedFromTheStream() {
		assertThat(this.streams.subscriberCount("sse_disconnect")).isZero();
		Disposable first = subscribe("/api/v1/streams/sse_disconnect/subscribe", null).subscribe();
		Disposable second = subscribe("/api/v1/streams/sse_disconnect/subscribe?from=0", null).subscribe();
		try {
			await().atMost(TIMEOUT).until(() -> this.streams.subscriberCount("sse_disconnect") == 2);
		}
		finally {
			first.dispose();
			second.dispose();
		}
		await().atMost(TIMEOUT).until(() -> this.streams.subscriberCount("sse_disconnect") == 0);
	}

	@Test
	void unknownStreamIsNotFoundAsAProblem() {
		this.client.get()
			.uri("/api/v1/streams/no_such_stream/subscribe")
			.accept(MediaType.TEXT_EVENT_STREAM)
			.exchange()
			.expectStatus()
			.isNotFound()
			.expectHeader()
			.contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.code")
			.isEqualTo("RESOURCE_NOT_FOUND")
			.jsonPath("$.detail")
			.value(String.class, (detail) -> assertThat(detail).contains("no_such_stream"));
	}

	@Test
	void resumePointThatIsNoRowidOrFilterWithoutColonIsABadRequest() {
		for (String query : List.of("?from=abc", "?from=-1", "?from=")) {
			badRequest(query, null, "from parameter");
		}
		for (String query : List.of("?filter=nocolon", "?filter=:value")) {
			badRequest(query, null, "filter parameter");
		}
		badRequest("", "x", "Last-Event-ID");
		assertThat(this.streams.subscriberCount("sse_invalid")).isZero();
	}

	private void badRequest(String query, @Nullable String lastEventId, String named) {
		this.api.subscription("/api/v1/streams/sse_invalid/subscribe" + query, lastEventId)
			.expectStatus()
			.isBadRequest()
			.expectHeader()
			.contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.detail")
			.value(String.class, (detail) -> assertThat(detail).as(query).contains(named));
	}

	@Test
	void streamWithAuthNeedsCredentialsToSubscribe() {
		this.client.get()
			.uri("/api/v1/streams/sse_secured/subscribe")
			.accept(MediaType.TEXT_EVENT_STREAM)
			.exchange()
			.expectStatus()
			.isUnauthorized();
		this.client.get()
			.uri("/api/v1/streams/sse_secured/subscribe")
			.accept(MediaType.TEXT_EVENT_STREAM)
			.header("Authorization", "Bearer wrong")
			.exchange()
			.expectStatus()
			.isUnauthorized();
		StepVerifier.create(this.client.get()
			.uri("/api/v1/streams/sse_secured/subscribe")
			.accept(MediaType.TEXT_EVENT_STREAM)
			.header("Authorization", "Bearer sse-test-token")
			.exchange()
			.expectStatus()
			.isOk()
			.returnResult(SSE)
			.getResponseBody()
			.take(1)).assertNext((event) -> assertThat(event.comment()).isEqualTo("subscribed"))
			.expectComplete()
			.verify(TIMEOUT);
	}

	Flux<ServerSentEvent<String>> subscribe(String uri, @Nullable String lastEventId) {
		return this.api.subscribe(uri, lastEventId);
	}

	boolean isStreamEvent(ServerSentEvent<String> event) {
		return "stream.event".equals(event.event());
	}

}
