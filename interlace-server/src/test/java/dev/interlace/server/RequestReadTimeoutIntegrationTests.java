package dev.interlace.server;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code interlace.server.read-timeout} against clients that stall in the middle of a request, sent over plain
 * sockets so that the test decides when each byte goes out. The timeout is 1 s here; the SSE heartbeat keeps its
 * 15 s default, so that a subscription sees no traffic at all while the test waits.
 */
@ExtendWith(OutputCaptureExtension.class)
@TestPropertySource(properties = { "interlace.server.read-timeout=1s",
		"interlace.streams.timeout_stalled.description=Target of stalled publishes; must stay empty",
		"interlace.streams.timeout_slow.description=Target of slow publishes",
		"interlace.streams.timeout_live.description=Subscribed to across pauses" })
class RequestReadTimeoutIntegrationTests extends ApiIntegrationTestSupport {

	private static final Duration TIMEOUT = Duration.ofSeconds(1);

	/** Longest the server may take to cut a stalled client off: the timeout plus scheduling slack. */
	private static final Duration BOUND = Duration.ofSeconds(5);

	private static final String STALLED = "/api/v1/streams/timeout_stalled";

	@LocalServerPort
	int port;

	@Test
	void bodyThatStopsArrivingIsCutOffAndStoresNothing(CapturedOutput output) throws IOException {
		int logged = output.getOut().length();
		long before = rowCount("timeout_stalled");
		try (Socket socket = connect()) {
			send(socket, "POST " + STALLED + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
					+ "Content-Length: 100\r\n\r\n{\"a\":\"0123");
			Cut cut = awaitCut(socket);
			assertThat(cut.elapsed()).isBetween(TIMEOUT.minusMillis(100), BOUND);
			assertThat(cut.answer()).startsWith("HTTP/1.1 408 Request Timeout")
				.containsIgnoringCase("connection: close")
				.contains("\"code\":\"REQUEST_TIMEOUT\"");
		}
		assertThat(rowCount("timeout_stalled")).isEqualTo(before);
		assertThat(output.getOut().substring(logged)).doesNotContain(" ERROR ", " WARN ", "\tat ");
	}

