package dev.interlace.server;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.springframework.core.env.Environment;

/**
 * Opens {@link RawSseClient event-stream clients on plain sockets} to the server of an {@link InterlaceServerTest},
 * one by one or as a crowd of subscribers that never read.
 */
final class RawSseClients {

	/** Receive buffer of a subscriber that never reads: small, so that the server soon has to stop sending. */
	static final int IDLE_RECEIVE_BUFFER = 4096;

	private final Environment environment;

	RawSseClients(Environment environment) {
		this.environment = environment;
	}

	/**
	 * Connects and asks for an event stream, reading nothing yet.
	 * @param path the path and query of the subscription
	 * @param receiveBuffer the socket's receive buffer in bytes, or 0 for the system's default
	 * @param headers extra request headers, each {@code Name: value}
	 * @return the client
	 * @throws IOException if the connection fails
	 */
	RawSseClient open(String path, int receiveBuffer, String... headers) throws IOException {
		return new RawSseClient(port(), path, receiveBuffer, headers);
	}

	/**
	 * Subscribes {@code count} clients that never read, each on a small receive buffer.
	 * @param path the path and query of the subscription
	 * @param count how many subscribers
	 * @return the subscribers, to be closed together
	 * @throws IOException if a connection fails, after closing those made before it
	 */
	Idle idle(String path, int count) throws IOException {
		Idle idle = new Idle(new ArrayList<>(count));
		try {
			for (int i = 0; i < count; i++) {
				idle.clients.add(open(path, IDLE_RECEIVE_BUFFER));
			}
		}
		catch (IOException | RuntimeException ex) {
			idle.close();
			throw ex;
		}
		return idle;
	}

	private int port() {
		// Known once the server has started, after this bean was defined.
		return this.environment.getRequiredProperty("local.server.port", Integer.class);
	}

	/**
	 * Subscribers that never read.
	 * @param clients their connections, in the order they subscribed
	 */
	record Idle(List<RawSseClient> clients) implements AutoCloseable {

		@Override
		public void close() throws IOException {
			for (RawSseClient client : this.clients) {
				client.close();
			}
		}

	}

}
