package dev.interlace.server;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * With {@code server.shutdown: graceful}, publishes in flight when the server is asked to stop are answered before it
 * exits, and stored.
 */
class GracefulShutdownIntegrationTests {

	private static final int PUBLISHES = 4;

	private static final int ROWS_PER_PUBLISH = 1_000;

	private static final int CHUNKS = 50;

	@TempDir
	Path data;

	@Test
	void publishesInFlightWhenTheServerStopsAreAnsweredAndStored() throws Exception {
		Path file = this.data.resolve("interlace.duckdb");
		ConfigurableApplicationContext context = new SpringApplicationBuilder(InterlaceServerApplication.class)
			.profiles("api")
			.run("--server.port=0", "--interlace.connections.default.path=" + file);
		int port = ((WebServerApplicationContext) context).getWebServer().getPort();
		WebClient client = WebClient.create("http://localhost:" + port);
		// Each body trickles in over about a second, so every publish is still in flight when the close starts.
		List<AtomicInteger> sentChunks = Stream
			.generate(AtomicInteger::new)
			.limit(PUBLISHES)
			.toList();
		List<Mono<Answer>> publishes = Flux.range(0, PUBLISHES)
			.map((i) -> client.post()
				.uri("/api/v1/streams/api_graceful")
				.contentType(MediaType.APPLICATION_JSON)
				.body(BodyInserters.fromDataBuffers(slowBatch(sentChunks.get(i))))
				.exchangeToMono((response) -> response.bodyToMono(String.class)
					.defaultIfEmpty("")
					.map((body) -> new Answer(response.statusCode().value(), System.nanoTime())))
				.cache())
			.collectList()
			.block();
		publishes.forEach((publish) -> publish.subscribe((answer) -> {
		}, (ex) -> {
			// Reported by block() below.
		}));
		// Close only once every request is under way (its headers and first chunks sent), each counted on its own: a
		// total could be reached by a few requests while a slow machine has yet to open another's connection, and
		// graceful shutdown covers requests in flight, not connections still to come.
		await()
			.atMost(Duration.ofSeconds(20))
			.pollInterval(Duration.ofMillis(5))
			.until(() -> sentChunks.stream().allMatch((sent) -> sent.get() >= 5));
		long closeStarted = System.nanoTime();
		context.close();

		for (Mono<Answer> publish : publishes) {
			Answer answer = publish.block(Duration.ofSeconds(30));
			assertThat(answer.status()).isEqualTo(202);
			assertThat(answer.answeredAt()).isGreaterThan(closeStarted);
		}
		try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + file);
				ResultSet rs = connection.createStatement().executeQuery("SELECT count(*) FROM events.api_graceful")) {
			rs.next();
			assertThat(rs.getLong(1)).isEqualTo((long) PUBLISHES * ROWS_PER_PUBLISH);
		}
	}

	private static Flux<DataBuffer> slowBatch(AtomicInteger sentChunks) {
		StringBuilder json = new StringBuilder("[");
		for (int i = 0; i < ROWS_PER_PUBLISH; i++) {
			json.append((i > 0) ? "," : "").append("{\"n\":").append(i).append('}');
		}
		byte[] bytes = json.append(']').toString().getBytes(StandardCharsets.UTF_8);
		int chunk = bytes.length / CHUNKS + 1;
		return Flux.interval(Duration.ofMillis(20))
			.take(CHUNKS)
			.map((i) -> (int) (i * chunk))
			.filter((offset) -> offset < bytes.length)
			.<DataBuffer>map((offset) -> DefaultDataBufferFactory.sharedInstance
				.wrap(ByteBuffer.wrap(bytes, offset, Math.min(chunk, bytes.length - offset))))
			.doOnNext((buffer) -> sentChunks.incrementAndGet());
	}

	private record Answer(int status, long answeredAt) {
	}

}
