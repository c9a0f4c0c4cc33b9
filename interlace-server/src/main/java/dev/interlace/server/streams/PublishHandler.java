package dev.interlace.server.streams;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

import dev.interlace.autoconfigure.InterlaceMetrics;
import dev.interlace.core.InvalidEventException;
import dev.interlace.core.InvalidRequestException;
import dev.interlace.core.PublishResult;
import dev.interlace.core.Streams;
import dev.interlace.core.NewEntryId;
import dev.interlace.core.engine.DefaultStreams;
import dev.interlace.server.web.ApiProblems;
import dev.interlace.server.web.RequestBodies;

/**
 * Answers every request to a stream's own path that describing it does not ({@link StreamsRoutes}): publishes, and
 * their content negotiation, done here rather than by the annotated mapping so that the hot path stays on the router
 * function. A publish is one event (a JSON object) or a batch (an array of objects), stored atomically.
 * <p>
 * Negotiation, in this order: a {@code Content-Type} other than {@link #READS} (missing or unreadable included) is
 * answered with 415, an {@code Accept} header admitting none of {@link #ANSWERS} (unreadable included) with 406,
 * both before the body is read. {@code OPTIONS} is answered with 200 and {@code Allow} and {@code Accept-Post}
 * headers; any method but these and the describing {@code GET} and {@code HEAD} with 405 and {@code Allow}.
 * <p>
 * A publish with an {@code Idempotency-Key} header is stored once: a repeat of the key within the stream's window is
 * answered with the original 202 body (same {@code publish_id} and rowids) and {@code Idempotent-Replayed: true},
 * storing nothing; a repeat with other events is answered with 422 {@code idempotency_key_reused}. A key that is
 * empty, blank, longer than {@value Streams#MAX_IDEMPOTENCY_KEY_LENGTH} characters or sent twice is answered with
 * 400 before the body is read.
 *
 * @since 0.1.0
 */
final class PublishHandler {

	/** Media types of the publish bodies read. */
	static final List<MediaType> READS = List.of(MediaType.APPLICATION_JSON, MediaType.parseMediaType("application/*+json"));

	/** Media types of the publish answers. */
	static final List<MediaType> ANSWERS = List.of(MediaType.APPLICATION_JSON);

	/** Methods served on a stream's own path: describing ({@link StreamsController}) and publishing. */
	static final Set<HttpMethod> SERVED = Set.of(HttpMethod.GET, HttpMethod.POST);

	private static final Set<HttpMethod> ALLOWED = ApiProblems.allowed(SERVED);

	private static final String ACCEPT_POST = "Accept-Post";

	/**
	 * Header asking for a publish's entry ID, as the ID argument of Redis' {@code XADD}: {@code <ms>-<seq>} or
	 * {@code <ms>-*} (or {@code *}, the default), for a publish of one event.
	 */
	static final String ENTRY_ID = "Interlace-Entry-Id";

	/** The request header carrying a publish's idempotency key. */
	static final String IDEMPOTENCY_KEY = "Idempotency-Key";

	/** The response header saying a keyed publish was answered from its key, storing nothing. */
	static final String IDEMPOTENT_REPLAYED = "Idempotent-Replayed";

	private final Streams streams;

	private final RequestBodies bodies;

	private final @Nullable InterlaceMetrics metrics;

	PublishHandler(Streams streams, RequestBodies bodies, @Nullable InterlaceMetrics metrics) {
		this.streams = streams;
		this.bodies = bodies;
		this.metrics = metrics;
	}

	/**
	 * Publishes the request's body.
	 * @param request the request
	 * @return 202 with a {@link PublishResponse} once the rows are committed
	 */
	Mono<ServerResponse> publish(ServerRequest request) {
		HttpHeaders headers = request.headers().asHttpHeaders();
		if (!readable(headers)) {
			return Mono.error(ApiProblems.unsupportedMediaType(headers, READS));
		}
		if (!answerable(headers)) {
			return Mono.error(ApiProblems.notAcceptable(ANSWERS));
		}
		NewEntryId entryId = entryId(headers);
		List<String> keys = headers.get(IDEMPOTENCY_KEY);
		if (keys != null) {
			String key;
			try {
				key = idempotencyKey(keys);
			}
			catch (InvalidRequestException ex) {
				return Mono.error(ex);
			}
			if (!entryId.isAuto()) {
				return Mono.error(new InvalidRequestException("A publish cannot carry both " + ENTRY_ID + " and "
						+ IDEMPOTENCY_KEY + ": keyed publishes take automatic entry IDs"));
			}
			return publishIdempotent(request, key);
		}
		return publish(request.pathVariable("name"), request.exchange().getRequest(), entryId)
			.flatMap((published) -> ServerResponse.accepted().contentType(MediaType.APPLICATION_JSON).bodyValue(published));
	}

	private Mono<ServerResponse> publishIdempotent(ServerRequest request, String key) {
		String name = request.pathVariable("name");
		LongAdder bytes = new LongAdder();
		return this.bodies.readJson(counted(request.exchange().getRequest(), bytes)).flatMap((body) -> {
			List<Map<String, Object>> events = events(name, body);
			if (events.isEmpty()) {
				// Nothing to store, so no key to remember, but the stream must still exist.
				this.streams.definition(name);
				return ServerResponse.accepted()
					.contentType(MediaType.APPLICATION_JSON)
					.bodyValue(PublishResponse.empty(name));
			}
			long start = System.nanoTime();
			// Offloaded by the engine: a keyed publish is a database transaction.
			return this.streams.publishIdempotent(name, events, key).flatMap((published) -> {
				ServerResponse.BodyBuilder response = ServerResponse.accepted().contentType(MediaType.APPLICATION_JSON);
				if (published.replayed()) {
					response.header(IDEMPOTENT_REPLAYED, "true");
				}
				else {
					// Replays store nothing, so they count as no publish.
					recordPublish(published.result(), bytes.sum(), System.nanoTime() - start);
				}
				return response.bodyValue(PublishResponse.of(published.result()));
			});
		});
	}

