package dev.interlace.server;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.LongStream;

import io.netty.channel.ChannelOption;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.interlace.core.PublishResult;
import dev.interlace.core.engine.DefaultStreams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A client that stops reading falls behind its bounded buffer: publishers and a reading subscriber carry on
 * unhindered, and the slow client, once it reads again, finds every event up to a {@code stream.overflow} event
 * naming the rowid to resume from, after which its response ends.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "interlace.subscriber-buffer-size=1000")
@ActiveProfiles("sse")
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

	@TempDir
	static Path data;

	@TestConfiguration(proxyBeanMethods = false)
	static class SmallSocketSendBuffers {

		// A fixed send buffer instead of Linux's autotuned one (up to 4 MB): the slow client then stops taking
		// events after a few hundred kilobytes rather than after however much the kernel decides to hold.
		@Bean
		NettyServerCustomizer smallSocketSendBuffers() {
			return (server) -> server.childOption(ChannelOption.SO_SNDBUF, 16 * 1024);
		}

	}

	@DynamicPropertySource
	static void dataFile(DynamicPropertyRegistry registry) {
		registry.add("interlace.connections.default.path", () -> data.resolve("interlace.duckdb").toString());
	}

	@LocalServerPort
	int port;

	@Autowired
	DefaultStreams streams;

	final JsonMapper json = JsonMapper.builder().build();

	@Test
	void slowClientGetsAnOverflowEventToResumeFromWhilePublishersAndOtherSubscribersCarryOn() throws Exception {
		try (RawSseClient slow = new RawSseClient(this.port, PATH, 4096);
				RawSseClient fast = new RawSseClient(this.port, PATH, 0)) {
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
			try (RawSseClient resumed = new RawSseClient(this.port, PATH, 0, "Last-Event-ID: " + resumeAfter)) {
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

	/**
	 * An event-stream client on a plain socket, which reads nothing until asked to: with a small receive buffer, the
	 * server soon has to stop sending to it.
	 */
	static final class RawSseClient implements AutoCloseable {

		private final Socket socket;

		private final InputStream in;

		RawSseClient(int port, String path, int receiveBuffer, String... headers) throws IOException {
			this.socket = new Socket();
			if (receiveBuffer > 0) {
				this.socket.setReceiveBufferSize(receiveBuffer);
			}
			this.socket.setSoTimeout((int) TIMEOUT.toMillis());
			this.socket.connect(new InetSocketAddress("localhost", port));
			StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n")
				.append("Accept: text/event-stream\r\n");
			for (String header : headers) {
				request.append(header).append("\r\n");
			}
			OutputStream out = this.socket.getOutputStream();
			out.write(request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
			out.flush();
			this.in = new BufferedInputStream(this.socket.getInputStream());
		}

		/**
		 * Reads the response: status, headers, then the chunked body as events (comments left out), each handed to
		 * {@code handler} until it returns {@code false} or the response ends.
		 * @param handler takes each event's fields ({@code id}, {@code event}, {@code data})
		 */
		void readEvents(Predicate<Map<String, String>> handler) throws IOException {
			assertThat(readLine(this.in)).startsWith("HTTP/1.1 200");
			boolean chunked = false;
			for (String header = readLine(this.in); !header.isEmpty(); header = readLine(this.in)) {
				chunked |= header.equalsIgnoreCase("transfer-encoding: chunked");
			}
			assertThat(chunked).isTrue();
			InputStream body = new BufferedInputStream(new ChunkedInputStream(this.in));
			Map<String, String> event = new LinkedHashMap<>();
			for (String line = readLine(body); line != null; line = readLine(body)) {
				if (line.isEmpty()) {
					if (!event.isEmpty() && !handler.test(event)) {
						return;
					}
					event = new LinkedHashMap<>();
					continue;
				}
				int colon = line.indexOf(':');
				if (colon > 0) {
					String value = line.substring(colon + 1);
					event.merge(line.substring(0, colon), value.startsWith(" ") ? value.substring(1) : value,
							(a, b) -> a + "\n" + b);
				}
			}
		}

		/** Reads a line without its CR LF or LF; {@code null} at the end of the stream. */
		static @Nullable String readLine(InputStream in) throws IOException {
			ByteArrayOutputStream line = new ByteArrayOutputStream();
			int b = in.read();
			if (b < 0) {
				return null;
			}
			for (; b != '\n'; b = in.read()) {
				if (b < 0) {
					throw new EOFException("Connection closed in the middle of a line");
				}
				line.write(b);
			}
			String text = line.toString(StandardCharsets.UTF_8);
			return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
		}

		@Override
		public void close() throws IOException {
			this.socket.close();
		}

	}

	/** The body of a chunked HTTP/1.1 response, ending at its last chunk. */
	static final class ChunkedInputStream extends InputStream {

		private final InputStream in;

		private int remaining;

		private boolean done;

		ChunkedInputStream(InputStream in) {
			this.in = in;
		}

		@Override
		public int read() throws IOException {
			byte[] one = new byte[1];
			return (read(one, 0, 1) < 0) ? -1 : (one[0] & 0xff);
		}

		@Override
		public int read(byte[] buffer, int offset, int length) throws IOException {
			if (this.done) {
				return -1;
			}
			if (this.remaining == 0) {
				String size = RawSseClient.readLine(this.in);
				if (size == null) {
					throw new EOFException("Connection closed before the last chunk");
				}
				int extension = size.indexOf(';');
				this.remaining = Integer.parseInt((extension >= 0) ? size.substring(0, extension) : size, 16);
				if (this.remaining == 0) {
					this.done = true;
					return -1;
				}
			}
			int read = this.in.read(buffer, offset, Math.min(length, this.remaining));
			if (read < 0) {
				throw new EOFException("Connection closed inside a chunk");
			}
			this.remaining -= read;
			if (this.remaining == 0) {
				RawSseClient.readLine(this.in);
			}
			return read;
		}

	}

}
