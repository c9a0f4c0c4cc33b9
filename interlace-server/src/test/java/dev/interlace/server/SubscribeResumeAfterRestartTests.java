package dev.interlace.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.client.WebClient;

import dev.interlace.core.Streams;
import dev.interlace.core.engine.DefaultStreams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A client resumes with {@code Last-Event-ID} from a server restarted on the same DuckDB file, and open event streams
 * end when the server stops rather than holding up its graceful shutdown.
 */
class SubscribeResumeAfterRestartTests {

	static final Duration TIMEOUT = Duration.ofSeconds(30);

	static final String STREAM = "sse_restart";

	@TempDir
	Path data;

	@Test
	void clientResumesWithLastEventIdAfterARestartAndMissesNothing() {
		String file = this.data.resolve("interlace.duckdb").toString();
		List<Long> seen = new CopyOnWriteArrayList<>();
		try (ConfigurableApplicationContext first = start(file)) {
			Streams streams = first.getBean(Streams.class);
			StepVerifier.create(ids(subscribe(first, null)).take(5).doOnNext(seen::add))
				.then(() -> awaitSubscriber(first))
				.then(() -> {
					for (int i = 1; i <= 10; i++) {
						streams.publishBlocking(STREAM, Map.of("run", 1, "i", i));
					}
				})
				.expectNextCount(5)
				.expectComplete()
				.verify(TIMEOUT);
			// Published while the client is away: it must get these too.
			for (int i = 11; i <= 15; i++) {
				streams.publishBlocking(STREAM, Map.of("run", 1, "i", i));
			}
		}
		assertThat(seen).containsExactly(1L, 2L, 3L, 4L, 5L);
		long lastSeen = seen.get(seen.size() - 1);
		try (ConfigurableApplicationContext second = start(file)) {
			Streams streams = second.getBean(Streams.class);
			for (int i = 1; i <= 10; i++) {
				streams.publishBlocking(STREAM, Map.of("run", 2, "i", i));
			}
			StepVerifier.create(ids(subscribe(second, Long.toString(lastSeen))).take(21))
				.recordWith(ArrayList::new)
				.expectNextCount(20)
				.then(() -> streams.publishBlocking(STREAM, Map.of("run", 2, "i", 11)))
				.expectNextCount(1)
				.consumeRecordedWith((ids) -> assertThat(ids)
					.containsExactlyElementsOf(LongStream.rangeClosed(lastSeen + 1, 26).boxed().toList()))
				.expectComplete()
				.verify(TIMEOUT);
		}
	}

	@Test
	void openEventStreamsEndWhenTheServerStops() {
		String file = this.data.resolve("interlace.duckdb").toString();
		ConfigurableApplicationContext context = start(file);
		try {
			Flux<ServerSentEvent<String>> events = subscribe(context, null);
			AtomicLong closeMillis = new AtomicLong();
			StepVerifier.create(events)
				.assertNext((event) -> assertThat(event.comment()).isEqualTo("subscribed"))
				.then(() -> {
					long start = System.nanoTime();
					context.close();
					closeMillis.set(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
				})
				.thenConsumeWhile((event) -> event.comment() != null)
				.expectComplete()
				.verify(TIMEOUT);
			// Graceful shutdown waits up to 30 s for open exchanges: the event stream was not one of them.
			assertThat(closeMillis.get()).isLessThan(10_000);
		}
		finally {
			context.close();
		}
	}

	static ConfigurableApplicationContext start(String file) {
		return new SpringApplicationBuilder(InterlaceServerApplication.class).run("--server.port=0",
				"--interlace.connections.default.path=" + file, "--spring.profiles.active=sse",
				"--spring.main.banner-mode=off");
	}

	static Flux<ServerSentEvent<String>> subscribe(ConfigurableApplicationContext context, @Nullable String lastEventId) {
		String port = context.getEnvironment().getRequiredProperty("local.server.port");
		return WebClient.create("http://localhost:" + port)
			.get()
			.uri("/api/v1/streams/{name}/subscribe", STREAM)
			.accept(MediaType.TEXT_EVENT_STREAM)
			.headers((headers) -> {
				if (lastEventId != null) {
					headers.set("Last-Event-ID", lastEventId);
				}
			})
			.retrieve()
			.bodyToFlux(StreamsApi.SSE);
	}

	static void awaitSubscriber(ConfigurableApplicationContext context) {
		DefaultStreams streams = context.getBean(DefaultStreams.class);
		await().atMost(TIMEOUT).until(() -> streams.subscriberCount(STREAM) > 0);
	}

	static Flux<Long> ids(Flux<ServerSentEvent<String>> events) {
		return events.filter((event) -> "stream.event".equals(event.event()))
			.map((event) -> Long.parseLong(event.id()));
	}

}
