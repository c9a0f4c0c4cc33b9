package dev.interlace.server;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Requests broken below the JSON: numbers Java cannot hold, bodies the HTTP codec cannot decode, clients that leave
 * in the middle of a body. None is a server error, none is logged as one, none stores anything.
 */
@ExtendWith(OutputCaptureExtension.class)
class MalformedHttpIntegrationTests extends ApiIntegrationTestSupport {

	private static final String REJECTS = "/api/v1/streams/api_rejects";

	@LocalServerPort
	int port;

	@AfterEach
	void rejectedRequestsStoredNothing() {
		assertThat(rowCount("api_rejects")).isZero();
	}

	@Test
	void numberWhoseExponentJavaCannotHoldIsA400() {
		assertProblem(post(REJECTS, "{\"n\":1e99999999999}"), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
		assertProblem(post(REJECTS, "{\"n\":1e-99999999999}"), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
	}

	@Test
	void malformedChunkIsAnsweredByTheCodecWithoutAServerError(CapturedOutput output) throws IOException {
		String answer = exchange("POST " + REJECTS + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
				+ "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{\"a\":1}\r\n0\r\n\r\n", false);
		assertThat(answer).startsWith("HTTP/1.1 400");
		assertNoServerErrorLogged(output);
	}

	@Test
	void clientLeavingInTheMiddleOfABodyIsNoServerError(CapturedOutput output) throws IOException {
		exchange("POST " + REJECTS + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
				+ "Content-Length: 1000\r\n\r\n{\"a\":", true);
		assertNoServerErrorLogged(output);
	}

	@Test
	void chunkedBodiesOverTheLimitAreA413EveryTimeOnOneConnection(CapturedOutput output) throws Exception {
		// Reading such bodies with a limit that fails mid-stream once made Netty release buffers twice: the
		// connection broke ("refCnt: 0") and the next request on it got no answer.
		byte[] body = ("{\"consumer\":\"" + "c".repeat(1_000_000) + "\"}").getBytes(StandardCharsets.UTF_8);
		HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
		for (String endpoint : List.of("", "/consume", "/ack")) {
			for (int i = 0; i < 10; i++) {
				HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + REJECTS + endpoint))
					.header("Content-Type", "application/json")
					.timeout(Duration.ofSeconds(30))
					.POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
					.build();
				assertThat(client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode()).as(endpoint)
					.isEqualTo(413);
			}
		}
		assertNoServerErrorLogged(output);
	}

	private static void assertNoServerErrorLogged(CapturedOutput output) {
		// The server handles the request after the client got its answer or left: give it time to log.
		await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> !output.getOut().contains(" ERROR "));
		assertThat(output.getOut()).doesNotContain("500 Server Error", "failed with 500", "refCnt");
	}

	/** Sends bytes on a socket of its own and returns what came back until the server closed it. */
	private String exchange(String request, boolean leave) throws IOException {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("localhost", this.port), 5_000);
			socket.setSoTimeout(10_000);
			OutputStream out = socket.getOutputStream();
			out.write(request.getBytes(StandardCharsets.UTF_8));
			out.flush();
			if (leave) {
				return "";
			}
			ByteArrayOutputStream received = new ByteArrayOutputStream();
			InputStream in = socket.getInputStream();
			in.transferTo(received);
			return received.toString(StandardCharsets.UTF_8);
		}
	}

}
