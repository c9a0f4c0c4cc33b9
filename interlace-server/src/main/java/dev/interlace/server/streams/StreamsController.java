package dev.interlace.server.streams;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.interlace.core.InvalidRequestException;
import dev.interlace.core.SchemaLimits;
import dev.interlace.core.StoredEvent;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.Streams;
import dev.interlace.core.engine.DefaultStreams;
import dev.interlace.core.store.StreamTable;
import dev.interlace.core.store.support.DefinitionDocument;
import dev.interlace.server.web.ApiException;
import dev.interlace.server.web.ErrorCode;
import dev.interlace.server.web.RequestBodies;
import dev.interlace.server.web.StreamAccessFilter;

/**
 * The streams HTTP API, except publishing ({@link StreamsRoutes}) and live subscriptions
 * ({@link SubscribeController}): listing and describing streams, consuming and acknowledging, deleting consumers. JSON
 * keys are snake_case; events are rows as stored ({@link StoredEvent#toRowWithId()}), with their metadata columns and
 * entry ID.
 * <p>
 * Every JDBC call runs on Reactor's bounded-elastic scheduler, never on the event loop. Failures are answered by
 * {@link dev.interlace.server.web.ApiExceptionHandler}; credentials and rate limits are checked before by
 * {@link StreamAccessFilter}.
 *
 * @since 0.1.0
 */
@RestController
@RequestMapping(path = StreamsController.BASE_PATH, produces = MediaType.APPLICATION_JSON_VALUE)
public class StreamsController {

	/** Path under which every stream endpoint lives. */
	public static final String BASE_PATH = StreamAccessFilter.STREAMS_PATH;

	private static final String JSON_SUBTYPES = "application/*+json";

	private final Streams streams;

	private final RequestBodies bodies;

	/**
	 * Creates the controller.
	 * @param streams the streams
	 * @param bodies the request body reader
	 */
	public StreamsController(Streams streams, RequestBodies bodies) {
		this.streams = streams;
		this.bodies = bodies;
	}

	/**
	 * Lists the streams, in name order, each with its row count and endpoint.
	 * @param tag when given, only streams carrying this tag
	 * @param schema when given, only streams in this database schema
	 * @return {@code {streams: [...], count: N}}
	 */
	@GetMapping
	public Mono<StreamList> list(@RequestParam(required = false) @Nullable String tag,
			@RequestParam(required = false) @Nullable String schema) {
		return blocking(() -> {
			List<StreamList.Summary> listed = new ArrayList<>();
			for (StreamDefinition definition : this.streams.definitions()) {
				if ((tag == null || definition.tags().contains(tag))
						&& (schema == null || definition.schema().equals(schema))) {
					listed.add(new StreamList.Summary(definition.name(), definition.schema(), definition.description(),
							definition.tags(), definition.owner(), table(definition).rowCount(),
							BASE_PATH + "/" + definition.name()));
				}
			}
			return new StreamList(listed);
		});
	}

	/**
	 * Describes a stream: its settings without secrets, its columns, row count and last rowid. Answers {@code GET}
	 * and {@code HEAD}; every other method of the stream's own path is answered by {@link StreamsRoutes}.
	 * @param name the stream
	 * @return the description
	 */
	@GetMapping("/{name}")
	public Mono<StreamDescription> describe(@PathVariable String name) {
		return blocking(() -> describe(this.streams.definition(name)));
	}

	/**
	 * Returns events after the consumer's cursor without moving it. Body: {@code {consumer, batch_size}}, the batch
	 * size 1 to {@value Streams#MAX_BATCH_SIZE}, {@value Streams#DEFAULT_BATCH_SIZE} when absent.
	 * <p>
	 * Besides the batch size, the events are bounded by the byte budget of a consume
	 * ({@code interlace.consume.max-bytes}), though the first event waiting is returned however large.
	 * {@code truncated} says whether the budget cut the batch short while further events were waiting: the client
	 * acknowledges and consumes again at once rather than taking fewer events than asked for as having caught up.
	 * @param name the stream
	 * @param request the request, whose body is read here
	 * @return {@code {stream, consumer, events, count, truncated}}
	 */
	@PostMapping(path = "/{name}/consume", consumes = { MediaType.APPLICATION_JSON_VALUE, JSON_SUBTYPES })
	public Mono<ConsumeResponse> consume(@PathVariable String name, ServerHttpRequest request) {
		return this.bodies.readJson(request).flatMap((body) -> {
			Map<?, ?> members = requireObject(body);
			String consumer = consumer(members);
			int batchSize = batchSize(members.get("batch_size"));
			return blocking(() -> ConsumeResponse.of(this.streams.consume(name, consumer, batchSize)));
		});
	}

	/**
	 * Moves the consumer's cursor to the highest rowid acknowledged, never backwards. Body:
	 * {@code {consumer, events: [{_interlace_rowid}, ...]}} (events as consumed) or
	 * {@code {consumer, event_ids: [rowid, ...]}}. An empty list acknowledges nothing: the answer carries the cursor
	 * unchanged (0 for a consumer that never acknowledged), and no cursor is created.
	 * @param name the stream
	 * @param request the request, whose body is read here
	 * @return {@code {status: "ok", acknowledged, cursor}}
	 */
	@PostMapping(path = "/{name}/ack", consumes = { MediaType.APPLICATION_JSON_VALUE, JSON_SUBTYPES })
	public Mono<AckResponse> ack(@PathVariable String name, ServerHttpRequest request) {
		return this.bodies.readJson(request).flatMap((body) -> {
			Map<?, ?> members = requireObject(body);
			String consumer = consumer(members);
			List<Long> rowids = ackedRowids(members);
			long acknowledged = rowids.stream().distinct().count();
			return blocking(() -> {
				// Nothing to acknowledge, as after an empty consume: the cursor stays, and no cursor is created.
				long cursor = rowids.isEmpty() ? this.streams.cursor(name, consumer)
						: this.streams.ack(name, consumer, rowids.stream().mapToLong(Long::longValue).max().getAsLong());
				return new AckResponse(acknowledged, cursor);
			});
		});
	}