	@Test
	void headersThatNeverEndAreCutOff(CapturedOutput output) throws IOException {
		int logged = output.getOut().length();
		try (Socket socket = connect()) {
			send(socket, "POST " + STALLED + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n");
			Cut cut = awaitCut(socket);
			assertThat(cut.elapsed()).isBetween(TIMEOUT.minusMillis(100), BOUND);
			// Without a request there is nobody to answer: Reactor Netty closes the connection.
			assertThat(cut.answer()).isEmpty();
		}
		// Reactor Netty reports the request cut short in one WARN line ("Decoding failed ... Connection closed
		// before received headers"), as it does any request it cannot decode.
		assertThat(output.getOut().substring(logged)).doesNotContain(" ERROR ", "\tat ");
	}

	@Test
	void headersTrickledInByteByByteAreCutOffAllTheSame() throws Exception {
		// Every byte arrives well within the timeout, but the headers never end: the wait for them is bounded as a
		// whole, else a slowloris client could hold the connection by sending a byte now and then.
		try (Socket socket = connect()) {
			send(socket, "GET /api/v1/streams HTTP/1.1\r\nHost: x\r\n");
			CompletableFuture<Void> trickle = CompletableFuture.runAsync(() -> {
				try {
					OutputStream out = socket.getOutputStream();
					for (int i = 0; i < 100; i++) {
						out.write(i % 2 == 0 ? 'X' : ' ');
						out.flush();
						TimeUnit.MILLISECONDS.sleep(200);
					}
				}
				catch (IOException | InterruptedException ex) {
					// The server closed the connection: what the test waits for.
				}
			});
			Cut cut = awaitCut(socket);
			assertThat(cut.elapsed()).isLessThan(BOUND);
			assertThat(cut.answer()).isEmpty();
			trickle.cancel(true);
		}
	}

	@Test
	void subscriptionSilentForLongerThanTwiceTheTimeoutStillReceivesEvents() throws Exception {
		try (Socket socket = connect()) {
			send(socket, "GET /api/v1/streams/timeout_live/subscribe HTTP/1.1\r\nHost: x\r\n"
					+ "Accept: text/event-stream\r\n\r\n");
			BufferedReader reader = new BufferedReader(
					new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
			assertThat(reader.readLine()).startsWith("HTTP/1.1 200");
			readUntil(reader, ":subscribed");
			// Nothing crosses the connection meanwhile: no heartbeat is due before 15 s.
			Thread.sleep(TIMEOUT.multipliedBy(2).plusMillis(500).toMillis());
			publish("timeout_live", "{\"note\":\"after the pause\"}").expectStatus().isAccepted();
			assertThat(readUntil(reader, "data:")).contains("after the pause");
		}
	}

	@Test
	void bodySentInPiecesWithPausesShorterThanTheTimeoutIsAccepted() throws Exception {
		long before = rowCount("timeout_slow");
		String body = "{\"note\":\"sent slowly, in pieces\",\"pieces\":5}";
		// Ten pauses of 0.3 s: together three times the timeout, each far enough under it that a busy machine
		// sleeping late does not turn a pause into a stall.
		int pieces = 10;
		int size = (body.length() + pieces - 1) / pieces;
		long start = System.nanoTime();
		try (Socket socket = connect()) {
			send(socket, "POST /api/v1/streams/timeout_slow HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
					+ "Content-Length: " + body.length() + "\r\nConnection: close\r\n\r\n");
			for (int i = 0; i < body.length(); i += size) {
				Thread.sleep(TIMEOUT.toMillis() * 3 / 10);
				send(socket, body.substring(i, Math.min(body.length(), i + size)));
			}
			Duration sending = Duration.ofNanos(System.nanoTime() - start);
			assertThat(sending).isGreaterThan(TIMEOUT.multipliedBy(2));
			String answer = readAll(socket);
			assertThat(answer).startsWith("HTTP/1.1 202").contains("\"accepted\"");
		}
		assertThat(rowCount("timeout_slow")).isEqualTo(before + 1);
	}

	private Socket connect() throws IOException {
		Socket socket = new Socket();
		socket.connect(new InetSocketAddress("localhost", this.port), 5_000);
		socket.setSoTimeout((int) BOUND.multipliedBy(2).toMillis());
		return socket;
	}

	private static void send(Socket socket, String text) throws IOException {
		OutputStream out = socket.getOutputStream();
		out.write(text.getBytes(StandardCharsets.UTF_8));
		out.flush();
	}

	/**
	 * Waits for the server to close the connection, returning what it sent before and how long after the call it
	 * closed; fails if it is still open after twice the bound.
	 */
	private static Cut awaitCut(Socket socket) throws IOException {
		long start = System.nanoTime();
		ByteArrayOutputStream received = new ByteArrayOutputStream();
		try {
			socket.getInputStream().transferTo(received);
		}
		catch (SocketTimeoutException ex) {
			throw new AssertionError("The server kept the stalled connection open", ex);
		}
		catch (IOException ex) {
			// A reset is a close too.
		}
		return new Cut(received.toString(StandardCharsets.ISO_8859_1), Duration.ofNanos(System.nanoTime() - start));
	}

	private static String readAll(Socket socket) throws IOException {
		InputStream in = socket.getInputStream();
		return new String(in.readAllBytes(), StandardCharsets.UTF_8);
	}

	private static String readUntil(BufferedReader reader, String prefix) throws IOException {
		for (String line = reader.readLine(); line != null; line = reader.readLine()) {
			if (line.startsWith(prefix)) {
				return line;
			}
		}
		throw new AssertionError("The connection ended before a line starting with " + prefix);
	}

	private record Cut(String answer, Duration elapsed) {
	}

}
