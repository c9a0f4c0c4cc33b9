package dev.interlace.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.ActiveProfiles;

import dev.interlace.core.engine.DefaultStreams;

import static dev.interlace.server.Heap.heapAfterGc;
import static dev.interlace.server.Heap.mb;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@value #SUBSCRIBERS} SSE subscribers replaying a stream of {@value #ROWS} stored rows from the start, none of which
 * reads a byte, on a DuckDB file. Checked: the server's heap after a full GC stays within {@value #HEAP_BOUND_MB} MB
 * of what it was before they came, as each replay reads at most a page or two ahead of its subscriber; one more
 * replay beyond {@code interlace.replay.max-concurrent} is answered 503 with {@code Retry-After}; and the replays'
 * permits come back once the subscribers leave.
 */
@InterlaceServerTest
@ActiveProfiles("replay")
@Import(SmallSocketSendBuffers.class)
class DuckDbSlowReplaysIntegrationTests {

	static final String STREAM = "replayed";

	static final String PATH = "/api/v1/streams/" + STREAM + "/subscribe?from=0";

	static final int ROWS = 200_000;

	static final int SUBSCRIBERS = 100;

	static final String PAD = "p".repeat(200);

	/**
	 * Largest growth of the heap (after a full GC) allowed with the replaying subscribers, in MB. Expected: each
	 * holds up to two pages of 1,000 events (~0.5 KB each as read, shared by nobody) plus what its response's
	 * pipeline and socket hold, ~1-2 MB, so 100-200 MB for the hundred at worst; a replay that reads far ahead holds
	 * its whole 200,000-row backlog instead, ~100 MB each.
	 */
	static final long HEAP_BOUND_MB = 256;

	@Autowired
	DefaultStreams streams;

	@Autowired
	StreamsApi api;

	@Autowired
	RawSseClients sse;

	@Test
	void replaysThatNeverReadHoldLittleHeapAndOneReplayTooManyIsAnswered503WithRetryAfter() throws Exception {
		for (int published = 0; published < ROWS; published += 10_000) {
			List<Map<String, Object>> events = new ArrayList<>();
			for (int i = 0; i < 10_000; i++) {
				events.add(Map.of("n", published + i, "pad", PAD));
			}
			this.streams.publishBlocking(STREAM, events);
		}
		long baseline = heapAfterGc();
		try (RawSseClients.Idle idle = this.sse.idle(PATH, SUBSCRIBERS)) {
			await().atMost(Duration.ofSeconds(60)).until(() -> this.streams.subscriberCount(STREAM) == SUBSCRIBERS);
			// Whatever a replay reads ahead is read within a few seconds; sample the heap for a while after that.
			long peak = 0;
			for (int sample = 0; sample < 8; sample++) {
				Thread.sleep(1_000);
				peak = Math.max(peak, heapAfterGc());
			}
			System.out.printf("[%s] heap after GC: %d MB before, %d MB at most with %d replays of %d rows%n",
					getClass().getSimpleName(), mb(baseline), mb(peak), SUBSCRIBERS, ROWS);
			assertThat(mb(peak - baseline)).as("heap growth in MB").isLessThan(HEAP_BOUND_MB);

			assertThat(this.streams.activeReplays()).isEqualTo(SUBSCRIBERS);
			// Before replays were bounded this was a 200 and an endless stream: the body is read only once refused.
			this.api.subscription(PATH, null)
				.expectStatus()
				.isEqualTo(503)
				.expectHeader()
				.value("Retry-After", (seconds) -> assertThat(Integer.parseInt(seconds)).isPositive())
				.expectBody(String.class)
				.value((body) -> assertThat(body).contains("interlace.replay.max-concurrent")
					.contains("TOO_MANY_REPLAYS"));
		}
		await().atMost(Duration.ofSeconds(60)).until(() -> this.streams.activeReplays() == 0);
		assertThat(this.streams.subscriberCount(STREAM)).isZero();
	}

}
