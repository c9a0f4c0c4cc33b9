package dev.interlace.server;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * Generates bad requests for the server of {@code process-streams.yml}: broken JSON, deep nesting, huge strings and
 * numbers, wrong types, Unicode edge cases, oversized bodies, header abuse, unknown streams and paths, wrong methods,
 * and malformed HTTP sent over a plain socket. Every request has at least one defect, and some carry an otherwise
 * valid publish (a wrong method, media type, credential or stream), so that storing it would show.
 */
final class HostileRequests {

	static final String BASE = "/api/v1/streams/";

	static final String TYPED = "fuzz_typed";

	static final String OPEN = "fuzz_open";

	static final String SECURED = "fuzz_secured";

	static final String KEYED = "fuzz_keyed";

	static final String LIMITED = "fuzz_limited";

	static final String TOKEN = "fuzz-secret-token";

	static final String KEY = "fuzz-secret-key";

	/** The consumer whose cursor the tests set before the fuzzing; only acks answered 200 may move it. */
	static final String VICTIM = "victim";

	/** The server's body limit (interlace.server.max-body-size). */
	static final int MAX_BODY = 10 * 1024 * 1024;

	private static final String[] FIELDS = { "id", "n", "i", "f", "d", "b", "t", "day", "doc", "amount" };

	// One shared oversized body: a JSON array of numbers just past the limit.
	private static final byte[] OVERSIZED = oversized();

	private final Random random;

	private final List<Supplier<Request>> categories = new ArrayList<>();

	HostileRequests(Random random) {
		this.random = random;
		weigh(12, this::brokenJson);
		weigh(6, this::deepNesting);
		weigh(8, this::hugeValues);
		weigh(14, this::wrongTypes);
		weigh(10, this::unicode);
		weigh(8, this::headerAbuse);
		weigh(8, this::unknownStreams);
		weigh(6, this::wrongMethods);
		weigh(8, this::badConsumesAndAcks);
		weigh(5, this::rawProtocol);
		weigh(1, this::oversizedBody);
	}

	private void weigh(int weight, Supplier<Request> category) {
		for (int i = 0; i < weight; i++) {
			this.categories.add(category);
		}
	}

	Request next() {
		return this.categories.get(this.random.nextInt(this.categories.size())).get();
	}

	/** A request to send with an HTTP client. */
	sealed interface Request permits Http, Raw {

		String category();

	}

	/**
	 * A request an HTTP client can send.
	 * @param category what is wrong with it
	 * @param method the method
	 * @param path path and query, already encoded
	 * @param headers name-value pairs
	 * @param body the body, or {@code null}
	 * @param chunked whether to send the body without a length
	 * @param expectContinue whether to send {@code Expect: 100-continue}
	 * @param target the stream it could store rows in were it accepted, or {@code null}
	 * @param mustFail whether the request is certainly wrong, so that any 2xx is a failure (else a mutation may
	 * have produced a valid request)
	 */
	record Http(String category, String method, String path, List<String[]> headers, byte @Nullable [] body,
			boolean chunked, boolean expectContinue, @Nullable String target, boolean mustFail) implements Request {

		Http maybeValid() {
			return new Http(this.category, this.method, this.path, this.headers, this.body, this.chunked,
					this.expectContinue, this.target, false);
		}

		@Override
		public String toString() {
			String shown = (this.body == null) ? "no body"
					: (this.body.length > 200) ? this.body.length + " bytes"
							: new String(this.body, StandardCharsets.ISO_8859_1);
			List<String> headers = this.headers.stream()
				.map((header) -> header[0] + ": " + abbreviate(header[1]))
				.toList();
			return this.category + " " + this.method + " " + abbreviate(this.path) + " " + headers + " " + shown;
		}

	}

	/**
	 * Bytes written to a plain socket.
	 * @param category what is wrong with it
	 * @param bytes the request
	 * @param halfClose whether to close the sending side after it (the request is incomplete)
	 */
	record Raw(String category, byte[] bytes, boolean halfClose) implements Request {

		@Override
		public String toString() {
			return this.category + " raw " + abbreviate(new String(this.bytes, StandardCharsets.ISO_8859_1));
		}

	}

	// ---- categories

