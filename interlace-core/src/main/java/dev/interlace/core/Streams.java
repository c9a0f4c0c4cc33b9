package dev.interlace.core;

import java.util.Collection;
import java.util.List;
import java.util.Map;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import dev.interlace.core.NewEntryId;

/**
 * The Java API of Interlace: publish to, subscribe to, consume and acknowledge streams.
 * <p>
 * A publish completes only once its rows are committed; live subscribers see an event only after that commit. Streams
 * are named either by their configured name or by the {@link dev.interlace.core.annotation.Stream @Stream}-annotated
 * record class that describes their rows.
 *
 * @since 0.1.0
 */
public interface Streams {

	/**
	 * Publishes one event.
	 * @param stream the stream name
	 * @param event field name to value
	 * @return the result, emitted once the row is committed
	 */
	Mono<PublishResult> publish(String stream, Map<String, ?> event);

	/**
	 * Publishes a batch atomically: every event is stored, or none.
	 * @param stream the stream name
	 * @param events the events, at least one
	 * @return the result, emitted once the rows are committed
	 */
	Mono<PublishResult> publish(String stream, List<? extends Map<String, ?>> events);

	/**
	 * Publishes a batch with the entry ID it asks for, as Redis' {@code XADD} takes an ID argument: an explicit ID
	 * ({@link NewEntryId#at}, {@link NewEntryId#atMillis}) applies to a batch of exactly one event and must be
	 * greater than the stream's last ID, or the publish fails with {@link InvalidRequestException} and nothing is
	 * stored.
	 * @param stream the stream name
	 * @param events the events
	 * @param id the entry ID asked for
	 * @return the result, emitted once the rows are committed
	 */
	Mono<PublishResult> publish(String stream, List<? extends Map<String, ?>> events, NewEntryId id);

	/**
	 * Publishes a batch with the entry ID it asks for and waits for the commit; see
	 * {@link #publish(String, List, NewEntryId)}.
	 * @param stream the stream name
	 * @param events the events
	 * @param id the entry ID asked for
	 * @return the result
	 */
	PublishResult publishBlocking(String stream, List<? extends Map<String, ?>> events, NewEntryId id);

	/**
	 * Publishes a {@code @Stream}-annotated record to its stream.
	 * @param event the record
	 * @return the result, emitted once the row is committed
	 */
	Mono<PublishResult> publish(Object event);

	/**
	 * Publishes records of one {@code @Stream}-annotated class atomically.
	 * @param events the records, at least one
	 * @return the result, emitted once the rows are committed
	 */
	Mono<PublishResult> publishAll(Collection<?> events);

	/**
	 * Publishes one event and waits for the commit.
	 * @param stream the stream name
	 * @param event field name to value
	 * @return the result
	 */
	PublishResult publishBlocking(String stream, Map<String, ?> event);

	/**
	 * Publishes a batch atomically and waits for the commit.
	 * @param stream the stream name
	 * @param events the events, at least one
	 * @return the result
	 */
	PublishResult publishBlocking(String stream, List<? extends Map<String, ?>> events);

	/**
	 * Publishes a {@code @Stream}-annotated record and waits for the commit.
	 * @param event the record
	 * @return the result
	 */
	PublishResult publishBlocking(Object event);

	/**
	 * Publishes a batch atomically under an idempotency key: the first publish with the key stores the events and
	 * the key together; a repeat of the key within the stream's idempotency window (24 hours unless configured
	 * otherwise) stores nothing and is answered with the original result, the same publish id and rowids. Repeats
	 * sent at once, from any instance sharing the database, store the events once. A publish that fails stores no
	 * key, so it may be retried with the same key. Keyed publishes run as transactions rather than through the
	 * group commit, and cost more than unkeyed ones.
	 * @param stream the stream name
	 * @param events the events, at least one
	 * @param idempotencyKey the key, 1 to {@value #MAX_IDEMPOTENCY_KEY_LENGTH} characters, per stream
	 * @return the result, emitted once the rows are committed or the stored result is read
	 * @throws IdempotencyKeyReusedException (emitted) when the key was stored for other events
	 * @since 0.3.0
	 */
	default Mono<PublishResult> publish(String stream, List<? extends Map<String, ?>> events, String idempotencyKey) {
		return publishIdempotent(stream, events, idempotencyKey).map(IdempotentPublish::result);
	}

	/**
	 * Publishes a batch under an idempotency key, as {@link #publish(String, List, String)} does, and waits for it.
	 * @param stream the stream name
	 * @param events the events, at least one
	 * @param idempotencyKey the key, 1 to {@value #MAX_IDEMPOTENCY_KEY_LENGTH} characters, per stream
	 * @return the result, that of the original publish when the key was already stored
	 * @throws IdempotencyKeyReusedException when the key was stored for other events
	 * @since 0.3.0
	 */
	default PublishResult publishBlocking(String stream, List<? extends Map<String, ?>> events,
			String idempotencyKey) {
		return publish(stream, events, idempotencyKey).block();
	}

	/**
	 * Publishes a batch under an idempotency key, as {@link #publish(String, List, String)} does, and says whether
	 * the result is a replay of an earlier publish with the key.
	 * @param stream the stream name
	 * @param events the events, at least one
	 * @param idempotencyKey the key, 1 to {@value #MAX_IDEMPOTENCY_KEY_LENGTH} characters, per stream
	 * @return the result and whether it was replayed
	 * @since 0.3.0
	 */
	default Mono<IdempotentPublish> publishIdempotent(String stream, List<? extends Map<String, ?>> events,
			String idempotencyKey) {
		return Mono.error(new InterlaceException(getClass().getName() + " does not support idempotency keys"));
	}

