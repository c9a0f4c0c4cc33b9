package dev.interlace.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.ActiveProfiles;

import dev.interlace.core.PublishResult;
import dev.interlace.core.engine.DefaultStreams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A client that stops reading falls behind its bounded buffer: publishers and a reading subscriber carry on
 * unhindered, and the slow client, once it reads again, finds every event up to a {@code stream.overflow} event
 * naming the rowid to resume from, after which its response ends.
 */
@InterlaceServerTest(properties = "interlace.subscriber-buffer-size=1000")
@ActiveProfiles("sse")
@Import(SmallSocketSendBuffers.class)
class SubscribeSlowClientTests {

	static final Duration TIMEOUT = Duration.ofSeconds(60);

	static final String STREAM = "sse_slow";

	static final String PATH = "/api/v1/streams/" + STREAM + "/subscribe";

	// 20,000 events of ~1 KB: far more than the socket buffers and the subscriber buffer hold together.
	static final int BATCHES = 400;

	static final int BATCH_SIZE = 50;

	static final int TOTAL = BATCHES * BATCH_SIZE;

	// How far the publisher may run ahead of the reading subscriber: well inside its buffer of 1,000 events.
	static final int READ_AHEAD = 4 * BATCH_SIZE;

	@Autowired
	DefaultStreams streams;

	@Autowired
	RawSseClients sse;

	final JsonMapper json = JsonMapper.builder().build();

	@Test
	void slowClientGetsAnOverflowEventToResumeFromWhilePublishersAndOtherSubscribersCarryOn() throws Exception {
		try (RawSseClient slow = this.sse.open(PATH, 4096);
				RawSseClient fast = this.sse.open(PATH, 0)) {
			await().atMost(TIMEOUT).until(() -> this.streams.subscriberCount(STREAM) == 2);
			List<Long> fastIds = new CopyOnWriteArrayList<>();
			AtomicReference<Throwable> fastFailure = new AtomicReference<>();
			Thread fastReader = new Thread(() -> {
				try {
					fast.readEvents((event) -> {
						if ("stream.event".equals(event.get("event"))) {
							fastIds.add(Long.parseLong(event.get("id")));
						}
						return fastIds.size() < TOTAL;
					});
				}
				catch (Throwable ex) {
					fastFailure.set(ex);
				}
			}, "fast-sse-client");
			fastReader.start();

			String pad = "x".repeat(1_000);
			long firstRowid = 0;
			long lastRowid = 0;
			for (int batch = 0; batch < BATCHES; batch++) {
				// Paced by what the reading subscriber has received, not by the clock: it is never more than
				// READ_AHEAD events behind, far inside its buffer, however slowly a busy machine runs it. The slow
				// client sets no pace: had it held up the publishers, this loop would never end.
				int published = batch * BATCH_SIZE;
				await().atMost(TIMEOUT)
					.pollDelay(Duration.ZERO)
					.pollInterval(Duration.ofMillis(1))
					.failFast("the reading subscriber ended early", () -> !fastReader.isAlive())
					.until(() -> fastIds.size() >= published - READ_AHEAD);
				List<Map<String, Object>> events = new ArrayList<>();
				for (int i = 0; i < BATCH_SIZE; i++) {
					events.add(Map.of("i", published + i, "pad", pad));
				}
				PublishResult result = this.streams.publishBlocking(STREAM, events);
				firstRowid = (firstRowid != 0) ? firstRowid : result.firstRowid();
				lastRowid = result.lastRowid();
			}
			assertThat(lastRowid - firstRowid + 1).isEqualTo(TOTAL);

			// The reading subscriber got everything, in order.
			fastReader.join(TIMEOUT.toMillis());
			assertThat(fastFailure.get()).isNull();
			assertThat(fastIds).containsExactlyElementsOf(LongStream.rangeClosed(firstRowid, lastRowid).boxed().toList());

			// The slow client was detached from the stream while still not reading...
			await().atMost(TIMEOUT).until(() -> this.streams.subscriberCount(STREAM) == 1);

			// ...and, reading again, finds the events it was sent, then the overflow event, then the end.
			List<Map<String, String>> received = new ArrayList<>();
			slow.readEvents(received::add);
			List<Long> ids = received.stream()
				.filter((event) -> "stream.event".equals(event.get("event")))
				.map((event) -> Long.parseLong(event.get("id")))
				.toList();
			assertThat(ids).isNotEmpty().hasSizeLessThan(TOTAL);
			assertThat(ids).containsExactlyElementsOf(
					LongStream.rangeClosed(firstRowid, firstRowid + ids.size() - 1).boxed().toList());
			Map<String, String> last = received.get(received.size() - 1);
			assertThat(last).containsEntry("event", "stream.overflow");
			long resumeAfter = ids.get(ids.size() - 1);
			assertThat(last).containsEntry("id", Long.toString(resumeAfter));
			JsonNode overflow = this.json.readTree(last.get("data"));
			assertThat(overflow.get("stream").asString()).isEqualTo(STREAM);
			assertThat(overflow.get("last_event_id").asLong()).isEqualTo(resumeAfter);
			assertThat(overflow.get("reason").asString()).contains("fell more than 1000 events behind");

			// Resuming from there gives the rest: nothing lost.
			long end = lastRowid;
			List<Long> rest = new ArrayList<>();
			try (RawSseClient resumed = this.sse.open(PATH, 0, "Last-Event-ID: " + resumeAfter)) {
				resumed.readEvents((event) -> {
					if ("stream.event".equals(event.get("event"))) {
						rest.add(Long.parseLong(event.get("id")));
					}
					return rest.get(rest.size() - 1) < end;
				});
			}
			assertThat(rest).containsExactlyElementsOf(LongStream.rangeClosed(resumeAfter + 1, end).boxed().toList());
		}
		await().atMost(TIMEOUT).until(() -> this.streams.subscriberCount(STREAM) == 0);
	}

}
