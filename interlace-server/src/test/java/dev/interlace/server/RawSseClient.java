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
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An event-stream client on a plain socket, which reads nothing until asked to: with a small receive buffer, the
 * server soon has to stop sending to it.
 */
final class RawSseClient implements AutoCloseable {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

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

	/** The body of a chunked HTTP/1.1 response, ending at its last chunk. */
	private static final class ChunkedInputStream extends InputStream {

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
				String size = readLine(this.in);
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
				readLine(this.in);
			}
			return read;
		}

	}

}
