package dev.interlace.server.streams;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.Connection;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.util.Assert;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.interlace.autoconfigure.InterlaceMetrics;
import dev.interlace.core.InvalidRequestException;
import dev.interlace.core.StoredEvent;
import dev.interlace.core.Streams;
import dev.interlace.core.SubscriberOverflowException;
import dev.interlace.core.engine.DefaultStreams;

/**
 * Server-sent events of one stream: {@code GET /api/v1/streams/{name}/subscribe}.
 * <p>
 * Each committed row is sent as an event named {@value #EVENT} whose id is its rowid and whose data is
 * {@code {"stream": name, "event": row}}, the row including its metadata columns. Without {@code Last-Event-ID} or
 * {@code ?from=} only events committed from now on are sent; with either, the stored rows after that rowid are replayed
 * first, then live events follow with no gap and no duplicate ({@link Streams#subscribe(String, long)}). The header
 * wins over the parameter, as a browser that reconnects sends the header but keeps the URL it first used.
 * {@code ?filter=field:value} keeps the events whose field has that value.
 * <p>
 * Events come only from the {@link Streams} API, that is from the store's sink after each commit. A client that falls
 * further behind than the subscriber buffer ({@code interlace.subscriber-buffer-size}) gets a last event named
 * {@value #OVERFLOW} carrying the rowid to resume from, and the response ends; publishers and other subscribers never
 * wait for it. A comment opens the response, so that its headers go out at once, and another is sent every
 * {@code interlace.server.sse-heartbeat} (15 seconds by default) to keep idle connections open. When the application
 * stops, every response ends, so that a graceful shutdown need not wait for them.
 *
 * @since 0.1.0
 */
@RestController
public class SubscribeController {

	/** Name of the event that carries a stream's row. */
	public static final String EVENT = "stream.event";

	/** Name of the last event sent to a client that fell too far behind. */
	public static final String OVERFLOW = "stream.overflow";

	private static final Logger logger = LoggerFactory.getLogger(SubscribeController.class);

	private static final byte[] OPENING = ":subscribed\n\n".getBytes(StandardCharsets.UTF_8);

	private static final byte[] HEARTBEAT = ":heartbeat\n\n".getBytes(StandardCharsets.UTF_8);

	// Marks the end of a stream's events inside the merge with the heartbeats, by identity; never sent.
	private static final byte[] END = new byte[0];

	private final Streams streams;

	private final Duration heartbeat;

	private final SseLifecycle lifecycle;

	private final SseEventData data;

	private final JsonMapper mapper;

	private final @Nullable InterlaceMetrics metrics;

	SubscribeController(Streams streams, @Value("${interlace.server.sse-heartbeat:15s}") Duration heartbeat,
			SseLifecycle lifecycle, JsonMapper mapper, ObjectProvider<InterlaceMetrics> metrics) {
		Assert.isTrue(!heartbeat.isNegative() && !heartbeat.isZero(),
				() -> "interlace.server.sse-heartbeat must be positive, was " + heartbeat);
		this.streams = streams;
		this.heartbeat = heartbeat;
		this.lifecycle = lifecycle;
		this.data = new SseEventData(mapper);
		this.mapper = mapper;
		this.metrics = metrics.getIfAvailable();
	}

