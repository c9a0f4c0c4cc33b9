package dev.interlace.server.streams;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.function.server.RequestPredicate;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

import dev.interlace.autoconfigure.InterlaceMetrics;
import dev.interlace.core.ConsumedBatch;
import dev.interlace.core.InvalidEventException;
import dev.interlace.core.InvalidRequestException;
import dev.interlace.core.PublishResult;
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
 * The streams HTTP API, except live subscriptions: listing and describing streams, publishing, consuming and
 * acknowledging. JSON keys are snake_case; events are rows as stored ({@link StoredEvent#toRow()}), with their
 * metadata columns.
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

	private static final MediaType JSON_SUBTYPE = MediaType.parseMediaType(JSON_SUBTYPES);

	private final Streams streams;

	private final RequestBodies bodies;

	private final @Nullable InterlaceMetrics metrics;

	/**
	 * Creates the controller.
	 * @param streams the streams
	 * @param bodies the request body reader
	 * @param metrics where publishes are recorded
	 */
	public StreamsController(Streams streams, RequestBodies bodies, ObjectProvider<InterlaceMetrics> metrics) {
		this.streams = streams;
		this.bodies = bodies;
		this.metrics = metrics.getIfAvailable();
	}

	/**
	 * Lists the streams, in name order, each with its row count and endpoint.
	 * @param tag when given, only streams carrying this tag
	 * @param schema when given, only streams in this database schema
	 * @return {@code {streams: [...], count: N}}
	 */
	@GetMapping
	public Mono<Map<String, Object>> list(@RequestParam(required = false) @Nullable String tag,
			@RequestParam(required = false) @Nullable String schema) {
		return blocking(() -> {
			List<Map<String, Object>> listed = new ArrayList<>();
			for (StreamDefinition definition : this.streams.definitions()) {
				if ((tag == null || definition.tags().contains(tag))
						&& (schema == null || definition.schema().equals(schema))) {
					Map<String, Object> summary = new LinkedHashMap<>();
					summary.put("name", definition.name());
					summary.put("schema", definition.schema());
					summary.put("description", definition.description());
					summary.put("tags", definition.tags());
					summary.put("owner", definition.owner());
					summary.put("row_count", table(definition).rowCount());
					summary.put("endpoint", BASE_PATH + "/" + definition.name());
					listed.add(summary);
				}
			}
			Map<String, Object> body = new LinkedHashMap<>();
			body.put("streams", listed);
			body.put("count", listed.size());
			return body;
		});
	}

	/**
	 * Describes a stream: its settings without secrets, its columns, row count and last rowid.
	 * @param name the stream
	 * @return the description
	 */
	@GetMapping("/{name}")
	public Mono<Map<String, Object>> describe(@PathVariable String name) {
		return blocking(() -> describe(this.streams.definition(name)));
	}

	/**
	 * Publishes one event (a JSON object) or a batch (an array of objects), atomically.
	 * <p>
	 * Well-formed publishes are usually taken by {@link #publishRoute()} before this mapping is consulted; this
	 * mapping answers the rest, with the same code.
	 * @param name the stream
	 * @param request the request, whose body is read here
	 * @return 202 with the publish result once the rows are committed
	 */
	@PostMapping(path = "/{name}", consumes = { MediaType.APPLICATION_JSON_VALUE, JSON_SUBTYPES })
	public Mono<ResponseEntity<Map<String, Object>>> publish(@PathVariable String name, ServerHttpRequest request) {
		return publish(name, request, (body) -> ResponseEntity.status(HttpStatus.ACCEPTED).body(body));
	}

	/**
	 * Returns the publish endpoint as a router function, for the requests it can answer without content
	 * negotiation: a JSON body and a response that may be JSON. Publishing is the hot path of the API, and a router
	 * function skips the annotated mapping's condition matching, argument resolution and result handling (on this
	 * project's 2-core benchmark machine, an empty annotated endpoint answers about a fifth fewer requests a second
	 * than an empty router function). Any other request falls through to {@link #publish(String, ServerHttpRequest)},
	 * which answers a wrong content type, method or {@code Accept} header as every other endpoint does.
	 * @return the route
	 */
	public RouterFunction<ServerResponse> publishRoute() {
		RequestPredicate wellFormed = RequestPredicates.POST(BASE_PATH + "/{name}").and(StreamsController::jsonBothWays);
		return RouterFunctions.route(wellFormed,
				(request) -> publish(request.pathVariable("name"), request.exchange().getRequest(),
						(body) -> ServerResponse.status(HttpStatus.ACCEPTED)
							.contentType(MediaType.APPLICATION_JSON)
							.bodyValue(body))
					.flatMap((response) -> response));
	}

	private static boolean jsonBothWays(ServerRequest request) {
		HttpHeaders headers = request.headers().asHttpHeaders();
		try {
			MediaType contentType = headers.getContentType();
			if (contentType == null
					|| !(MediaType.APPLICATION_JSON.includes(contentType) || JSON_SUBTYPE.includes(contentType))) {
				return false;
			}
			List<MediaType> accepted = headers.getAccept();
			return accepted.isEmpty() || accepted.stream().anyMatch(MediaType.APPLICATION_JSON::isCompatibleWith);
		}
		catch (IllegalArgumentException ex) {
			// An unreadable Content-Type or Accept header (an invalid media type or charset): the annotated mapping
			// answers it with the right 4xx.
			return false;
		}
	}

	private <R> Mono<R> publish(String name, ServerHttpRequest request, Function<Map<String, Object>, R> answer) {
		LongAdder bytes = new LongAdder();
		ServerHttpRequest counted = (this.metrics != null) ? new ServerHttpRequestDecorator(request) {
			@Override
			public Flux<DataBuffer> getBody() {
				return super.getBody().doOnNext((buffer) -> bytes.add(buffer.readableByteCount()));
			}
		} : request;
		return this.bodies.readJson(counted).flatMap((body) -> {
			List<Map<String, Object>> events = events(name, body);
			if (events.isEmpty()) {
				// Nothing to store, but the stream must still exist.
				this.streams.definition(name);
				return Mono.just(publishResponse(name, 0, null, 0, 0, List.of()));
			}
			long start = System.nanoTime();
			return this.streams.publish(name, events)
				.doOnNext((result) -> recordPublish(result, bytes.sum(), System.nanoTime() - start))
				.map((result) -> publishResponse(result.stream(), result.rowsReceived(), result.publishId(),
						result.firstRowid(), result.lastRowid(), result.triggeredModels()));
		}).map(answer);
	}

	private void recordPublish(PublishResult result, long bytes, long nanos) {
		if (this.metrics != null) {
			this.metrics.published(result.stream(), result.rowsReceived(), bytes, Duration.ofNanos(nanos));
		}
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
	public Mono<Map<String, Object>> consume(@PathVariable String name, ServerHttpRequest request) {
		return this.bodies.readJson(request).flatMap((body) -> {
			Map<?, ?> members = requireObject(body);
			String consumer = consumer(members);
			int batchSize = batchSize(members.get("batch_size"));
			return blocking(() -> consumed(this.streams.consume(name, consumer, batchSize)));
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
	public Mono<Map<String, Object>> ack(@PathVariable String name, ServerHttpRequest request) {
		return this.bodies.readJson(request).flatMap((body) -> {
			Map<?, ?> members = requireObject(body);
			String consumer = consumer(members);
			List<Long> rowids = ackedRowids(members);
			long acknowledged = rowids.stream().distinct().count();
			return blocking(() -> {
				// Nothing to acknowledge, as after an empty consume: the cursor stays, and no cursor is created.
				long cursor = rowids.isEmpty() ? this.streams.cursor(name, consumer)
						: this.streams.ack(name, consumer, rowids.stream().mapToLong(Long::longValue).max().getAsLong());
				Map<String, Object> response = new LinkedHashMap<>();
				response.put("status", "ok");
				response.put("acknowledged", acknowledged);
				response.put("cursor", cursor);
				return response;
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

	private Map<String, Object> describe(StreamDefinition definition) {
		Map<String, Object> document = DefinitionDocument.of(definition);
		StreamTable table = table(definition);
		String path = BASE_PATH + "/" + definition.name();
		Map<String, Object> description = new LinkedHashMap<>();
		description.put("name", definition.name());
		description.put("schema", definition.schema());
		description.put("description", definition.description());
		description.put("cursor", definition.cursor());
		description.put("tags", definition.tags());
		description.put("owner", definition.owner());
		// The table's columns: the declared fields and any a schema-less stream has grown since.
		description.put("fields", DefinitionDocument.typeNames(table.columns()));
		description.put("validate_schema", definition.validateSchema());
		description.put("schema_evolution", definition.schemaEvolution());
		SchemaLimits limits = definition.schemaLimitsOr(SchemaLimits.DEFAULTS);
		description.put("schema_limits", Map.of("max_new_columns_per_publish", limits.maxNewColumnsPerPublish(),
				"max_columns_per_stream", limits.maxColumnsPerStream(), "max_keys_per_event", limits.maxKeysPerEvent()));
		description.put("row_count", table.rowCount());
		description.put("last_rowid", table.lastRowid());
		description.put("endpoints", List.of(endpoint("POST", path, "Publish one event (a JSON object) or a batch (an array)"),
				endpoint("GET", path + "/subscribe", "Live events as Server-Sent Events; resume with Last-Event-ID or ?from="),
				endpoint("POST", path + "/consume", "Read the events after a consumer's cursor: {consumer, batch_size}"),
				endpoint("POST", path + "/ack", "Move a consumer's cursor: {consumer, event_ids} or {consumer, events}"),
				endpoint("DELETE", path + "/consumers/{consumer}", "Delete a consumer and its cursor")));
		description.put("auth", document.get("auth"));
		description.put("rate_limit", document.get("rate_limit"));
		description.put("retention", document.get("retention"));
		description.put("downstream", List.of());
		return description;
	}

	private static Map<String, Object> endpoint(String method, String path, String description) {
		Map<String, Object> endpoint = new LinkedHashMap<>();
		endpoint.put("method", method);
		endpoint.put("path", path);
		endpoint.put("description", description);
		return endpoint;
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
							"is " + kind(items.get(i)) + "; expected a JSON object");
				}
			}
			return (List<Map<String, Object>>) items;
		}
		throw new InvalidRequestException(
				"Request body is " + kind(body) + "; expected a JSON object or an array of JSON objects");
	}

	private static String kind(@Nullable Object value) {
		if (value == null) {
			return "null";
		}
		if (value instanceof Map<?, ?>) {
			return "an object";
		}
		if (value instanceof List<?>) {
			return "an array";
		}
		if (value instanceof String) {
			return "a string";
		}
		if (value instanceof Boolean) {
			return "a boolean";
		}
		return "a number";
	}

	private static Map<String, Object> publishResponse(String stream, int rows, @Nullable Object publishId,
			long firstRowid, long lastRowid, List<String> triggeredModels) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("status", PublishResult.ACCEPTED);
		body.put("stream", stream);
		body.put("rows_received", rows);
		body.put("publish_id", publishId);
		body.put("first_rowid", firstRowid);
		body.put("last_rowid", lastRowid);
		body.put("triggered_models", triggeredModels);
		return body;
	}

	private static Map<String, Object> consumed(ConsumedBatch batch) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("stream", batch.stream());
		body.put("consumer", batch.consumer());
		body.put("events", batch.events().stream().map(StoredEvent::toRow).toList());
		body.put("count", batch.count());
		body.put("truncated", batch.truncated());
		return body;
	}

	private static Map<?, ?> requireObject(Object body) {
		if (body instanceof Map<?, ?> members) {
			return members;
		}
		throw new InvalidRequestException("Request body is " + kind(body) + "; expected a JSON object");
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