	private Request brokenJson() {
		String valid = pick(typedEvent(Map.of()), "[" + typedEvent(Map.of()) + "," + typedEvent(Map.of()) + "]",
				"{\"page\":\"/home\",\"ms\":12}");
		String body = switch (this.random.nextInt(12)) {
			case 0 -> valid.substring(0, 1 + this.random.nextInt(valid.length() - 1));
			case 1 -> insert(valid, pick("{", "}", "[", "]", "\"", ",", ":", "\\", "'", "\n"));
			case 2 -> remove(valid, pick("\"", ":", ",", "}", "{"));
			case 3 -> valid + pick("x", "}", "]", ",", " {}", " []", "\u0000", "//", "/* */");
			case 4 -> pick("", " ", "\n\t ", "null", "nul", "tru", "-", "+1", ".5", "1.", "0x10", "01", "NaN",
					"Infinity", "-Infinity", "\"unterminated", "{\"a\":}", "{\"a\" 1}", "{a:1}", "{'a':1}",
					"{\"a\":1,}", "[1,]", "[,1]", "{,}", "{\"a\":1 \"b\":2}", "{\"a\":[1,2}", "{\"a\":\"\\x41\"}",
					"{\"a\":\"\\u12\"}", "{\"a\":\"\\uZZZZ\"}", "{\"a\":/* c */1}", "{\"a\":1}{\"b\":2}",
					"{\"a\":\"line\nbreak\"}", "{\"a\":\"tab\tinside\"}", "\"just a string\"", "12345");
			case 5 -> valid.replace("\"", "'");
			case 6 -> valid.replace(":", "=");
			case 7 -> "{\"id\":\"a\",\"id\":\"b\"," + typedEvent(Map.of()).substring(1);
			case 8 -> valid.replace("true", "True").replace("1", "NaN");
			case 9 -> new String(randomBytes(1 + this.random.nextInt(300)), StandardCharsets.ISO_8859_1);
			case 10 -> valid.replace("}", "").replace("]", "");
			default -> replaceAt(valid, this.random.nextInt(valid.length()), (char) this.random.nextInt(32));
		};
		String stream = pick(TYPED, TYPED, OPEN);
		byte[] bytes = (body.chars().allMatch((c) -> c < 256)) ? body.getBytes(StandardCharsets.ISO_8859_1)
				: body.getBytes(StandardCharsets.UTF_8);
		return publish("broken-json", stream, bytes).maybeValid();
	}

	private Request deepNesting() {
		int depth = pickInt(65, 100, 1_000, 10_000, 100_000, 1_000_000);
		String body = switch (this.random.nextInt(6)) {
			case 0 -> "[".repeat(depth) + "]".repeat(depth);
			case 1 -> "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
			case 2 -> "[".repeat(depth);
			case 3 -> typedEvent(Map.of("doc", "[".repeat(depth) + "]".repeat(depth)));
			case 4 -> "[{\"doc\":" + "{\"x\":[".repeat(depth / 2) + "]}".repeat(depth / 2) + "}]";
			default -> "{\"consumer\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
		};
		String path = body.startsWith("{\"consumer\"") ? BASE + pick(TYPED, OPEN) + pick("/consume", "/ack")
				: BASE + pick(TYPED, OPEN);
		return json("deep-nesting", "POST", path, body.getBytes(StandardCharsets.UTF_8), streamOf(path));
	}

	private Request hugeValues() {
		int size = hugeSize();
		return switch (this.random.nextInt(7)) {
			case 0 -> publish("huge-number", TYPED, typedEvent(Map.of("n", "9".repeat(Math.max(1_001, size)))));
			case 1 -> publish("huge-number", OPEN, "{\"v\":" + "1".repeat(Math.max(1_001, size)) + "." + "5" + "}");
			case 2 -> publish("huge-string", TYPED, typedEvent(Map.of(pick("n", "i", "b", "t", "day", "amount"),
					quoted("x".repeat(size)))));
			case 3 -> publish("huge-key", pick(TYPED, OPEN), "{\"" + "k".repeat(Math.max(64, size)) + "\":1}");
			case 4 -> json("huge-consumer", "POST", BASE + pick(TYPED, OPEN) + pick("/consume", "/ack"),
					("{\"consumer\":\"" + "c".repeat(Math.max(201, size)) + "\",\"event_ids\":[1]}")
						.getBytes(StandardCharsets.UTF_8), null);
			case 5 -> publish("huge-string", TYPED,
					typedEvent(Map.of("id", quoted("x".repeat(size)), "extra", "1")));
			default -> publish("huge-number", TYPED, typedEvent(Map.of("d", "1e" + "9".repeat(Math.min(size, 900)))));
		};
	}