	/** Checks the key headers of a request, before its body is read. */
	private static String idempotencyKey(List<String> values) {
		if (values.size() != 1) {
			throw new InvalidRequestException(
					"Send one " + IDEMPOTENCY_KEY + " header, not " + values.size());
		}
		String key = values.get(0);
		String problem = DefaultStreams.idempotencyKeyProblem(key);
		if (problem != null) {
			throw new InvalidRequestException(IDEMPOTENCY_KEY + " header " + problem);
		}
		return key;
	}

	/**
	 * Answers {@code OPTIONS} with the methods allowed and the media types a publish may be sent as.
	 * @param request the request
	 * @return 200 without a body
	 */
	Mono<ServerResponse> options(ServerRequest request) {
		return ServerResponse.ok().allow(ALLOWED).header(ACCEPT_POST, MediaType.toString(READS)).build();
	}

	/**
	 * Refuses a method the path does not serve.
	 * @param request the request
	 * @return a 405 problem, with the methods allowed
	 */
	Mono<ServerResponse> methodNotAllowed(ServerRequest request) {
		return Mono.error(ApiProblems.methodNotAllowed(request.method(), SERVED));
	}

	private static boolean readable(HttpHeaders headers) {
		try {
			MediaType contentType = headers.getContentType();
			return contentType != null && READS.stream().anyMatch((type) -> type.includes(contentType));
		}
		catch (IllegalArgumentException ex) {
			return false;
		}
	}

	private static boolean answerable(HttpHeaders headers) {
		try {
			List<MediaType> accepted = headers.getAccept();
			return accepted.isEmpty()
					|| accepted.stream().anyMatch((type) -> ANSWERS.stream().anyMatch(type::isCompatibleWith));
		}
		catch (IllegalArgumentException ex) {
			return false;
		}
	}

	/**
	 * Reads the entry ID a publish asks for before its body is read, so that a malformed one is refused at once.
	 */
	private static NewEntryId entryId(HttpHeaders headers) {
		List<String> values = headers.getValuesAsList(ENTRY_ID);
		if (values.isEmpty()) {
			return NewEntryId.auto();
		}
		if (values.size() > 1) {
			throw new InvalidRequestException("The " + ENTRY_ID + " header must be given once, was " + values);
		}
		try {
			return NewEntryId.parse(values.get(0));
		}
		catch (InvalidRequestException ex) {
			throw new InvalidRequestException("The " + ENTRY_ID + " header must be <ms>-<seq> or <ms>-*: "
					+ ex.getMessage());
		}
	}

	private Mono<PublishResponse> publish(String name, ServerHttpRequest request, NewEntryId entryId) {
		LongAdder bytes = new LongAdder();
		return this.bodies.readJson(counted(request, bytes)).flatMap((body) -> {
			List<Map<String, Object>> events = events(name, body);
			entryId.requireFits(events.size());
			if (events.isEmpty()) {
				// Nothing to store, but the stream must still exist.
				this.streams.definition(name);
				return Mono.just(PublishResponse.empty(name));
			}
			long start = System.nanoTime();
			Mono<PublishResult> published = entryId.isAuto() ? this.streams.publish(name, events)
					: this.streams.publish(name, events, entryId);
			return published.doOnNext((result) -> recordPublish(result, bytes.sum(), System.nanoTime() - start))
				.map(PublishResponse::of);
		});
	}

	private ServerHttpRequest counted(ServerHttpRequest request, LongAdder bytes) {
		return (this.metrics != null) ? new ServerHttpRequestDecorator(request) {
			@Override
			public Flux<DataBuffer> getBody() {
				return super.getBody().doOnNext((buffer) -> bytes.add(buffer.readableByteCount()));
			}
		} : request;
	}

	private void recordPublish(PublishResult result, long bytes, long nanos) {
		if (this.metrics != null) {
			this.metrics.published(result.stream(), result.rowsReceived(), bytes, Duration.ofNanos(nanos));
		}
	}

	/**
	 * Turns a publish body into events: an object is one event, an array a batch whose items must all be objects.
	 * Values stay as parsed (fractions as exact {@link java.math.BigDecimal}s); the store converts them to their
	 * columns' types.
	 */
	@SuppressWarnings("unchecked")
	static List<Map<String, Object>> events(String stream, Object body) {
		if (body instanceof Map<?, ?> event) {
			return List.of((Map<String, Object>) event);
		}
		if (body instanceof List<?> items) {
			for (int i = 0; i < items.size(); i++) {
				if (!(items.get(i) instanceof Map<?, ?>)) {
					throw new InvalidEventException(stream, i, null,
							"is " + JsonKind.of(items.get(i)) + "; expected a JSON object");
				}
			}
			return (List<Map<String, Object>>) items;
		}
		throw new InvalidRequestException(
				"Request body is " + JsonKind.of(body) + "; expected a JSON object or an array of JSON objects");
	}

}
