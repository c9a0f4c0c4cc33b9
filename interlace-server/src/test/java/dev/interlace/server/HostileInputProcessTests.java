package dev.interlace.server;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import dev.interlace.core.store.postgres.TestPostgres;
import dev.interlace.server.HostileRequests.Http;
import dev.interlace.server.HostileRequests.Raw;
import dev.interlace.server.HostileRequests.Request;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile input against the packaged server, on DuckDB and on PostgreSQL: at least {@value #REJECTED} generated bad
 * requests each ({@link HostileRequests}: broken JSON, deep nesting, huge strings and numbers, wrong types, Unicode
 * edge cases, oversized bodies, header abuse, unknown streams, wrong methods, malformed HTTP). Checked:
 * <ul>
 * <li>no answer is a 5xx, and every problem the application answers is {@code application/problem+json} without a
 * stack trace;</li>
 * <li>no rejected request stored anything: every row of every stream belongs to a publish answered 202, and, read from
 * the database after the server stopped, the only cursors are those of acks answered 200 and the only stream tables
 * are the configured ones;</li>
 * <li>the server is healthy afterwards: it publishes, consumes and delivers live events, logged no error and never
 * had to reopen a database connection.</li>
 * </ul>
 */
class HostileInputProcessTests {

	/** Bad requests each run must see rejected. */
	static final int REJECTED = 10_000;

	static final int CLIENTS = 4;

	static final Duration TIMEOUT = Duration.ofSeconds(30);

	static final Duration SLOW = Duration.ofSeconds(2);

	/** Distinct consumer names the targeted cases ack with: beyond the documented bound on consumers per stream. */
	static final int CONSUMER_NAMES = 3_000;

	/** Subscribers that replay from the start at once and never read. */
	static final int REPLAYS = 300;

	/** Rows stored for them to replay. */
	static final int REPLAY_ROWS = 10_000;

	/**
	 * Groups of targeted cases to run, all unless the system property {@code hostile.targeted} names some
	 * (methods, exponents, consumers, replays, wide), to look at one hole alone.
	 */
	static final Set<String> TARGETED = Set.of(
			System.getProperty("hostile.targeted", "methods,exponents,consumers,replays,wide").split(","));

	static final Set<String> STREAMS = Set.of("orders", "clicks", "crash_events", "crash_keyed",
			HostileRequests.TYPED, HostileRequests.OPEN, HostileRequests.SECURED, HostileRequests.KEYED, HostileRequests.LIMITED);

	private static final Pattern PUBLISH_ID = Pattern.compile("\"publish_id\":\"([0-9a-f-]{36})\"");

	private static final Pattern ROWS_RECEIVED = Pattern.compile("\"rows_received\":(\\d+)");

	private static final JsonMapper JSON = JsonMapper.shared();

	@TempDir
	Path work;

	@Test
	void duckDbRejectsTenThousandBadRequestsWithoutA5xxOrAStoredRowAndStaysHealthy() throws Exception {
		Path file = this.work.resolve("fuzz.duckdb");
		new FuzzRun("duckdb", List.of("--interlace.connections.default.path=" + file), () -> {
			try {
				return DriverManager.getConnection("jdbc:duckdb:" + file);
			}
			catch (SQLException ex) {
				throw new IllegalStateException(ex);
			}
		}).run();
	}

	@Test
	void postgresRejectsTenThousandBadRequestsWithoutA5xxOrAStoredRowAndStaysHealthy() throws Exception {
		TestPostgres postgres = TestPostgres.shared();
		String database = postgres.createDatabase();
		DataSource dataSource = postgres.dataSource(database);
		new FuzzRun("postgres", List.of("--spring.datasource.url=" + postgres.jdbcUrl(database),
				"--spring.datasource.username=" + postgres.username(), "--spring.datasource.password=unused"), () -> {
					try {
						return dataSource.getConnection();
					}
					catch (SQLException ex) {
						throw new IllegalStateException(ex);
					}
				})
			.run();
	}

	/** Opens a connection to the server's database, once the server is stopped. */
	interface Database {

		Connection open();

	}

	/** What the server answered to one request. */
	record Answer(int status, String contentType, String body, boolean retryAfter) {

		static final Answer NONE = new Answer(-1, "", "", false);

	}

	final class FuzzRun {

		private final String name;

		private final List<String> storeArguments;

		private final Database database;

		private final Path log;

		private final long seed = System.nanoTime();

		private final HttpClient client = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(Duration.ofSeconds(5))
			.build();

		// One client per fuzzing thread: the requests of one connection come from one thread, in order.
		private final ThreadLocal<HttpClient> clients = ThreadLocal.withInitial(() -> HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(Duration.ofSeconds(5))
			.build());

		private final AtomicInteger sent = new AtomicInteger();

		private final AtomicInteger rejected = new AtomicInteger();

		private final Map<String, LongAdder> statuses = new ConcurrentHashMap<>();

		private final Map<String, LongAdder> categories = new ConcurrentHashMap<>();

		private final Map<String, LongAdder> slow = new ConcurrentHashMap<>();

		private final Queue<String> failures = new ConcurrentLinkedQueue<>();

		private final Queue<String> accepted = new ConcurrentLinkedQueue<>();

		/** Answers to the targeted cases, by category and status. */
		private final Map<String, LongAdder> targetedStatuses = new ConcurrentHashMap<>();

		/** Rows each accepted publish stored, by publish id. */
		private final Map<String, Integer> acceptedPublishes = new ConcurrentHashMap<>();

		/** Cursor of each (stream, consumer) an ack answered 200 set, the highest answered. */
		private final Map<String, Long> cursors = new ConcurrentHashMap<>();

		private ServerProcess server;

		FuzzRun(String name, List<String> storeArguments, Database database) {
			this.name = name;
			this.storeArguments = storeArguments;
			this.database = database;
			this.log = Path.of("target", "process-tests", "HostileInputProcessTests-" + name + ".log").toAbsolutePath();
			ServerProcess.deleteLog(this.log);
		}

		void run() throws Exception {
			long start = System.nanoTime();
			try {
				List<String> arguments = new ArrayList<>(this.storeArguments);
				arguments.add("--spring.config.additional-location=file:" + ServerProcess.resource("process-streams.yml"));
				this.server = ServerProcess.start(HostileInputProcessTests.this.work, this.log, arguments);
				seed();
				long fuzzStart = System.nanoTime();
				fuzz();
				long fuzzMillis = Duration.ofNanos(System.nanoTime() - fuzzStart).toMillis();
				System.out.printf("[%s] %d requests in %d ms (seed %d), %d rejected; statuses %s; categories %s; "
						+ "slower than %s %s%n", this.name, this.sent.get(), fuzzMillis, this.seed, this.rejected.get(),
						new TreeMap<>(this.statuses), new TreeMap<>(this.categories), SLOW, new TreeMap<>(this.slow));
				if (!this.accepted.isEmpty()) {
					System.out.printf("[%s] accepted: %s%n", this.name, this.accepted.stream().limit(20).toList());
				}
				assertThat(this.rejected.get()).isGreaterThanOrEqualTo(REJECTED);
				long targetedStart = System.nanoTime();
				targeted();
				System.out.printf("[%s] targeted cases in %d ms; statuses %s%n", this.name,
						Duration.ofNanos(System.nanoTime() - targetedStart).toMillis(), new TreeMap<>(this.targetedStatuses));
				assertThat(this.failures).as("failures (%d)", this.failures.size()).isEmpty();
				verifyHealthy();
				assertThat(this.server.stop()).as("exit status after SIGTERM").isIn(0, 143);
				verifyDatabase();
				System.out.printf("[%s] done in %d s%n", this.name, Duration.ofNanos(System.nanoTime() - start).toSeconds());
			}
			catch (Throwable ex) {
				System.err.println("[" + this.name + "] failed with seed " + this.seed + "; the server's log (" + this.log
						+ ") ends with:\n" + ((this.server != null) ? this.server.logTail(80) : ""));
				throw ex;
			}
			finally {
				if (this.server != null) {
					this.server.close();
				}
			}
		}

		/** A few valid rows and a cursor, so that the fuzzing has something to damage. */
		private void seed() {
			HttpJson http = new HttpJson(this.server.base());
			for (String stream : List.of(HostileRequests.TYPED, HostileRequests.OPEN)) {
				StringBuilder batch = new StringBuilder("[");
				for (int i = 0; i < 10; i++) {
					batch.append((i > 0) ? "," : "").append(HostileRequests.typedEvent(Map.of("n", Integer.toString(i))));
				}
				HttpJson.Answer answer = http.publish(stream, batch.append(']').toString());
				assertThat(answer.status()).as("%s", answer).isEqualTo(202);
				recordAccepted(answer.body(), "seed");
				HttpJson.Answer ack = http.ack(stream, HostileRequests.VICTIM, 5);
				assertThat(ack.status()).as("%s", ack).isEqualTo(200);
				this.cursors.put(stream + "/" + HostileRequests.VICTIM, 5L);
			}
		}

		private void fuzz() throws InterruptedException {
			int cap = REJECTED * 12 / 10;
			List<Thread> threads = new ArrayList<>();
			for (int i = 0; i < CLIENTS; i++) {
				HostileRequests requests = new HostileRequests(new Random(this.seed + i));
				threads.add(new Thread(() -> {
					Request previous = null;
					while (this.rejected.get() < REJECTED && this.sent.get() < cap && this.failures.size() < 20) {
						Request request = requests.next();
						this.sent.incrementAndGet();
						this.categories.computeIfAbsent(request.category(), (key) -> new LongAdder()).increment();
						try {
							long requestStart = System.nanoTime();
							Answer answer = send(request);
							if (System.nanoTime() - requestStart > SLOW.toNanos()) {
								LongAdder slow = this.slow.computeIfAbsent(request.category(), (key) -> new LongAdder());
								slow.increment();
								if (slow.sum() <= 3) {
									System.out.printf("[%s] slow: %d ms for %s -> %d, after %s%n", this.name,
											Duration.ofNanos(System.nanoTime() - requestStart).toMillis(), request,
											answer.status(), previous);
								}
							}
							check(request, answer);
							previous = request;
						}
						catch (RuntimeException | AssertionError ex) {
							this.failures.add(request + " -> " + ex);
						}
					}
				}, "fuzz-" + i));
			}
			threads.forEach(Thread::start);
			for (Thread thread : threads) {
				thread.join();
			}
			assertThat(this.server.isAlive()).as("server alive after the fuzzing").isTrue();
		}

		private Answer send(Request request) {
			if (request instanceof Http http) {
				HttpRequest built = build(http);
				Answer answer = (built != null) ? send(built) : Answer.NONE;
				// The client refused the request, or lost its connection (one the server closed after answering
				// the previous request, say): send it again on a connection of its own, to learn the answer.
				return (answer != Answer.NONE) ? answer : sendRaw(raw(http), false);
			}
			Raw raw = (Raw) request;
			return sendRaw(raw.bytes(), raw.halfClose());
		}

		/** Builds the request for the HTTP client, or returns {@code null} when the client refuses some part of it. */
		private @Nullable HttpRequest build(Http http) {
			try {
				HttpRequest.BodyPublisher body;
				if (http.body() == null) {
					body = HttpRequest.BodyPublishers.noBody();
				}
				else if (http.chunked()) {
					byte[] bytes = http.body();
					body = HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes));
				}
				else {
					body = HttpRequest.BodyPublishers.ofByteArray(http.body());
				}
				HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(this.server.base() + http.path()))
					.timeout(TIMEOUT)
					.expectContinue(http.expectContinue())
					.method(http.method(), body);
				for (String[] header : http.headers()) {
					builder.header(header[0], header[1]);
				}
				return builder.build();
			}
			catch (IllegalArgumentException ex) {
				return null;
			}
		}

		private Answer send(HttpRequest request) {
			try {
				HttpResponse<InputStream> response = this.clients.get()
					.send(request, HttpResponse.BodyHandlers.ofInputStream());
				String contentType = response.headers().firstValue("Content-Type").orElse("");
				String body;
				try (InputStream in = response.body()) {
					// An event stream never ends: its status and type say enough.
					body = contentType.startsWith("text/event-stream") ? ""
							: new String(in.readAllBytes(), StandardCharsets.UTF_8);
				}
				return new Answer(response.statusCode(), contentType, body,
						response.headers().firstValue("Retry-After").isPresent());
			}
			catch (IOException ex) {
				// The server may answer an oversized body before reading it and close the connection while the
				// client still sends: the client then sees the connection fail rather than the answer.
				return Answer.NONE;
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
		}

		private byte[] raw(Http http) {
			ByteArrayOutputStream out = new ByteArrayOutputStream();
			StringBuilder head = new StringBuilder(http.method()).append(' ').append(http.path())
				.append(" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
			for (String[] header : http.headers()) {
				head.append(header[0]).append(": ").append(header[1]).append("\r\n");
			}
			if (http.body() != null) {
				head.append("Content-Length: ").append(http.body().length).append("\r\n");
			}
			out.writeBytes(head.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
			if (http.body() != null) {
				out.writeBytes(http.body());
			}
			return out.toByteArray();
		}

		private Answer sendRaw(byte[] request, boolean halfClose) {
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress("localhost", this.server.port()), 5_000);
				socket.setSoTimeout(5_000);
				try {
					OutputStream out = socket.getOutputStream();
					out.write(request);
					out.flush();
					if (halfClose) {
						socket.shutdownOutput();
					}
				}
				catch (IOException ex) {
					// The server may answer and close before reading everything: read what it said.
				}
				return readRawAnswer(socket.getInputStream());
			}
			catch (SocketTimeoutException ex) {
				return Answer.NONE;
			}
			catch (IOException ex) {
				return Answer.NONE;
			}
		}

		private Answer readRawAnswer(InputStream in) throws IOException {
			ByteArrayOutputStream received = new ByteArrayOutputStream();
			byte[] buffer = new byte[8192];
			int headEnd = -1;
			long contentLength = -1;
			while (true) {
				int read;
				try {
					read = in.read(buffer);
				}
				catch (SocketTimeoutException | java.net.SocketException ex) {
					read = -1;
				}
				if (read < 0) {
					break;
				}
				received.write(buffer, 0, read);
				String text = received.toString(StandardCharsets.ISO_8859_1);
				if (headEnd < 0) {
					headEnd = text.indexOf("\r\n\r\n");
					if (headEnd >= 0) {
						Matcher length = Pattern.compile("(?im)^content-length:\\s*(\\d+)").matcher(text.substring(0, headEnd));
						contentLength = length.find() ? Long.parseLong(length.group(1)) : -1;
					}
				}
				if (headEnd >= 0 && contentLength >= 0 && received.size() >= headEnd + 4 + contentLength) {
					break;
				}
				if (received.size() > 1_000_000) {
					break;
				}
			}
			String text = received.toString(StandardCharsets.UTF_8);
			Matcher status = Pattern.compile("^HTTP/1\\.[01] (\\d{3})").matcher(text);
			if (!status.find()) {
				return Answer.NONE;
			}
			int end = text.indexOf("\r\n\r\n");
			String head = (end >= 0) ? text.substring(0, end) : text;
			Matcher type = Pattern.compile("(?im)^content-type:\\s*(.+)$").matcher(head);
			return new Answer(Integer.parseInt(status.group(1)), type.find() ? type.group(1).trim() : "",
					(end >= 0) ? text.substring(end + 4) : "", Pattern.compile("(?im)^retry-after:").matcher(head).find());
		}

		private void check(Request request, Answer answer) {
			String status = (answer.status() < 0) ? "none(" + request.category() + ")" : Integer.toString(answer.status());
			this.statuses.computeIfAbsent(status, (key) -> new LongAdder()).increment();
			if (answer.status() >= 500) {
				this.failures.add("5xx: " + request + " -> " + answer.status() + " " + HostileRequests.abbreviate(answer.body()));
				return;
			}
			if (answer.status() >= 400) {
				this.rejected.incrementAndGet();
				checkProblem(request, answer);
				return;
			}
			if (answer.status() < 0) {
				// No answer: a malformed request the server dropped, or an oversized body cut off while being sent.
				boolean mayGoUnanswered = request instanceof Raw || request.category().equals("oversized");
				if (!mayGoUnanswered) {
					this.failures.add("no answer: " + request);
				}
				return;
			}
			this.accepted.add(answer.status() + " " + request);
			if (request instanceof Http http && http.mustFail()) {
				this.failures.add("a certainly bad request was accepted: " + request + " -> " + answer.status() + " "
						+ HostileRequests.abbreviate(answer.body()));
			}
			if (answer.status() == 202) {
				recordAccepted(answer.body(), request.toString());
			}
			else if (answer.status() == 200 && request instanceof Http http && http.method().equals("POST")
					&& http.path().endsWith("/ack")) {
				Map<?, ?> ack = JSON.readValue(answer.body(), Map.class);
				String path = http.path().substring(HostileRequests.BASE.length());
				String stream = path.substring(0, path.indexOf('/'));
				String consumer = (String) JSON.readValue(http.body(), Map.class).get("consumer");
				this.cursors.merge(stream + "/" + consumer, ((Number) ack.get("cursor")).longValue(), Math::max);
			}
		}

		private void recordAccepted(String body, String request) {
			Matcher id = PUBLISH_ID.matcher(body);
			Matcher rows = ROWS_RECEIVED.matcher(body);
			assertThat(rows.find()).as("rows_received in %s (%s)", body, request).isTrue();
			if (id.find()) {
				this.acceptedPublishes.put(id.group(1), Integer.parseInt(rows.group(1)));
			}
			else {
				assertThat(rows.group(1)).as("a publish without publish_id stores nothing: %s", body).isEqualTo("0");
			}
		}

		/** An application problem is problem+json without internals; the HTTP codec's own 4xx have no body. */
		private void checkProblem(Request request, Answer answer) {
			if (answer.body().isEmpty() && request instanceof Http http && http.method().equals("HEAD")) {
				return;
			}
			if (answer.body().isEmpty()) {
				assertThat(answer.status()).as("a 4xx without a problem body: %s", request).isIn(400, 413, 414, 431);
				return;
			}
			assertThat(answer.contentType()).as("%s -> %s", request, answer).startsWith("application/problem+json");
			@SuppressWarnings("unchecked")
			Map<String, Object> problem = JSON.readValue(answer.body(), Map.class);
			assertThat(problem.get("status")).isEqualTo(answer.status());
			assertThat(problem).containsKeys("code", "request_id", "detail");
			assertThat(answer.body()).doesNotContain("\tat ", "Caused by", "Exception:");
		}

		/**
		 * The cases that found holes random requests of everyday sizes never reach: every method on every route,
		 * numbers with huge exponents, many consumer names, many replays that never read, and wide events. The
		 * same rules hold for each; over a documented bound of running replays, a 503 with {@code Retry-After} is
		 * the answer, not a failure.
		 */
		private void targeted() throws Exception {
			if (TARGETED.contains("methods")) {
				everyMethodOnEveryRoute();
				report("methods");
			}
			if (TARGETED.contains("exponents")) {
				for (Request request : HostileRequests.hugeExponents()) {
					sendTargeted(request);
				}
				report("exponents");
			}
			if (TARGETED.contains("consumers")) {
				manyConsumerNames();
				report("consumers");
			}
			if (TARGETED.contains("replays")) {
				replaysThatNeverRead();
				report("replays");
			}
			if (TARGETED.contains("wide")) {
				for (Request request : HostileRequests.wideEvents()) {
					Answer answer = sendTargeted(request);
					if (answer.status() >= 0 && (answer.status() < 400 || answer.status() >= 500)) {
						this.failures.add("a wide event not refused with a 4xx: " + request + " -> " + answer.status());
					}
				}
				report("wide");
			}
		}

		private static String streamOfPath(String path) {
			String rest = path.substring(Math.min(path.length(), HostileRequests.BASE.length()));
			int slash = rest.indexOf('/');
			return (slash >= 0) ? rest.substring(0, slash) : rest;
		}

		private void report(String group) {
			System.out.printf("[%s] after the %s cases: statuses %s; failures so far (%d) %s%n", this.name, group,
					new TreeMap<>(this.targetedStatuses), this.failures.size(),
					this.failures.stream().limit(10).map(HostileRequests::abbreviate).toList());
		}

		private void everyMethodOnEveryRoute() {
			for (Request request : HostileRequests.everyMethodOnEveryRoute()) {
				Http http = (Http) request;
				String path = http.path();
				boolean underProtected = HostileRequests.PROTECTED.stream()
					.anyMatch((stream) -> path.startsWith(HostileRequests.BASE + stream));
				if (!underProtected && http.method().equals("HEAD") && path.contains("/subscribe")) {
					// WebFlux answers a HEAD by writing the GET's body to count its length, and a live event stream
					// never ends: the answer may never come. Asked on a connection of its own, briefly; only a 5xx
					// is a failure.
					Answer answer = sendRaw(raw(http), false);
					this.targetedStatuses.computeIfAbsent(request.category() + " HEAD-subscribe " + answer.status(),
							(key) -> new LongAdder()).increment();
					if (answer.status() >= 500 && !(answer.status() == 503 && answer.retryAfter())) {
						this.failures.add("5xx: " + request + " -> " + answer.status());
					}
					continue;
				}
				Answer answer = sendTargeted(request);
				// Describing a stream is the administrators' (open while no admin token is set), not the stream's.
				boolean describe = path.equals(HostileRequests.BASE + streamOfPath(path))
						&& (http.method().equals("GET") || http.method().equals("HEAD"));
				if (underProtected && !(describe && answer.status() == 200)) {
					// 429: the address is locked out after the fuzzing's wrong credentials, which refuses as well.
					if (answer.status() != 401 && answer.status() != 429) {
						this.failures.add("without credentials under a protected stream: " + request + " -> "
								+ answer.status());
					}
				}
			}
		}

		private Answer sendTargeted(Request request) {
			Answer answer;
			try {
				answer = send(request);
			}
			catch (RuntimeException ex) {
				this.failures.add(request + " -> " + ex);
				return Answer.NONE;
			}
			this.targetedStatuses.computeIfAbsent(request.category() + " " + answer.status(), (key) -> new LongAdder())
				.increment();
			if (answer.status() < 0) {
				this.failures.add("no answer: " + request);
				return answer;
			}
			if (answer.status() == 503 && answer.retryAfter()) {
				// The documented answer of the bound on running replays (a HEAD of a subscription is one).
				return answer;
			}
			try {
				check(request, answer);
			}
			catch (RuntimeException | AssertionError ex) {
				this.failures.add(request + " -> " + ex);
			}
			return answer;
		}

		/**
		 * Acks from {@value #CONSUMER_NAMES} consumer names, one after another: the stream's bound on consumers
		 * refuses new names with a 4xx once reached (and only then), and only the names answered 200 have a cursor.
		 */
		private void manyConsumerNames() {
			int refused = 0;
			for (int i = 0; i < CONSUMER_NAMES; i++) {
				Http request = HostileRequests.ackFrom("many_" + i);
				Answer answer = sendTargeted(request);
				if (answer.status() >= 400 && answer.status() < 500) {
					refused++;
				}
				else if (answer.status() == 200 && refused > 0) {
					this.failures.add("a new consumer name accepted after " + refused + " were refused: " + request);
					return;
				}
				else if (answer.status() != 200) {
					return;
				}
			}
			if (refused == 0) {
				this.failures.add(CONSUMER_NAMES + " consumer names were all accepted: no bound on consumers per stream");
			}
		}

		/**
		 * {@value #REPLAYS} subscribers replay the typed stream from its start, over {@value #REPLAY_ROWS} rows, and
		 * never read past the response's head: each is answered 200 or 503 with {@code Retry-After}, and meanwhile a
		 * publish is stored and read back and the health is UP.
		 */
		private void replaysThatNeverRead() throws Exception {
			HttpJson http = new HttpJson(this.server.base());
			StringBuilder batch = new StringBuilder("[");
			for (int i = 0; i < 1_000; i++) {
				batch.append((i > 0) ? "," : "").append(HostileRequests.typedEvent(Map.of("id", "\"replay-" + i + "\"")));
			}
			String rows = batch.append(']').toString();
			for (int i = 0; i < REPLAY_ROWS / 1_000; i++) {
				HttpJson.Answer published = http.publish(HostileRequests.TYPED, rows);
				assertThat(published.status()).as("%s", published).isEqualTo(202);
				recordAccepted(published.body(), "replay rows");
			}
			byte[] subscribe = ("GET " + HostileRequests.BASE + HostileRequests.TYPED + "/subscribe?from=0 HTTP/1.1\r\n"
					+ "Host: localhost\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
			List<Socket> replays = new ArrayList<>();
			try {
				for (int i = 0; i < REPLAYS; i++) {
					Socket socket = new Socket();
					replays.add(socket);
					socket.setReceiveBufferSize(4096);
					socket.setSoTimeout((int) TIMEOUT.toMillis());
					socket.connect(new InetSocketAddress("localhost", this.server.port()), 5_000);
					socket.getOutputStream().write(subscribe);
					socket.getOutputStream().flush();
				}
				for (Socket socket : replays) {
					String head = readHead(socket.getInputStream());
					String status = head.startsWith("HTTP/1.1 ") ? head.substring(9, Math.min(12, head.length())) : "none";
					this.targetedStatuses.computeIfAbsent("never-reading-replay " + status, (key) -> new LongAdder())
						.increment();
					boolean retryLater = status.equals("503") && Pattern.compile("(?im)^retry-after:").matcher(head).find();
					if (!status.equals("200") && !retryLater) {
						this.failures.add("a replay that never reads answered " + HostileRequests.abbreviate(head));
						return;
					}
				}
				// With all of them holding on, the server still stores, reads back and reports itself healthy.
				HttpJson.Answer published = http.publish(HostileRequests.TYPED,
						HostileRequests.typedEvent(Map.of("id", "\"during-replays\"")));
				assertThat(published.status()).as("publish during the replays: %s", published).isEqualTo(202);
				recordAccepted(published.body(), "during the replays");
				HttpJson.Answer stream = http.get(HostileRequests.BASE + HostileRequests.TYPED);
				assertThat(stream.longValue("last_rowid")).isGreaterThanOrEqualTo(published.longValue("first_rowid"));
				HttpJson.Answer consumed = http.consume(HostileRequests.TYPED, HostileRequests.VICTIM, 1);
				assertThat(consumed.status()).as("consume during the replays: %s", consumed).isEqualTo(200);
				assertHealthUp(http);
			}
			finally {
				for (Socket socket : replays) {
					socket.close();
				}
			}
		}

		/** The status line and headers of a response, read byte by byte so that nothing of its body is taken. */
		private String readHead(InputStream in) throws IOException {
			ByteArrayOutputStream head = new ByteArrayOutputStream();
			try {
				for (int b = in.read(); b >= 0; b = in.read()) {
					head.write(b);
					if (head.size() >= 4 && head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
						break;
					}
				}
			}
			catch (SocketTimeoutException ex) {
				// Answered nothing within the timeout: reported as no status.
			}
			return head.toString(StandardCharsets.ISO_8859_1);
		}

		private void assertHealthUp(HttpJson http) {
			HttpJson.Answer health = http.get("/actuator/health");
			assertThat(health.status()).as("%s", health).isEqualTo(200);
			assertThat(health.json().get("status")).isEqualTo("UP");
		}

		private void verifyHealthy() throws Exception {
			assertThat(this.server.isAlive()).isTrue();
			HttpJson http = new HttpJson(this.server.base());
			HttpJson.Answer list = http.get("/api/v1/streams");
			assertThat(list.status()).isEqualTo(200);
			@SuppressWarnings("unchecked")
			List<Map<String, Object>> streams = (List<Map<String, Object>>) list.json().get("streams");
			assertThat(streams).extracting((stream) -> stream.get("name")).containsExactlyInAnyOrderElementsOf(STREAMS);
			long before = ((Number) http.get("/api/v1/streams/" + HostileRequests.TYPED).json().get("last_rowid")).longValue();

			// A live subscriber gets a new event...
			HttpRequest subscribe = HttpRequest.newBuilder(URI.create(this.server.base() + HostileRequests.BASE
					+ HostileRequests.TYPED + "/subscribe?from=" + before)).timeout(TIMEOUT).build();
			HttpResponse<java.util.stream.Stream<String>> events = this.client.send(subscribe,
					HttpResponse.BodyHandlers.ofLines());
			assertThat(events.statusCode()).isEqualTo(200);
			HttpJson.Answer published = http.publish(HostileRequests.TYPED, HostileRequests.typedEvent(Map.of("id", "\"after\"")));
			assertThat(published.status()).as("%s", published).isEqualTo(202);
			recordAccepted(published.body(), "health check");
			long rowid = published.longValue("first_rowid");
			assertThat(rowid).isEqualTo(before + 1);
			try (java.util.stream.Stream<String> lines = events.body()) {
				assertThat(lines.filter((line) -> line.startsWith("id:")).findFirst()).hasValue("id:" + rowid);
			}
			// ...consumers still work...
			HttpJson.Answer consumed = http.consume(HostileRequests.TYPED, HostileRequests.VICTIM, 1);
			assertThat(consumed.status()).isEqualTo(200);
			assertHealthUp(http);
			// ...and the server logged no error and never had to reopen its database connection.
			assertThat(this.server.logLines("ERROR")).isEmpty();
			assertThat(this.server.logLines("WARN")).noneMatch((line) -> line.contains("reopening"))
				// The replay limit's 503 is the documented answer to the replays that never read.
				.noneMatch((line) -> line.contains("failed with 5") && !line.contains("ReplayLimitException"));
		}

		/**
		 * Straight from the database: every stored row belongs to a publish answered 202 and each such publish stored
		 * what it said; the only cursors are those acks answered 200 set; the only tables are the configured streams'.
		 */
		private void verifyDatabase() throws SQLException {
			try (Connection connection = this.database.open(); Statement statement = connection.createStatement()) {
				Map<String, Long> cursors = new HashMap<>();
				try (ResultSet rs = statement.executeQuery("SELECT stream, consumer, position FROM interlace.consumer_cursors")) {
					while (rs.next()) {
						cursors.put(rs.getString(1) + "/" + rs.getString(2), rs.getLong(3));
					}
				}
				assertThat(cursors).isEqualTo(this.cursors);
				Set<String> tables = new TreeSet<>();
				try (ResultSet rs = statement.executeQuery(
						"SELECT table_name FROM information_schema.tables WHERE table_schema = 'events'")) {
					while (rs.next()) {
						tables.add(rs.getString(1));
					}
				}
				assertThat(tables).contains(HostileRequests.TYPED, HostileRequests.OPEN).isSubsetOf(STREAMS);
				try (ResultSet rs = statement.executeQuery("SELECT count(*) FROM information_schema.columns"
						+ " WHERE table_schema = 'events' AND column_name LIKE '" + HostileRequests.WIDE_PREFIX + "%'")) {
					rs.next();
					assertThat(rs.getLong(1)).as("columns added by the rejected wide events").isZero();
				}
				Map<String, Integer> stored = new HashMap<>();
				for (String table : tables) {
					try (ResultSet rs = statement.executeQuery("SELECT CAST(_interlace_publish_id AS VARCHAR), count(*) FROM events."
							+ table + " GROUP BY 1")) {
						while (rs.next()) {
							stored.merge(rs.getString(1), rs.getInt(2), Integer::sum);
						}
					}
				}
				assertThat(stored).as("rows by publish id").isEqualTo(this.acceptedPublishes);
			}
		}

	}

}