	private Request wrongTypes() {
		if (this.random.nextInt(5) == 0) {
			String body = pick("42", "\"string\"", "true", "false", "null", "[1,2]", "[{}, 3]", "[null]",
					"[\"a\"]", "[[{}]]", "{}", "[{}]", "1.5e3", "[" + typedEvent(Map.of()) + ",7]");
			Http request = publish("wrong-type", pick(TYPED, OPEN, TYPED), body);
			return request.target().equals(OPEN) && body.matches("\\[?\\{}]?") ? request.maybeValid() : request;
		}
		String field = pick(FIELDS);
		String wrong = switch (field) {
			case "id" -> pick("5", "true", "{}", "[]", "1.5", "null");
			case "n" -> pick("\"5\"", "1.5", "true", "{}", "[]", "1e30", "9223372036854775808", "-9223372036854775809",
					"null", "\"\"");
			case "i" -> pick("2147483648", "-2147483649", "\"1\"", "0.1", "false");
			case "f" -> pick("\"1.5\"", "1e39", "-1e39", "true", "[1]");
			case "d" -> pick("\"2.5\"", "1e309", "false", "{\"v\":1}");
			case "b" -> pick("\"true\"", "1", "0", "\"yes\"", "null");
			case "t" -> pick("123", "\"yesterday\"", "\"2026-13-01T00:00:00Z\"", "\"2026-02-30T00:00:00Z\"",
					"\"2026-01-01T25:00:00Z\"", "\"+999999999-12-31T23:59:59Z\"", "\"-999999999-01-01T00:00:00Z\"",
					"\"+294247-01-11T00:00:00Z\"", "\"-9999-01-01T00:00:00Z\"", "true", "\"\"");
			case "day" -> pick("\"2026-02-30\"", "20260101", "\"2026/01/01\"", "\"+999999999-12-31\"",
					"\"-999999999-01-01\"", "\"2026-01-01T00:00:00Z\"", "\"\"");
			case "doc" -> pick("null", "{\"n\":1e1001}", "[1e-1000]", "{\"k\":\"\\u0000\"}", "\"\\ud800\"",
					"{\"\\udc00\":1}");
			default -> pick("1e-11", "\"abc\"", "1e28", "-1e28", "0.00000000001", "true", "\"1e40\"", "[]");
		};
		String body = this.random.nextBoolean() ? typedEvent(Map.of(field, wrong))
				: "[" + typedEvent(Map.of()) + "," + typedEvent(Map.of(field, wrong)) + "]";
		if (this.random.nextInt(6) == 0) {
			// Missing or undeclared fields instead.
			body = this.random.nextBoolean() ? typedEvent(Map.of(field, "")) : typedEvent(Map.of(pick("extra",
					"ID", "N", "_interlace_rowid", "_interlace_publish_id", "bad-name", "1st", "x".repeat(64)), "1"));
		}
		return publish("wrong-type", TYPED, body);
	}