	/**
	 * Deletes a consumer: its cursor goes, so that it no longer counts against
	 * {@code interlace.consume.max-consumers-per-stream}, and a consumer of that name starts again from the oldest row
	 * kept.
	 * @param name the stream
	 * @param consumer the consumer
	 * @return 204 when the consumer existed; 404 when it never acknowledged (or was deleted already)
	 */
	@DeleteMapping("/{name}/consumers/{consumer}")
	public Mono<ResponseEntity<Void>> deleteConsumer(@PathVariable String name, @PathVariable String consumer) {
		return blocking(() -> {
			if (!this.streams.deleteConsumer(name, consumer)) {
				throw new ApiException(ErrorCode.RESOURCE_NOT_FOUND,
						"Stream '" + name + "' has no consumer '" + consumer + "'");
			}
			return ResponseEntity.noContent().<Void>build();
		});
	}

	private StreamDescription describe(StreamDefinition definition) {
		Map<String, Object> document = DefinitionDocument.of(definition);
		StreamTable table = table(definition);
		String path = BASE_PATH + "/" + definition.name();
		List<StreamDescription.Endpoint> endpoints = List.of(
				new StreamDescription.Endpoint("POST", path, "Publish one event (a JSON object) or a batch (an array)"),
				new StreamDescription.Endpoint("GET", path + "/subscribe",
						"Live events as Server-Sent Events; resume with Last-Event-ID or ?from="),
				new StreamDescription.Endpoint("POST", path + "/consume",
						"Read the events after a consumer's cursor: {consumer, batch_size}"),
				new StreamDescription.Endpoint("POST", path + "/ack",
						"Move a consumer's cursor: {consumer, event_ids} or {consumer, events}"),
				new StreamDescription.Endpoint("DELETE", path + "/consumers/{consumer}",
						"Delete a consumer and its cursor"));
		// The table's columns: the declared fields and any a schema-less stream has grown since.
		return new StreamDescription(definition.name(), definition.schema(), definition.description(),
				definition.cursor(), definition.tags(), definition.owner(), DefinitionDocument.typeNames(table.columns()),
				definition.validateSchema(), definition.schemaEvolution(),
				StreamDescription.Limits.of(definition.schemaLimitsOr(SchemaLimits.DEFAULTS)), table.rowCount(),
				table.lastRowid(), endpoints, document.get("auth"), document.get("rate_limit"),
				document.get("retention"), List.of());
	}

	private StreamTable table(StreamDefinition definition) {
		if (this.streams instanceof DefaultStreams defaultStreams) {
			return defaultStreams.store(definition.name()).describe(definition.name());
		}
		return new StreamTable(definition.name(), definition.schema(), definition.fields(),
				this.streams.count(definition.name()), 0);
	}

	private static <T> Mono<T> blocking(Callable<T> call) {
		return Mono.fromCallable(call).subscribeOn(Schedulers.boundedElastic());
	}

	private static Map<?, ?> requireObject(Object body) {
		if (body instanceof Map<?, ?> members) {
			return members;
		}
		throw new InvalidRequestException("Request body is " + JsonKind.of(body) + "; expected a JSON object");
	}

	private static String consumer(Map<?, ?> members) {
		if (members.get("consumer") instanceof String consumer && !consumer.isBlank()) {
			return consumer;
		}
		throw new InvalidRequestException("'consumer' is required: a non-blank string naming the consumer");
	}

	private static int batchSize(@Nullable Object value) {
		if (value == null) {
			return Streams.DEFAULT_BATCH_SIZE;
		}
		Long size = wholeNumber(value);
		if (size == null || size < 1 || size > Streams.MAX_BATCH_SIZE) {
			throw new InvalidRequestException("'batch_size' must be a whole number between 1 and "
					+ Streams.MAX_BATCH_SIZE + ", was " + value);
		}
		return size.intValue();
	}

	private static List<Long> ackedRowids(Map<?, ?> members) {
		Object events = members.get("events");
		Object ids = members.get("event_ids");
		if ((events == null) == (ids == null)) {
			throw new InvalidRequestException("An ack needs exactly one of 'events' (objects with "
					+ StoredEvent.ROWID + ") or 'event_ids' (rowids)");
		}
		String member = (events != null) ? "events" : "event_ids";
		if (!(((events != null) ? events : ids) instanceof List<?> items)) {
			throw new InvalidRequestException("'" + member + "' must be an array");
		}
		List<Long> rowids = new ArrayList<>(items.size());
		for (int i = 0; i < items.size(); i++) {
			Object item = items.get(i);
			Object rowid = (events == null) ? item
					: (item instanceof Map<?, ?> event) ? event.get(StoredEvent.ROWID) : null;
			Long value = (rowid != null) ? wholeNumber(rowid) : null;
			if (value == null || value < 1) {
				throw new InvalidRequestException("'" + member + "[" + i + "]' "
						+ ((events == null) ? "must be a rowid" : "must be an object with " + StoredEvent.ROWID)
						+ ": a positive whole number");
			}
			rowids.add(value);
		}
		return rowids;
	}

	private static @Nullable Long wholeNumber(Object value) {
		if (value instanceof Integer || value instanceof Long) {
			return ((Number) value).longValue();
		}
		if (value instanceof BigInteger big && big.bitLength() < 64) {
			return big.longValue();
		}
		return null;
	}

}