	@GetMapping(path = "/api/v1/streams/{name}/subscribe", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
	public Mono<Void> subscribe(@PathVariable String name,
			@RequestHeader(name = "Last-Event-ID", required = false) @Nullable String lastEventId,
			@RequestParam(name = "from", required = false) @Nullable String from,
			@RequestParam(name = "filter", required = false) @Nullable String filter, ServerHttpRequest request,
			ServerHttpResponse response) {
		Long after = resumePoint(lastEventId, from);
		SseEventFilter eventFilter = SseEventFilter.parse(filter);
		if (HttpMethod.HEAD.equals(request.getMethod())) {
			// WebFlux answers a HEAD by producing the GET's body to measure it, and an event stream never ends: a
			// HEAD would hold a replay and a live subscription for as long as its client stays connected.
			this.streams.definition(name);
			response.getHeaders().setContentType(MediaType.TEXT_EVENT_STREAM);
			return response.setComplete();
		}
		// Both calls check the stream at once (an unknown one throws before any byte is sent) and touch no database:
		// a replay reads on the bounded-elastic scheduler, live events arrive on it.
		Flux<StoredEvent> source = source(name, after, response);
		Flux<byte[]> events = source.filter(eventFilter::matches)
			.map(this.data::frame)
			.onErrorResume(SubscriberOverflowException.class, (ex) -> Mono.just(overflow(name, ex)))
			.concatWith(Mono.just(END));
		Flux<byte[]> heartbeats = Flux.interval(this.heartbeat, this.heartbeat)
			.onBackpressureDrop()
			.map((tick) -> HEARTBEAT);
		// The events are subscribed first, so the subscription is in place before the opening comment can go out.
		Flux<byte[]> frames = Flux.merge(events, Mono.just(OPENING), heartbeats)
			.takeWhile((frame) -> frame != END)
			.takeUntilOther(this.lifecycle.stopped());
		if (this.metrics != null) {
			InterlaceMetrics metrics = this.metrics;
			frames = frames.doOnSubscribe((subscription) -> metrics.subscriberOpened(name))
				.doFinally((signal) -> metrics.subscriberClosed(name));
		}
		response.getHeaders().setContentType(MediaType.TEXT_EVENT_STREAM);
		DataBufferFactory buffers = response.bufferFactory();
		// Written without a flush per frame: Reactor Netty flushes whenever it has written all the frames that
		// have arrived, so events that arrive together go out in one flush, with no timer per subscriber to wait for
		// company. With many subscribers the writes and their flushes, not the events, are what the cores spend
		// their time on.
		return response.writeWith(frames.map(buffers::wrap));
	}

	private Flux<StoredEvent> source(String name, @Nullable Long after, ServerHttpResponse response) {
		// Delivered on the connection's own event loop, where the response writes them without another hop.
		if (this.streams instanceof DefaultStreams defaultStreams
				&& ServerHttpResponseDecorator.getNativeResponse(response) instanceof Connection connection) {
			Scheduler eventLoop = Schedulers.fromExecutor(connection.channel().eventLoop());
			return (after != null) ? defaultStreams.subscribe(name, after, eventLoop)
					: defaultStreams.subscribe(name, eventLoop);
		}
		return (after != null) ? this.streams.subscribe(name, after) : this.streams.subscribe(name);
	}

	private static @Nullable Long resumePoint(@Nullable String lastEventId, @Nullable String from) {
		if (lastEventId != null && !lastEventId.isBlank()) {
			return rowid(lastEventId, "Last-Event-ID header");
		}
		if (from != null) {
			return rowid(from, "from parameter");
		}
		return null;
	}

	private static long rowid(String value, String what) {
		long rowid;
		try {
			rowid = Long.parseLong(value.trim());
		}
		catch (NumberFormatException ex) {
			throw new InvalidRequestException("The " + what + " must be a rowid (a whole number, 0 or more), was '"
					+ value + "'");
		}
		if (rowid < 0) {
			throw new InvalidRequestException("The " + what + " must be a rowid (a whole number, 0 or more), was "
					+ rowid);
		}
		return rowid;
	}

	private byte[] overflow(String stream, SubscriberOverflowException ex) {
		long resumeAfter = ex.getLastDeliveredRowid();
		logger.info("SSE subscriber of stream '{}' fell behind its buffer and was ended after rowid {}", stream,
				resumeAfter);
		// The id is the rowid to resume from, so a browser's EventSource reconnects from there by itself.
		return ("id:" + resumeAfter + "\nevent:" + OVERFLOW + "\ndata:"
				+ this.mapper.writeValueAsString(new SseOverflow(stream, resumeAfter, ex.getMessage())) + "\n\n")
			.getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * Data of the {@value #OVERFLOW} event.
	 *
	 * @param stream the stream name
	 * @param lastEventId the last rowid delivered: resume after it
	 * @param reason why the subscription ended
	 */
	record SseOverflow(@JsonProperty("stream") String stream, @JsonProperty("last_event_id") long lastEventId,
			@JsonProperty("reason") String reason) {
	}

}