	private Request unicode() {
		return switch (this.random.nextInt(9)) {
			case 0 -> publish("unicode", pick(TYPED, OPEN), typedEvent(Map.of("id",
					quoted(pick("nul \\u0000", "\\ud800", "\\udfff", "pair cut \\ud83c", "\\udc00\\ud800",
							"a\\u0000b", "x\\ud83c\\ud83c")))));
			case 1 -> {
				// Invalid UTF-8 inside a string.
				byte[] bad = pick(new byte[] { (byte) 0xC3, 0x28 }, new byte[] { (byte) 0xA0, (byte) 0xA1 },
						new byte[] { (byte) 0xE2, 0x28, (byte) 0xA1 }, new byte[] { (byte) 0xF0, 0x28, (byte) 0x8C, (byte) 0xBC },
						new byte[] { (byte) 0xF8, (byte) 0xA1, (byte) 0xA1, (byte) 0xA1, (byte) 0xA1 },
						new byte[] { (byte) 0xC0, (byte) 0xAF }, new byte[] { (byte) 0xED, (byte) 0xA0, (byte) 0x80 },
						new byte[] { (byte) 0xFF }, new byte[] { (byte) 0xFE, (byte) 0xFF },
						new byte[] { (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80 }, new byte[] { (byte) 0xE0 });
				String event = typedEvent(Map.of("id", "\"@@\""));
				int at = event.indexOf("@@");
				ByteArrayOutputStream out = new ByteArrayOutputStream();
				out.writeBytes(event.substring(0, at).getBytes(StandardCharsets.UTF_8));
				out.writeBytes(bad);
				out.writeBytes(event.substring(at + 2).getBytes(StandardCharsets.UTF_8));
				// Jackson decodes some invalid sequences leniently (an overlong '/' as '/').
				yield publish("unicode", pick(TYPED, OPEN), out.toByteArray()).maybeValid();
			}
			case 2 -> publish("unicode", pick(TYPED, OPEN), "{\"" + pick("ïd", "id\u200b", "\u202eid", "\ud83c\udf89",
					"i\u0307d", "\uff49\uff44", "\u0000", "id\\u0000", "\\ud800", "\ufeffid") + "\":1}");
			case 3 -> {
				// A well-formed body in another encoding, with a wrong type in it.
				Charset charset = pick(StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE, StandardCharsets.UTF_16,
						Charset.forName("UTF-32"));
				yield publish("unicode", TYPED, typedEvent(Map.of("n", "\"not a number\"")).getBytes(charset));
			}
			case 4 -> publish("unicode", TYPED, "\ufeff" + typedEvent(Map.of("b", "\"\ufeff\"")));
			case 5 -> json("unicode", "POST", BASE + pick("%F0%9F%8E%89", "%EF%BF%BF", "%C0%AF", "%ED%A0%80", "%FF",
					"%E2%80%AE" + TYPED, "fuzz%5Ftyped%00", "%u0041", "%", "%%", "%zz", TYPED + "%0A", "%C3%AF") ,
					typedEvent(Map.of()).getBytes(StandardCharsets.UTF_8), null);
			case 6 -> json("unicode", "POST", BASE + pick(TYPED, OPEN) + pick("/consume", "/ack"),
					("{\"consumer\":\"" + pick("a\\u0000b", "\\ud800", "x\\udfff", "\\u0000") + "\",\"event_ids\":[1]}")
						.getBytes(StandardCharsets.UTF_8), null);
			case 7 -> get("unicode", BASE + pick(TYPED, OPEN) + "/subscribe?" + pick("from=%EF%BC%91%C0",
					"from=%F0%9F%8E%89", "from=%ED%A0%80", "filter=%FF%FE", "from=-%EF%BC%91", "from=%00",
					"filter=%E2%80%AE"));
			default -> publish("unicode", OPEN, "{\"v\":\"" + pick("\\u0000", "\\ud800x", "\\udbff\\udbff")
					+ "\",\"w\":1}");
		};
	}

	private Request headerAbuse() {
		// Each carries a valid publish, so that only the header decides, and storing it would show.
		byte[] valid = typedEvent(Map.of()).getBytes(StandardCharsets.UTF_8);
		List<String[]> headers = new ArrayList<>();
		String stream = TYPED;
		String method = "POST";
		String path = BASE + TYPED;
		boolean expectContinue = false;
		byte[] body = valid;
		switch (this.random.nextInt(13)) {
			case 0 -> {
				String type = pick("text/plain", "application/xml", "application/x-www-form-urlencoded",
						"multipart/form-data; boundary=x", "application/json; charset=ebcdic", "application/",
						"/", "*/*", "application/json, text/plain", "application/json; charset=\"", "json",
						"application/" + "j".repeat(2_000), "text/json", "application/*");
				headers.add(header("Content-Type", type));
			}
			case 1 -> {
				headers.add(header("Content-Type", "application/json"));
				headers.add(header("Accept", pick("text/csv", "image/png", "a/b/c", ";;;", "text/event-stream",
						"application/xml", "*/*;q=abc", "text/*")));
			}
			case 2 -> {
				stream = SECURED;
				path = BASE + SECURED;
				headers.add(header("Content-Type", "application/json"));
				String authorization = pick("Bearer", "Bearer ", "Bearer wrong", "Basic Zm9vOmJhcg==", "bearer",
						"Bearer " + TOKEN + "x", "Bearer " + TOKEN.toUpperCase(), "Bearer " + "t".repeat(6_000),
						"Token " + TOKEN, TOKEN, "Bearer\t" + TOKEN.substring(1), "Bearer " + TOKEN.substring(1));
				headers.add(header("Authorization", authorization));
			}
			case 3 -> {
				stream = KEYED;
				path = BASE + KEYED;
				headers.add(header("Content-Type", "application/json"));
				switch (this.random.nextInt(4)) {
					case 0 -> headers.add(header("X-API-Key", pick("wrong", KEY + " x", "k".repeat(5_000), "\t")));
					case 1 -> {
						headers.add(header("X-API-Key", "wrong"));
						headers.add(header("X-API-Key", KEY));
					}
					case 2 -> headers.add(header("X-Api-Key-Other", KEY));
					default -> headers.add(header("Authorization", "Bearer " + KEY));
				}
			}
			case 4 -> {
				// Over the server's 8 KB of headers.
				headers.add(header("Content-Type", "application/json"));
				headers.add(header("X-Filler", "f".repeat(8_200 + this.random.nextInt(20_000))));
			}
			case 5 -> {
				headers.add(header("Content-Type", "application/json"));
				for (int i = 0; i < 100 + this.random.nextInt(200); i++) {
					headers.add(header("X-Many-" + i, "v" + i));
				}
				body = typedEvent(Map.of("n", "\"x\"")).getBytes(StandardCharsets.UTF_8);
			}
			case 6 -> {
				headers.add(header("Content-Type", "application/json"));
				headers.add(header("X-Request-ID", pick("../../etc/passwd", "<script>alert(1)</script>", "r".repeat(129),
						"id with spaces", "\"quoted\"", "${jndi:ldap://x/a}", "%00", "a;b", "r".repeat(6_000))));
				body = typedEvent(Map.of("b", "\"maybe\"")).getBytes(StandardCharsets.UTF_8);
			}
			case 7 -> {
				headers.add(header("Content-Type", "application/json"));
				headers.add(header("Content-Encoding", pick("gzip", "deflate", "br", "x-unknown")));
				body = pick(gzipBytes(), typedEvent(Map.of("i", "\"one\"")).getBytes(StandardCharsets.UTF_8));
			}
			case 8 -> {
				method = "GET";
				stream = null;
				path = BASE + pick(TYPED, OPEN) + "/subscribe";
				body = null;
				headers.add(header("Last-Event-ID", pick("abc", "-5", "1e3", "99999999999999999999", "0x10", "1.5",
						"9".repeat(5_000), "+-1", "NaN")));
			}
			case 9 -> {
				headers.add(header("Content-Type", "application/json"));
				expectContinue = true;
				body = typedEvent(Map.of("f", "\"fast\"")).getBytes(StandardCharsets.UTF_8);
			}
			case 11 -> {
				// The secured stream under another spelling of its path, without credentials.
				stream = SECURED;
				path = BASE + pick(SECURED + ";x=1", "fuzz%5Fsecured", "%66uzz_secured", SECURED + "/", SECURED + "%2F",
						SECURED + ";", "./" + SECURED, SECURED + "/.", "x/../" + SECURED, "FUZZ_SECURED", SECURED + "%00",
						SECURED + "%20", SECURED + "?token=" + TOKEN);
				headers.add(header("Content-Type", "application/json"));
			}
			case 10 -> {
				stream = LIMITED;
				path = BASE + LIMITED;
				headers.add(header("Content-Type", "application/json"));
				body = "{\"v\":\"\\u0000\"}".getBytes(StandardCharsets.UTF_8);
			}
			default -> {
				headers.add(header("Content-Type", "application/json"));
				headers.add(header("Transfer-Encoding-Ext", "chunked"));
				headers.add(header("Forwarded", "for=\"_gazonk\";proto=" + "h".repeat(1_000)));
				headers.add(header("X-Forwarded-Host", "evil.example"));
				body = typedEvent(Map.of("amount", "\"12,50\"")).getBytes(StandardCharsets.UTF_8);
			}
		}
		return new Http("header-abuse", method, path, headers, body, this.random.nextInt(4) == 0 && body != null,
				expectContinue, stream, true);
	}

	private Request unknownStreams() {
		String name = pick("nope", "x".repeat(1 + this.random.nextInt(300)), "..", "..%2F..%2Fetc%2Fpasswd",
				"%2e%2e", "a%2Fb", "%00", "ORDERS", "FUZZ_TYPED", "fuzz_typed%20", "%20fuzz_typed", "fuzz-typed",
				"interlace.consumer_cursors", "events.fuzz_typed", "1", "_", "x".repeat(5_000),
				"%2A", "*", "fuzz_typed.json", "fuzz_typed%3Fx%3D1", "fuzz_typed%23");
		String endpoint = pick("", "/consume", "/ack", "/subscribe", "/x", "/consume/x", "//", "/../" + TYPED);
		boolean get = endpoint.equals("/subscribe") || (endpoint.isEmpty() && this.random.nextBoolean());
		if (get) {
			return get("unknown-stream", BASE + name + endpoint);
		}
		String body = endpoint.isEmpty() ? typedEvent(Map.of()) : "{\"consumer\":\"c\",\"event_ids\":[1]}";
		if (this.random.nextInt(5) == 0) {
			String path = pick("/", "/api", "/api/v1", "/api/v2/streams/" + TYPED, "/actuator/health",
					"/favicon.ico", "/api/v1/streams/" + TYPED + "/consume/extra", "/api/v1//streams/" + TYPED,
					"/API/V1/STREAMS/" + TYPED, "/api/v1/streams/" + TYPED + "/", "/api/v1/streams/" + TYPED + "/ack/");
			return json("unknown-path", "POST", path, typedEvent(Map.of()).getBytes(StandardCharsets.UTF_8), TYPED)
				.maybeValid();
		}
		return json("unknown-stream", "POST", BASE + name + endpoint, body.getBytes(StandardCharsets.UTF_8), null);
	}

	private Request wrongMethods() {
		String path = pick(BASE + TYPED, BASE + OPEN, BASE.substring(0, BASE.length() - 1), BASE + TYPED + "/consume",
				BASE + TYPED + "/ack", BASE + TYPED + "/subscribe");
		String method;
		if (path.endsWith("/subscribe")) {
			method = pick("POST", "PUT", "DELETE", "PATCH");
		}
		else if (path.endsWith("/consume") || path.endsWith("/ack")) {
			method = pick("GET", "PUT", "DELETE", "PATCH", "TRACE");
		}
		else if (path.endsWith("/streams")) {
			method = pick("POST", "PUT", "DELETE", "PATCH");
		}
		else {
			method = pick("PUT", "DELETE", "PATCH", "TRACE", "FOO", "PROPFIND");
		}
		byte[] body = (method.equals("GET") || method.equals("TRACE")) ? null
				: typedEvent(Map.of()).getBytes(StandardCharsets.UTF_8);
		return new Http("wrong-method", method, path, headers(header("Content-Type", "application/json")), body, false,
				false, streamOf(path), true);
	}

	private Request badConsumesAndAcks() {
		String stream = pick(TYPED, OPEN);
		if (this.random.nextBoolean()) {
			String body = pick("{\"consumer\":5}", "{\"consumer\":\"\"}", "{\"consumer\":\"   \"}", "{}",
					"{\"consumer\":null}", "{\"consumer\":[\"c\"]}", "{\"consumer\":{\"name\":\"c\"}}",
					"{\"consumer\":\"c\",\"batch_size\":0}", "{\"consumer\":\"c\",\"batch_size\":-1}",
					"{\"consumer\":\"c\",\"batch_size\":10001}", "{\"consumer\":\"c\",\"batch_size\":1.5}",
					"{\"consumer\":\"c\",\"batch_size\":\"10\"}", "{\"consumer\":\"c\",\"batch_size\":true}",
					"{\"consumer\":\"c\",\"batch_size\":1e3}", "{\"consumer\":\"c\",\"batch_size\":99999999999999999999}",
					"[{\"consumer\":\"c\"}]", "\"c\"", "null", "{\"consumer\":\"c\",\"batch_size\":-9223372036854775808}");
			return json("bad-consume", "POST", BASE + stream + "/consume", body.getBytes(StandardCharsets.UTF_8), null);
		}
		// An empty list is a valid ack of nothing (200, cursor unchanged), so it is not among these.
		String ids = pick("[0]", "[-1]", "[\"5\"]", "[1.5]", "[null]", "[{}]", "[99999999999999999999]",
				"[9223372036854775807]", "[100000000]", "{}", "\"1\"", "1", "null", "[[1]]", "[1e2]", "[true]");
		String body = switch (this.random.nextInt(5)) {
			case 0 -> "{\"consumer\":\"" + VICTIM + "\",\"event_ids\":" + ids + "}";
			case 1 -> "{\"consumer\":\"" + VICTIM + "\",\"events\":" + pick("[{\"_interlace_rowid\":\"x\"}]", "[{}]",
					"[{\"_interlace_rowid\":0}]", "[1]", "[{\"_interlace_rowid\":99999999}]", "{}",
					"[{\"_interlace_rowid\":1.5}]", "[{\"rowid\":1}]") + "}";
			case 2 -> "{\"consumer\":\"" + VICTIM + "\"}";
			case 3 -> "{\"consumer\":\"" + VICTIM + "\",\"event_ids\":[1],\"events\":[{\"_interlace_rowid\":1}]}";
			default -> pick("{\"event_ids\":[9]}", "{\"consumer\":7,\"event_ids\":[9]}", "{\"consumer\":\"\",\"event_ids\":[9]}",
					"[{\"consumer\":\"" + VICTIM + "\",\"event_ids\":[9]}]");
		};
		return json("bad-ack", "POST", BASE + stream + "/ack", body.getBytes(StandardCharsets.UTF_8), null);
	}

	private Request rawProtocol() {
		String publish = typedEvent(Map.of("n", "\"raw\""));
		String request = switch (this.random.nextInt(24)) {
			case 0 -> "GARBAGE\r\n\r\n";
			case 1 -> "\r\n\r\n\r\n";
			case 2 -> "GET\r\n\r\n";
			case 3 -> "GET / HTTP/9.9\r\nHost: x\r\nConnection: close\r\n\r\n";
			case 4 -> "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
			case 5 -> post("Content-Length: -1", publish);
			case 6 -> post("Content-Length: abc", publish);
			case 7 -> post("Content-Length: " + publish.length() + "\r\nTransfer-Encoding: chunked", publish);
			case 8 -> post("Transfer-Encoding: chunked", "zz\r\n" + publish + "\r\n0\r\n\r\n");
			case 9 -> post("Transfer-Encoding: chunked", "FFFFFFFFFFFFFFFF\r\n" + publish + "\r\n0\r\n\r\n");
			case 10 -> post("Transfer-Encoding: gzip, chunked", Integer.toHexString(publish.length()) + "\r\n" + publish
					+ "\r\n0\r\n\r\n");
			case 11 -> post("Header Without Colon", publish);
			case 12 -> post("Bad Header: x", publish);
			case 13 -> post("X-Folded: a\r\n  continued", publish);
			case 14 -> "GET /api/v1/streams/\u0000 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
			case 15 -> "GET /" + "a".repeat(5_000) + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
			case 16 -> post("Content-Length: 5\r\nContent-Length: " + publish.length(), publish);
			case 17 -> "CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\nConnection: close\r\n\r\n";
			case 18 -> "POST http://evil.example" + BASE + TYPED + " HTTP/1.1\r\nHost: evil.example\r\nContent-Type: "
					+ "application/json\r\nConnection: close\r\nContent-Length: " + utf8Length(publish) + "\r\n\r\n"
					+ publish;
			case 19 -> post("Content-Length: " + (publish.length() + 100), publish);
			case 20 -> post("Content-Length: 99999999999999999999", publish);
			case 21 -> "POST " + BASE + TYPED + " HTTP/1.1\nHost: x\nContent-Type: application/json\nConnection: close\n"
					+ "Content-Length: " + utf8Length(publish) + "\n\n" + publish;
			case 22 -> post("Content-Type: application/json\r\nX-Bin: \u0001\u0002\u007f\u00ff", publish);
			default -> new String(randomBytes(1 + this.random.nextInt(2_000)), StandardCharsets.ISO_8859_1);
		};
		// Incomplete requests are ended by closing the sending side, else the server would wait for the rest.
		boolean incomplete = request.contains("Content-Length: " + (publish.length() + 100)) || request.isBlank()
				|| request.startsWith("GET\r") || request.startsWith("PRI") || !request.contains("\n\n")
						&& !request.contains("\r\n\r\n");
		return new Raw("raw-http", request.getBytes(StandardCharsets.ISO_8859_1),
				incomplete || this.random.nextInt(4) == 0);
	}

	private Request oversizedBody() {
		List<String[]> headers = headers(header("Content-Type", "application/json"));
		return new Http("oversized", "POST", BASE + pick(TYPED, OPEN, TYPED + "/consume"), headers, OVERSIZED,
				this.random.nextBoolean(), false, TYPED, true);
	}

	// ---- targeted cases: each found a hole that random requests of the sizes above never reach

	/** Prefix of every key the wide events add; no column of that name may ever be stored. */
	static final String WIDE_PREFIX = "wide_";

	/** Streams whose every path, with any method, needs credentials. */
	static final List<String> PROTECTED = List.of(SECURED, KEYED);

	/**
	 * One event with 5,000 new keys, and a batch of 20,000 one-key events whose keys all differ, to the stream of
	 * inferred columns: over the limits on new columns per publish, columns per stream and keys per event.
	 */
	static List<Http> wideEvents() {
		StringBuilder wide = new StringBuilder("{");
		for (int i = 0; i < 5_000; i++) {
			wide.append((i > 0) ? "," : "").append('"').append(WIDE_PREFIX).append("k").append(i).append("\":").append(i);
		}
		StringBuilder batch = new StringBuilder("[");
		for (int i = 0; i < 20_000; i++) {
			batch.append((i > 0) ? "," : "").append("{\"").append(WIDE_PREFIX).append("b").append(i).append("\":1}");
		}
		return List.of(targeted("wide-event", "POST", BASE + OPEN, wide.append('}').toString(), OPEN, true),
				targeted("wide-batch", "POST", BASE + OPEN, batch.append(']').toString(), OPEN, true));
	}

	/**
	 * Numbers of a few bytes whose exponent makes them megabytes long in plain notation (or beyond any type), into
	 * every declared type: a string, an integer, a float, a decimal and a json column, and an inferred column.
	 */
	static List<Http> hugeExponents() {
		List<String> numbers = List.of("1e2147483640", "1e20000000", "1e100000000", "-1e20000000", "1e-2147483640",
				"1e-20000000", "1e-100000000", "12345678901234567890e2147483600");
		List<Http> requests = new ArrayList<>();
		for (String number : numbers) {
			boolean negativeExponent = number.contains("e-");
			for (String field : List.of("id", "n", "i", "f", "d", "amount", "doc")) {
				// A float may round a tiny number to zero and a json column may keep a number as written: either
				// may be accepted, as long as what is stored is what the answer said. Everything else is beyond
				// its column.
				boolean mustFail = !field.equals("doc") && !(negativeExponent && (field.equals("f") || field.equals("d")));
				requests.add(targeted("huge-exponent", "POST", BASE + TYPED, typedEvent(Map.of(field, number)), TYPED,
						mustFail));
			}
			requests.add(targeted("huge-exponent", "POST", BASE + OPEN, "{\"v\":" + number + "}", OPEN, false));
		}
		return requests;
	}

	/**
	 * Every method on every route, and on paths of no route under each stream's prefix; each with a valid publish as
	 * its body where a body goes, so that storing it would show. Under a protected stream's prefix, none carries
	 * credentials.
	 */
	static List<Http> everyMethodOnEveryRoute() {
		List<String> paths = new ArrayList<>(List.of("/", "/api/v1/streams", "/actuator/health", "/actuator/prometheus"));
		for (String stream : List.of(TYPED, OPEN, SECURED, KEYED)) {
			for (String endpoint : List.of("", "/consume", "/ack", "/subscribe", "/subscribe?from=0", "/consumers/c",
					"/x", "/groups", "/entries/1")) {
				paths.add(BASE + stream + endpoint);
			}
		}
		String body = typedEvent(Map.of());
		List<Http> requests = new ArrayList<>();
		for (String path : paths) {
			boolean underProtected = PROTECTED.stream().anyMatch((stream) -> path.startsWith(BASE + stream));
			List<String> methods = underProtected
					? List.of("GET", "POST", "HEAD", "OPTIONS", "TRACE", "PUT", "PATCH", "DELETE")
					: List.of("HEAD", "OPTIONS", "TRACE", "PUT", "PATCH", "DELETE");
			for (String method : methods) {
				boolean withBody = !method.equals("GET") && !method.equals("HEAD") && !method.equals("TRACE");
				String target = streamOf(path);
				// PUT and PATCH of a publish must fail; elsewhere a method may have a meaning of its own (OPTIONS
				// answers what is allowed, DELETE may remove a consumer): it is only never a 5xx, never stored.
				// Describing a protected stream (GET or HEAD of its own path) belongs to the administrators' role,
				// open while no admin token is set: everything else under its prefix needs its credentials.
				boolean describe = target != null && (method.equals("GET") || method.equals("HEAD"));
				boolean mustFail = (underProtected && !describe)
						|| (target != null && (method.equals("PUT") || method.equals("PATCH")));
				requests.add(new Http("every-method", method, path, headers(header("Content-Type", "application/json")),
						withBody ? body.getBytes(StandardCharsets.UTF_8) : null, false, false, target, mustFail));
			}
		}
		return requests;
	}

	/** An ack from one more consumer name, to the stream of inferred columns. */
	static Http ackFrom(String consumer) {
		return targeted("many-consumers", "POST", BASE + OPEN + "/ack",
				"{\"consumer\":\"" + consumer + "\",\"event_ids\":[1]}", null, false);
	}

	private static Http targeted(String category, String method, String path, String body, @Nullable String target,
			boolean mustFail) {
		return new Http(category, method, path, headers(header("Content-Type", "application/json")),
				body.getBytes(StandardCharsets.UTF_8), false, false, target, mustFail);
	}

	// ---- helpers

	/** A valid event of the typed stream, each field overridable with raw JSON; an empty override removes it. */
	static String typedEvent(Map<String, String> overrides) {
		Map<String, String> fields = new LinkedHashMap<>();
		fields.put("id", "\"a-1\"");
		fields.put("n", "1");
		fields.put("i", "2");
		fields.put("f", "1.5");
		fields.put("d", "2.5");
		fields.put("b", "true");
		fields.put("t", "\"2026-01-01T00:00:00Z\"");
		fields.put("day", "\"2026-01-01\"");
		fields.put("doc", "{\"k\":[1,2]}");
		fields.put("amount", "\"12.50\"");
		overrides.forEach((field, value) -> {
			if (value.isEmpty()) {
				fields.remove(field);
			}
			else {
				fields.put(field, value);
			}
		});
		StringBuilder json = new StringBuilder("{");
		fields.forEach((field, value) -> json.append((json.length() > 1) ? "," : "")
			.append('"').append(field).append("\":").append(value));
		return json.append('}').toString();
	}

	private Http publish(String category, String stream, String body) {
		return publish(category, stream, body.getBytes(StandardCharsets.UTF_8));
	}

	private Http publish(String category, String stream, byte[] body) {
		List<String[]> headers = headers(header("Content-Type", "application/json"));
		if (stream.equals(SECURED)) {
			headers = headers(headers.get(0), header("Authorization", "Bearer " + TOKEN));
		}
		return new Http(category, "POST", BASE + stream, headers, body, this.random.nextInt(5) == 0, false, stream,
				true);
	}

	private Http json(String category, String method, String path, byte[] body, @Nullable String target) {
		return new Http(category, method, path, headers(header("Content-Type", "application/json")), body,
				this.random.nextInt(5) == 0, false, target, true);
	}

	private Http get(String category, String path) {
		return new Http(category, "GET", path, List.of(), null, false, false, null, true);
	}

	private static String post(String headers, String body) {
		return "POST " + BASE + TYPED + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\n"
				+ headers + "\r\n\r\n" + body;
	}

	private static @Nullable String streamOf(String path) {
		if (!path.startsWith(BASE)) {
			return null;
		}
		String rest = path.substring(BASE.length());
		return rest.contains("/") ? null : rest;
	}

	private int hugeSize() {
		int roll = this.random.nextInt(100);
		if (roll < 2) {
			return 2_000_000 + this.random.nextInt(7_000_000);
		}
		if (roll < 20) {
			return 60_000 + this.random.nextInt(200_000);
		}
		return 1_001 + this.random.nextInt(20_000);
	}

	private byte[] gzipBytes() {
		return new byte[] { 0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3 };
	}

	private String insert(String text, String what) {
		int at = this.random.nextInt(text.length() + 1);
		return text.substring(0, at) + what + text.substring(at);
	}

	private String remove(String text, String what) {
		List<Integer> positions = new ArrayList<>();
		for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
			positions.add(i);
		}
		if (positions.isEmpty()) {
			return text.substring(1);
		}
		int at = positions.get(this.random.nextInt(positions.size()));
		return text.substring(0, at) + text.substring(at + what.length());
	}

