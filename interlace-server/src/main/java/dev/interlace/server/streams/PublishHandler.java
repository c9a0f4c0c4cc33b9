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
import dev.interlace.core.group.NewEntryId;
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
		return publish(request.pathVariable("name"), request.exchange().getRequest(), entryId)
			.flatMap((published) -> ServerResponse.accepted().contentType(MediaType.APPLICATION_JSON).bodyValue(published));
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
		ServerHttpRequest counted = (this.metrics != null) ? new ServerHttpRequestDecorator(request) {
			@Override
			public Flux<DataBuffer> getBody() {
				return super.getBody().doOnNext((buffer) -> bytes.add(buffer.readableByteCount()));
			}
		} : request;
		return this.bodies.readJson(counted).flatMap((body) -> {
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