	/**
	 * Subscribes to events committed from now on. A subscriber that falls further behind than the subscriber buffer
	 * is ended with {@link SubscriberOverflowException}; publishers never wait for it.
	 * @param stream the stream name
	 * @return live events
	 */
	Flux<StoredEvent> subscribe(String stream);

	/**
	 * Replays the stored events after {@code afterRowid}, then continues with live events, with no gap and no
	 * duplicate at the switch. A replay reads its stored events a page at a time as the subscriber takes them, and
	 * counts against the replays that may run at once until it has handed over its last stored event (or the
	 * subscriber cancelled or failed): beyond them the subscription fails at once with
	 * {@link ReplayLimitException}.
	 * @param stream the stream name
	 * @param afterRowid the last rowid already seen
	 * @return stored, then live events
	 */
	Flux<StoredEvent> subscribe(String stream, long afterRowid);

	/**
	 * Subscribes to live events in batches.
	 * @param stream the stream name
	 * @param options batch size, timeout for partial batches and filter
	 * @return batches of live events, never empty
	 */
	Flux<List<StoredEvent>> subscribe(String stream, SubscribeOptions options);

	/**
	 * Subscribes to live events of a {@code @Stream}-annotated record class, converted to that class.
	 * @param <T> the record type
	 * @param type the record class
	 * @return live events as records
	 */
	<T> Flux<T> subscribe(Class<T> type);

	/**
	 * Returns up to {@code batchSize} events after the consumer's cursor without moving it. An implementation may
	 * also bound a batch by size, returning fewer events ({@link ConsumedBatch#truncated()}), but returns at least one
	 * when any is waiting.
	 * @param stream the stream name
	 * @param consumer the consumer name
	 * @param batchSize the most events returned, 1 to {@value #MAX_BATCH_SIZE}
	 * @return the events
	 */
	ConsumedBatch consume(String stream, String consumer, int batchSize);

	/**
	 * Returns up to {@value #DEFAULT_BATCH_SIZE} events after the consumer's cursor without moving it.
	 * @param stream the stream name
	 * @param consumer the consumer name
	 * @return the events
	 */
	default ConsumedBatch consume(String stream, String consumer) {
		return consume(stream, consumer, DEFAULT_BATCH_SIZE);
	}

	/**
	 * Returns up to {@code batchSize} events of a {@code @Stream}-annotated record class after the consumer's cursor,
	 * converted to that class, without moving the cursor. Bounded by size like {@link #consume(String, String, int)}.
	 * @param <T> the record type
	 * @param type the record class
	 * @param consumer the consumer name
	 * @param batchSize the most events returned
	 * @return the events as records, with their rowids
	 */
	<T> List<Consumed<T>> consume(Class<T> type, String consumer, int batchSize);

	/**
	 * Moves the consumer's cursor to the highest rowid among {@code events}; never backwards. With no events, as a
	 * worker acknowledging an empty consume does, nothing changes and nothing is stored: the current cursor is
	 * returned, 0 for a consumer that never acknowledged.
	 * @param stream the stream name
	 * @param consumer the consumer name
	 * @param events events previously consumed, possibly none
	 * @return the cursor after the acknowledgement
	 * @throws ConsumerLimitException when the consumer is new and the stream has as many consumers as allowed
	 */
	long ack(String stream, String consumer, Collection<StoredEvent> events);

	/**
	 * Moves the consumer's cursor to {@code rowid}; never backwards. The first acknowledgement of a consumer creates
	 * its cursor, unless the stream has as many consumers as allowed.
	 * @param stream the stream name
	 * @param consumer the consumer name
	 * @param rowid the highest rowid processed
	 * @return the cursor after the acknowledgement
	 * @throws ConsumerLimitException when the consumer is new and the stream has as many consumers as allowed
	 */
	long ack(String stream, String consumer, long rowid);

	/**
	 * Returns the consumer's cursor without changing anything.
	 * @param stream the stream name
	 * @param consumer the consumer name
	 * @return the highest rowid it acknowledged, 0 when it never did
	 */
	long cursor(String stream, String consumer);

	/**
	 * Deletes a consumer: its cursor goes, so it no longer counts against the stream's consumers, and a consumer of
	 * that name starts again from the oldest row kept.
	 * @param stream the stream name
	 * @param consumer the consumer name
	 * @return whether the consumer existed (had acknowledged at least once)
	 */
	boolean deleteConsumer(String stream, String consumer);

	/**
	 * Returns the definitions of every stream, in name order.
	 * @return the definitions
	 */
	List<StreamDefinition> definitions();

	/**
	 * Returns a stream's definition.
	 * @param stream the stream name
	 * @return the definition
	 * @throws StreamNotFoundException when there is no such stream
	 */
	StreamDefinition definition(String stream);

	/**
	 * Returns how many rows a stream holds.
	 * @param stream the stream name
	 * @return the row count
	 */
	long count(String stream);

	/** Batch size of {@link #consume(String, String)}. */
	int DEFAULT_BATCH_SIZE = 100;

	/** Largest batch size a consume accepts. */
	int MAX_BATCH_SIZE = 10_000;

	/**
	 * Longest consumer name accepted, in characters: cursors are keyed by it, and PostgreSQL caps the size of an
	 * index entry.
	 */
	int MAX_CONSUMER_NAME_LENGTH = 200;

	/**
	 * Longest idempotency key accepted, in characters: keys are stored in a primary key, and PostgreSQL caps the
	 * size of an index entry.
	 */
	int MAX_IDEMPOTENCY_KEY_LENGTH = 200;

	/**
	 * A consumed record and its position.
	 *
	 * @param <T> the record type
	 * @param rowid the event's rowid, to acknowledge
	 * @param value the record
	 */
	record Consumed<T>(long rowid, T value) {
	}

}