	private static String replaceAt(String text, int at, char with) {
		return text.substring(0, at) + with + text.substring(at + 1);
	}

	private byte[] randomBytes(int length) {
		byte[] bytes = new byte[length];
		this.random.nextBytes(bytes);
		return bytes;
	}

	private static String quoted(String text) {
		return "\"" + text + "\"";
	}

	private static int utf8Length(String text) {
		return text.getBytes(StandardCharsets.ISO_8859_1).length;
	}

	@SafeVarargs
	private <T> T pick(T... choices) {
		return choices[this.random.nextInt(choices.length)];
	}

	private int pickInt(int... choices) {
		return choices[this.random.nextInt(choices.length)];
	}

	private static List<String[]> headers(String[]... headers) {
		return List.of(headers);
	}

	private static String[] header(String name, String value) {
		return new String[] { name, value };
	}

	static String abbreviate(String text) {
		String shown = (text.length() > 160) ? text.substring(0, 160) + "...(" + text.length() + " chars)" : text;
		return shown.replace("\r", "\\r").replace("\n", "\\n");
	}

	private static byte[] oversized() {
		byte[] body = new byte[MAX_BODY + 1];
		Arrays.fill(body, (byte) '1');
		body[0] = '[';
		for (int i = 2; i < body.length - 1; i += 2) {
			body[i] = ',';
		}
		body[body.length - 1] = ']';
		return body;
	}

}
