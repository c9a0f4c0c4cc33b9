package dev.interlace.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged server jar running as a process of its own, started with the same {@code java} as the tests, on a free
 * port, in a working directory of the test's. Its output is appended to a log file that survives the run (one file per
 * test, across restarts), so that a failure can show what the server said.
 */
final class ServerProcess implements AutoCloseable {

	/** Longest a start may take on a busy machine before the test gives up. */
	static final Duration START_TIMEOUT = Duration.ofSeconds(90);

	/** Exit status Java reports for a process ended by SIGKILL (128 + 9). */
	static final int KILLED_BY_SIGKILL = 137;

	private static final HttpClient PROBE = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(2))
		.build();

	private final Process process;

	private final int port;

	private final Path log;

	private ServerProcess(Process process, int port, Path log) {
		this.process = process;
		this.port = port;
		this.log = log;
	}

	/**
	 * Starts the jar and waits until it answers HTTP.
	 * @param workingDirectory the process's working directory
	 * @param log the file its output is appended to
	 * @param arguments application arguments besides {@code --server.port}
	 * @return the running server
	 */
	static ServerProcess start(Path workingDirectory, Path log, List<String> arguments) {
		int port = freePort();
		List<String> command = new ArrayList<>();
		command.add(ProcessHandle.current().info().command().orElse("java"));
		command.add("-Xmx512m");
		command.add("--enable-native-access=ALL-UNNAMED");
		command.add("-jar");
		command.add(jar().toString());
		command.add("--server.port=" + port);
		command.addAll(arguments);
		try {
			Files.createDirectories(log.getParent());
			Files.writeString(log, "\n===== " + String.join(" ", command) + "\n", StandardCharsets.UTF_8,
					StandardOpenOption.CREATE, StandardOpenOption.APPEND);
			Process process = new ProcessBuilder(command).directory(workingDirectory.toFile())
				.redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
				.start();
			ServerProcess server = new ServerProcess(process, port, log);
			server.awaitReady();
			return server;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Deletes a log of an earlier run, so that a test reads only what its own servers said.
	 * @param log the log file
	 */
	static void deleteLog(Path log) {
		try {
			Files.deleteIfExists(log);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Returns the server jar the build packaged: {@code interlace.server.jar} as failsafe sets it, else the module's
	 * {@code target/interlace-server.jar}.
	 */
	static Path jar() {
		Path jar = Path.of(System.getProperty("interlace.server.jar", "target/interlace-server.jar"));
		assertThat(jar).as("the packaged server (run the tests with mvn verify)").isRegularFile();
		return jar.toAbsolutePath();
	}

	/**
	 * Returns the path of a test resource as a file, to pass to the server.
	 * @param name the resource
	 * @return its path
	 */
	static Path resource(String name) {
		try {
			return Path.of(ServerProcess.class.getClassLoader().getResource(name).toURI());
		}
		catch (URISyntaxException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private void awaitReady() {
		long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException("The server exited with " + this.process.exitValue()
						+ " during start-up; its log ends with:\n" + logTail(60));
			}
			try {
				HttpResponse<Void> response = PROBE.send(HttpRequest.newBuilder(URI.create(base() + "/api/v1/streams"))
					.timeout(Duration.ofSeconds(5))
					.build(), HttpResponse.BodyHandlers.discarding());
				if (response.statusCode() == 200) {
					return;
				}
			}
			catch (IOException ex) {
				// Not listening yet.
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
			sleep(Duration.ofMillis(200));
		}
		this.process.destroyForcibly();
		throw new IllegalStateException("The server did not answer within " + START_TIMEOUT + "; its log ends with:\n"
				+ logTail(60));
	}

	/** Base URL, {@code http://localhost:<port>}. */
	String base() {
		return "http://localhost:" + this.port;
	}

	int port() {
		return this.port;
	}

	long pid() {
		return this.process.pid();
	}

	boolean isAlive() {
		return this.process.isAlive();
	}

	/**
	 * Kills the server with SIGKILL, which it cannot catch: no shutdown hook, no graceful shutdown, no flush. Checks
	 * that the process did end by that signal.
	 */
	void kill() {
		this.process.destroyForcibly();
		assertThat(waitForExit()).as("exit status of a process killed by SIGKILL").isEqualTo(KILLED_BY_SIGKILL);
	}

	/**
	 * Stops the server with SIGTERM, as an operator would, and waits for its graceful shutdown.
	 * @return the exit status
	 */
	int stop() {
		this.process.destroy();
		return waitForExit();
	}

	private int waitForExit() {
		try {
			if (!this.process.waitFor(60, TimeUnit.SECONDS)) {
				this.process.destroyForcibly();
				this.process.waitFor(10, TimeUnit.SECONDS);
				throw new IllegalStateException("The server did not exit within 60 s");
			}
			return this.process.exitValue();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Returns the last lines of the server's log (all its runs in this test).
	 * @param lines how many
	 * @return the lines
	 */
	String logTail(int lines) {
		try {
			List<String> all = Files.readAllLines(this.log, StandardCharsets.UTF_8);
			return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
		}
		catch (IOException | UncheckedIOException ex) {
			return "(log unreadable: " + ex + ")";
		}
	}

	/**
	 * Returns the lines of the server's log with the given level, e.g. {@code ERROR}.
	 * @param level the level
	 * @return the lines
	 */
	List<String> logLines(String level) {
		try {
			return Files.readAllLines(this.log, StandardCharsets.UTF_8)
				.stream()
				.filter((line) -> line.contains(" " + level + " "))
				.toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@Override
	public void close() {
		if (this.process.isAlive()) {
			this.process.destroyForcibly();
			waitForExit();
		}
	}

	static void sleep(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
