package dev.interlace.core.engine;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.Exceptions;
import reactor.core.publisher.BufferOverflowStrategy;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.concurrent.Queues;

import dev.interlace.core.ConsumedBatch;
import dev.interlace.core.ConsumerLimitException;
import dev.interlace.core.IdempotentPublish;
import dev.interlace.core.InterlaceException;
import dev.interlace.core.InvalidEventException;
import dev.interlace.core.InvalidRequestException;
import dev.interlace.core.PublishResult;
import dev.interlace.core.ReplayLimitException;
import dev.interlace.core.StoredEvent;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.StreamNotFoundException;
import dev.interlace.core.Streams;
import dev.interlace.core.SubscribeOptions;
import dev.interlace.core.SubscriberOverflowException;
import dev.interlace.core.NewEntryId;
import dev.interlace.core.store.CommitListener;
import dev.interlace.core.store.CursorStore;
import dev.interlace.core.store.DatabaseStores;
import dev.interlace.core.store.StoreTransactions;
import dev.interlace.core.store.StreamStore;
import dev.interlace.core.store.support.EventConverter;

/**
 * The {@link Streams} implementation over one or more {@link StreamStore stores}.
 * <p>
 * Live events come only from the stores' commit listeners, fed into one multicast sink per stream. Each subscriber
 * gets a bounded buffer of {@code subscriberBufferSize} events; when it overflows the subscriber is ended with
 * {@link SubscriberOverflowException}, so a slow subscriber never holds up publishers, the writer or other
 * subscribers. Subscriber code runs on the {@code subscriberScheduler}, never on a store's writer thread.
 * <p>
 * A consume returns at most its batch size of events and stops before the event that would take their estimated JSON
 * size past {@code consumeMaxBytes}, as Kafka's {@code fetch.max.bytes} does, but always returns the first event
 * waiting, however large, so that no event can block a consumer. Sizes are {@link JsonSizes estimates}: upper bounds
 * of the JSON of {@link StoredEvent#toRowWithId()}. It reads the store in pages that shrink to what the rest of the
 * budget is expected to hold, so memory stays near the budget too.
 *
 * @since 0.1.0
 */
public final class DefaultStreams implements Streams {

	/** Subscriber buffer size used when none is given. */
	public static final int DEFAULT_SUBSCRIBER_BUFFER_SIZE = 10_000;

	/** Byte budget of a consume used when none is given: 16 MiB. */
	public static final long DEFAULT_CONSUME_MAX_BYTES = 16L * 1024 * 1024;

	/**
	 * Replays running at once used when none is given. A replay reads at most two pages of
	 * {@value #REPLAY_PAGE_SIZE} events ahead of its subscriber, so together they hold at most
	 * {@code 2 x 1,000 x 128} = 256,000 events however slowly their subscribers read.
	 */
	public static final int DEFAULT_MAX_CONCURRENT_REPLAYS = 128;

	/** Consumers (cursors) a stream may have, used when none is given. */
	public static final int DEFAULT_MAX_CONSUMERS_PER_STREAM = 1_000;

	/** How long an idempotency key is remembered when its stream sets no window: 24 hours. */
	public static final Duration DEFAULT_IDEMPOTENCY_WINDOW = Duration.ofHours(24);

	/** Events a replay reads per query. */
	public static final int REPLAY_PAGE_SIZE = 1_000;

	private static final int CONSUME_PAGE_SIZE = 100;

	private final Map<String, Registered> streams;

	private final ConcurrentMap<String, Sinks.Many<StoredEvent>> sinks = new ConcurrentHashMap<>();

	private final int subscriberBufferSize;

	private final Scheduler subscriberScheduler;

	private final ReadRetry readRetry;

	private final long consumeMaxBytes;

	private final int maxConcurrentReplays;

	private final Semaphore replays;

	private final int maxConsumersPerStream;

	private final ConcurrentMap<String, Duration> idempotencyWindows = new ConcurrentHashMap<>();

	private volatile Clock idempotencyClock = Clock.systemUTC();

	/**
	 * Creates the API over the given streams, ensuring each in its store.
	 * @param definitions the streams
	 * @param stores stores by connection name
	 */
	public DefaultStreams(Collection<StreamDefinition> definitions, Map<String, ? extends StreamStore> stores) {
		this(definitions, stores, DEFAULT_SUBSCRIBER_BUFFER_SIZE, Schedulers.boundedElastic());
	}

	/**
	 * Creates the API over the given streams, ensuring each in its store.
	 * @param definitions the streams
	 * @param stores stores by connection name
	 * @param subscriberBufferSize events a live subscriber may fall behind before it is disconnected
	 * @param subscriberScheduler where subscriber code runs
	 */
	public DefaultStreams(Collection<StreamDefinition> definitions, Map<String, ? extends StreamStore> stores,
			int subscriberBufferSize, Scheduler subscriberScheduler) {
		this(definitions, stores, subscriberBufferSize, subscriberScheduler, ReadRetry.DEFAULTS);
	}

	/**
	 * Creates the API over the given streams, ensuring each in its store.
	 * @param definitions the streams
	 * @param stores stores by connection name
	 * @param subscriberBufferSize events a live subscriber may fall behind before it is disconnected
	 * @param subscriberScheduler where subscriber code runs
	 * @param readRetry how consumes and replays retry reads that hit a transient connection failure
	 */
	public DefaultStreams(Collection<StreamDefinition> definitions, Map<String, ? extends StreamStore> stores,
			int subscriberBufferSize, Scheduler subscriberScheduler, ReadRetry readRetry) {
		this(definitions, stores, subscriberBufferSize, subscriberScheduler, readRetry, DEFAULT_CONSUME_MAX_BYTES);
	}

	/**
	 * Creates the API over the given streams, ensuring each in its store.
	 * @param definitions the streams
	 * @param stores stores by connection name
	 * @param subscriberBufferSize events a live subscriber may fall behind before it is disconnected
	 * @param subscriberScheduler where subscriber code runs
	 * @param readRetry how consumes and replays retry reads that hit a transient connection failure
	 * @param consumeMaxBytes estimated JSON bytes of events a consume returns at most, unless its first event alone
	 * is larger
	 */
	public DefaultStreams(Collection<StreamDefinition> definitions, Map<String, ? extends StreamStore> stores,
			int subscriberBufferSize, Scheduler subscriberScheduler, ReadRetry readRetry, long consumeMaxBytes) {
		this(definitions, stores, subscriberBufferSize, subscriberScheduler, readRetry, consumeMaxBytes,
				DEFAULT_MAX_CONCURRENT_REPLAYS, DEFAULT_MAX_CONSUMERS_PER_STREAM);
	}

	/**
	 * Creates the API over the given streams, ensuring each in its store.
	 * @param definitions the streams
	 * @param stores stores by connection name
	 * @param subscriberBufferSize events a live subscriber may fall behind before it is disconnected
	 * @param subscriberScheduler where subscriber code runs
	 * @param readRetry how consumes and replays retry reads that hit a transient connection failure
	 * @param consumeMaxBytes estimated JSON bytes of events a consume returns at most, unless its first event alone
	 * is larger
	 * @param maxConcurrentReplays replays that may run at once, across all streams; a subscription with a replay
	 * beyond them fails with {@link ReplayLimitException}
	 * @param maxConsumersPerStream consumers (cursors) a stream may have; the first acknowledgement of a consumer
	 * beyond them fails with {@link ConsumerLimitException}
	 */
	public DefaultStreams(Collection<StreamDefinition> definitions, Map<String, ? extends StreamStore> stores,
			int subscriberBufferSize, Scheduler subscriberScheduler, ReadRetry readRetry, long consumeMaxBytes,
			int maxConcurrentReplays, int maxConsumersPerStream) {
		if (maxConcurrentReplays < 1) {
			throw new IllegalArgumentException("maxConcurrentReplays must be positive, was " + maxConcurrentReplays);
		}
		if (maxConsumersPerStream < 1) {
			throw new IllegalArgumentException("maxConsumersPerStream must be positive, was " + maxConsumersPerStream);
		}
		this.maxConcurrentReplays = maxConcurrentReplays;
		this.replays = new Semaphore(maxConcurrentReplays);
		this.maxConsumersPerStream = maxConsumersPerStream;
		this.readRetry = readRetry;
		if (subscriberBufferSize < 1) {
			throw new IllegalArgumentException("subscriberBufferSize must be positive, was " + subscriberBufferSize);
		}
		if (consumeMaxBytes < 1) {
			throw new IllegalArgumentException("consumeMaxBytes must be positive, was " + consumeMaxBytes);
		}
		this.consumeMaxBytes = consumeMaxBytes;
		this.subscriberBufferSize = subscriberBufferSize;
		this.subscriberScheduler = subscriberScheduler;
		Map<String, Registered> streams = new LinkedHashMap<>();
		for (StreamDefinition definition : definitions) {
			StreamStore store = stores.get(definition.connection());
			if (store == null) {
				throw new InterlaceException("Stream '" + definition.name() + "' uses connection '"
						+ definition.connection() + "', which is not configured; configured: " + stores.keySet());
			}
			if (streams.put(definition.name(),
					new Registered(definition, store, DatabaseStores.of(store).cursors())) != null) {
				throw new InterlaceException("Stream '" + definition.name() + "' is declared twice");
			}
		}
		this.streams = streams;
		CommitListener listener = new SinkFeeder();
		stores.values().stream().distinct().forEach((store) -> store.addCommitListener(listener));
		streams.values().forEach((registered) -> registered.store.ensureStream(registered.definition));
	}

	@Override
	public Mono<PublishResult> publish(String stream, Map<String, ?> event) {
		return publish(stream, List.of(requireEvent(stream, event)));
	}

	@Override
	public Mono<PublishResult> publish(String stream, List<? extends Map<String, ?>> events) {
		return Mono.defer(() -> {
			Registered registered = registered(stream);
			List<? extends Map<String, ?>> checked = EventConverter.requireEvents(stream, events);
			// Converting and queueing never block (a full queue fails fast), so this runs on the caller's thread,
			// event loops included; the store completes the future off its writer thread.
			return Mono.fromFuture(registered.store.append(stream, checked));
		});
	}

	@Override
	public Mono<PublishResult> publish(String stream, List<? extends Map<String, ?>> events, NewEntryId id) {
		return Mono.defer(() -> {
			Registered registered = registered(stream);
			List<? extends Map<String, ?>> checked = EventConverter.requireEvents(stream, events);
			return Mono.fromFuture(registered.store.append(stream, checked, id));
		});
	}

	@Override
	public PublishResult publishBlocking(String stream, List<? extends Map<String, ?>> events, NewEntryId id) {
		Registered registered = registered(stream);
		return registered.store.appendAndWait(stream, EventConverter.requireEvents(stream, events), id);
	}

	@Override
	public Mono<PublishResult> publish(Object event) {
		return publish(StreamRecords.streamName(event.getClass()), StreamRecords.toEvent(event));
	}

	@Override
	public Mono<PublishResult> publishAll(Collection<?> events) {
		return Mono.defer(() -> publish(streamOf(events), toEvents(events)));
	}

	@Override
	public PublishResult publishBlocking(String stream, Map<String, ?> event) {
		return publishBlocking(stream, List.of(requireEvent(stream, event)));
	}

	@Override
	public PublishResult publishBlocking(String stream, List<? extends Map<String, ?>> events) {
		Registered registered = registered(stream);
		return registered.store.appendAndWait(stream, EventConverter.requireEvents(stream, events));
	}

	@Override
	public PublishResult publishBlocking(Object event) {
		return publishBlocking(StreamRecords.streamName(event.getClass()), StreamRecords.toEvent(event));
	}

	@Override
	public Mono<IdempotentPublish> publishIdempotent(String stream, List<? extends Map<String, ?>> events,
			String idempotencyKey) {
		// A transaction blocks on the database (and on DuckDB's writer): never on the caller's thread, which may be
		// an event loop.
		return Mono.fromCallable(() -> publishIdempotentBlocking(stream, events, idempotencyKey))
			.subscribeOn(Schedulers.boundedElastic());
	}

	@Override
	public PublishResult publishBlocking(String stream, List<? extends Map<String, ?>> events,
			String idempotencyKey) {
		return publishIdempotentBlocking(stream, events, idempotencyKey).result();
	}

	/**
	 * Publishes under an idempotency key, as {@link #publishIdempotent(String, List, String)} does, on the caller's
	 * thread: it blocks on the database.
	 * @param stream the stream name
	 * @param events the events, at least one
	 * @param idempotencyKey the key
	 * @return the result and whether it was replayed
	 */
	public IdempotentPublish publishIdempotentBlocking(String stream, List<? extends Map<String, ?>> events,
			String idempotencyKey) {
		Registered registered = registered(stream);
		IdempotencyKeys.requireKey(idempotencyKey);
		List<? extends Map<String, ?>> checked = EventConverter.requireEvents(stream, events);
		Instant now = this.idempotencyClock.instant();
		return IdempotencyKeys.publish(registered.transactions(), stream, checked, idempotencyKey, now,
				now.minus(idempotencyWindow(stream)));
	}

	/**
	 * Says what is wrong with an idempotency key, or {@code null} when nothing is: a key has 1 to
	 * {@value Streams#MAX_IDEMPOTENCY_KEY_LENGTH} characters, not all blank, none of them U+0000 or a lone surrogate.
	 * For callers that check a key before they have its events, such as a server reading a header.
	 * @param idempotencyKey the key
	 * @return the problem, phrased to follow the key's name ("must not be empty")
	 */
	public static @Nullable String idempotencyKeyProblem(@Nullable String idempotencyKey) {
		return IdempotencyKeys.problem(idempotencyKey);
	}

	/**
	 * Sets how long a stream's idempotency keys are remembered: a repeat of a key stored longer ago stores its events
	 * again, and the key's expired row may be deleted by {@link #deleteExpiredIdempotencyKeys(String, int)}.
	 * @param stream the stream
	 * @param window the window, positive
	 * @return this
	 */
	public DefaultStreams idempotencyWindow(String stream, Duration window) {
		registered(stream);
		if (window.isNegative() || window.isZero()) {
			throw new IllegalArgumentException("idempotency window of '" + stream + "' must be positive, was " + window);
		}
		this.idempotencyWindows.put(stream, window);
		return this;
	}

	/**
	 * Returns how long a stream's idempotency keys are remembered.
	 * @param stream the stream
	 * @return the window, {@link #DEFAULT_IDEMPOTENCY_WINDOW} unless set
	 */
	public Duration idempotencyWindow(String stream) {
		return this.idempotencyWindows.getOrDefault(stream, DEFAULT_IDEMPOTENCY_WINDOW);
	}

	/**
	 * Sets the clock idempotency keys are stored and expired by, for tests that move time.
	 * @param clock the clock
	 */
	public void setIdempotencyClock(Clock clock) {
		this.idempotencyClock = clock;
	}

	/**
	 * Deletes a stream's idempotency keys older than its window, a batch per transaction.
	 * @param stream the stream
	 * @param batchRows most keys deleted per transaction
	 * @return keys deleted; 0 when the stream's store offers no transactions, so holds no keys
	 */
	public long deleteExpiredIdempotencyKeys(String stream, int batchRows) {
		if (batchRows < 1) {
			throw new IllegalArgumentException("batchRows must be positive, was " + batchRows);
		}
		Registered registered = registered(stream);
		StoreTransactions transactions = DatabaseStores.of(registered.store).transactions();
		if (transactions == null) {
			return 0;
		}
		Instant cutoff = this.idempotencyClock.instant().minus(idempotencyWindow(stream));
		return IdempotencyKeys.deleteExpired(transactions, stream, cutoff, batchRows);
	}

	@Override
	public Flux<StoredEvent> subscribe(String stream) {
		return subscribe(stream, this.subscriberScheduler);
	}

	/**
	 * Subscribes to events committed from now on, like {@link #subscribe(String)}, but delivers them on the given
	 * scheduler rather than the subscriber scheduler: for a subscriber that never blocks and has a thread of its
	 * own, such as a server connection's event loop, which then writes each event without another hop.
	 * @param stream the stream
	 * @param deliverOn where the subscriber's code runs
	 * @return the events
	 */
	public Flux<StoredEvent> subscribe(String stream, Scheduler deliverOn) {
		registered(stream);
		return live(stream, 0, deliverOn);
	}

	@Override
	public Flux<StoredEvent> subscribe(String stream, long afterRowid) {
		return subscribe(stream, afterRowid, this.subscriberScheduler);
	}

	/**
	 * Replays the stored events after a rowid, then continues live, like {@link #subscribe(String, long)}, but
	 * delivers live events on the given scheduler; see {@link #subscribe(String, Scheduler)}.
	 * @param stream the stream
	 * @param afterRowid the rowid to resume after
	 * @param deliverOn where the subscriber's code runs for live events
	 * @return the events
	 */
	public Flux<StoredEvent> subscribe(String stream, long afterRowid, Scheduler deliverOn) {
		Registered registered = registered(stream);
		return Flux.defer(() -> {
			// The permit is held from here until the replay has handed over its last stored event, or the
			// subscriber left or failed: a replay waiting for a subscriber that does not read holds its pages, so it
			// counts as running.
			ReplayPermit permit = new ReplayPermit(stream);
			Flux<StoredEvent> subscription;
			try {
				subscription = replayThenLive(registered, stream, afterRowid, deliverOn, permit);
			}
			catch (RuntimeException ex) {
				permit.release();
				throw ex;
			}
			return subscription.doFinally((signal) -> permit.release());
		});
	}

	private Flux<StoredEvent> replayThenLive(Registered registered, String stream, long afterRowid,
			Scheduler deliverOn, ReplayPermit permit) {
		// Join the live sink before reading, and hold its events while the replay runs: an event committed
		// meanwhile is then either in the replay, in the held events, or both; the rowid watermark drops the
		// duplicates. Holding is bounded like any subscriber buffer.
		Sinks.Many<StoredEvent> held = Sinks.many()
			.unicast()
			.onBackpressureBuffer(Queues.<StoredEvent>get(this.subscriberBufferSize).get());
		Disposable live = live(stream, afterRowid, deliverOn).subscribe((event) -> {
			if (held.tryEmitNext(event).isFailure()) {
				held.tryEmitError(new SubscriberOverflowException(stream, this.subscriberBufferSize, afterRowid));
			}
		}, held::tryEmitError);
		// One page at a time, each read only when the subscriber has started on the one before: with the page
		// being handed out and the next one waiting, a replay holds at most two pages whatever its subscriber
		// does. Nothing after it (concat, filter) buffers.
		Flux<StoredEvent> replay = Flux.<List<StoredEvent>, Long>generate(() -> afterRowid, (after, sink) -> {
			List<StoredEvent> page = this.readRetry
				.run(() -> registered.store.readAfter(stream, after, REPLAY_PAGE_SIZE));
			if (page.isEmpty()) {
				sink.complete();
				return after;
			}
			sink.next(page);
			return page.get(page.size() - 1).rowid();
		})
			.concatMapIterable((page) -> page, 1)
			.subscribeOn(Schedulers.boundedElastic())
			.doFinally((signal) -> permit.release());
		AtomicLong watermark = new AtomicLong(afterRowid);
		return Flux.concat(replay, held.asFlux())
			.filter((event) -> event.rowid() > watermark.get())
			.doOnNext((event) -> watermark.set(event.rowid()))
			// Whichever buffer overflowed, name the last rowid this subscriber was actually given.
			.onErrorMap(SubscriberOverflowException.class,
					(ex) -> new SubscriberOverflowException(stream, this.subscriberBufferSize, watermark.get()))
			.doFinally((signal) -> live.dispose());
	}

	/**
	 * Returns how many replays are running: subscriptions from a rowid whose stored events have not all been handed
	 * to their subscriber yet.
	 * @return the count
	 */
	public int activeReplays() {
		return this.maxConcurrentReplays - this.replays.availablePermits();
	}

	/**
	 * Returns the most replays that may run at once.
	 * @return the limit
	 */
	public int maxConcurrentReplays() {
		return this.maxConcurrentReplays;
	}

	/**
	 * Returns the most consumers (cursors) a stream may have.
	 * @return the limit
	 */
	public int maxConsumersPerStream() {
		return this.maxConsumersPerStream;
	}

	@Override
	public Flux<List<StoredEvent>> subscribe(String stream, SubscribeOptions options) {
		return subscribe(stream).filter(options.filter()).bufferTimeout(options.batchSize(), options.timeout());
	}

	@Override
	public <T> Flux<T> subscribe(Class<T> type) {
		return subscribe(StreamRecords.streamName(type)).map((event) -> StreamRecords.fromEvent(event, type));
	}

	@Override
	public ConsumedBatch consume(String stream, String consumer, int batchSize) {
		Registered registered = registered(stream);
		requireConsumer(consumer);
		if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
			throw new InvalidRequestException("batch_size must be between 1 and " + MAX_BATCH_SIZE + ", was " + batchSize);
		}
		long cursor = this.readRetry.run(() -> registered.cursors().readCursor(stream, consumer));
		List<StoredEvent> events = new ArrayList<>(Math.min(batchSize, CONSUME_PAGE_SIZE));
		long bytes = 0;
		long largest = 0;
		// After retention trimmed the rows at the cursor, rowid > cursor starts at the oldest row kept.
		long after = cursor;
		while (events.size() < batchSize) {
			int pageSize = consumePageSize(batchSize - events.size(), this.consumeMaxBytes - bytes, largest);
			long from = after;
			List<StoredEvent> page = this.readRetry.run(() -> registered.store.readAfter(stream, from, pageSize));
			for (StoredEvent event : page) {
				long size = JsonSizes.of(event);
				if (!events.isEmpty() && bytes + size > this.consumeMaxBytes) {
					return new ConsumedBatch(stream, consumer, events, cursor, true);
				}
				events.add(event);
				bytes += size;
				largest = Math.max(largest, size);
			}
			if (page.size() < pageSize) {
				break;
			}
			after = page.get(page.size() - 1).rowid();
		}
		return new ConsumedBatch(stream, consumer, events, cursor, false);
	}

	/**
	 * Rows to read next: no more than the batch still takes, and about as many of the largest events seen so far as
	 * the rest of the budget holds. With the budget spent this is one row, read only to tell a batch cut by size
	 * from a stream that ran out.
	 */
	private static int consumePageSize(int remaining, long remainingBytes, long largest) {
		int pageSize = Math.min(remaining, CONSUME_PAGE_SIZE);
		if (largest > 0) {
			pageSize = (int) Math.min(pageSize, Math.max(remainingBytes, 0) / largest + 1);
		}
		return pageSize;
	}

	@Override
	public <T> List<Consumed<T>> consume(Class<T> type, String consumer, int batchSize) {
		ConsumedBatch batch = consume(StreamRecords.streamName(type), consumer, batchSize);
		List<Consumed<T>> consumed = new ArrayList<>(batch.count());
		for (StoredEvent event : batch.events()) {
			consumed.add(new Consumed<>(event.rowid(), StreamRecords.fromEvent(event, type)));
		}
		return consumed;
	}

	@Override
	public long ack(String stream, String consumer, Collection<StoredEvent> events) {
		if (events.isEmpty()) {
			return cursor(stream, consumer);
		}
		long highest = events.stream().mapToLong(StoredEvent::rowid).max().getAsLong();
		return ack(stream, consumer, highest);
	}

	@Override
	public long ack(String stream, String consumer, long rowid) {
		Registered registered = registered(stream);
		requireConsumer(consumer);
		return registered.cursors().commitCursor(stream, consumer, rowid, this.maxConsumersPerStream);
	}

	@Override
	public long cursor(String stream, String consumer) {
		Registered registered = registered(stream);
		requireConsumer(consumer);
		return this.readRetry.run(() -> registered.cursors().readCursor(stream, consumer));
	}

	@Override
	public boolean deleteConsumer(String stream, String consumer) {
		Registered registered = registered(stream);
		requireConsumer(consumer);
		return registered.cursors().deleteCursor(stream, consumer);
	}

	@Override
	public List<StreamDefinition> definitions() {
		return this.streams.values()
			.stream()
			.map((registered) -> registered.definition)
			.sorted(Comparator.comparing(StreamDefinition::name))
			.toList();
	}

	@Override
	public StreamDefinition definition(String stream) {
		return registered(stream).definition;
	}

	@Override
	public long count(String stream) {
		return registered(stream).store.describe(stream).rowCount();
	}

	/**
	 * Returns the estimated JSON bytes of events a consume returns at most, unless its first event alone is larger.
	 * @return the byte budget
	 */
	public long consumeMaxBytes() {
		return this.consumeMaxBytes;
	}

	/**
	 * Returns the store holding a stream, for callers that need more than this API (descriptions, retention).
	 * @param stream the stream
	 * @return the store
	 */
	public StreamStore store(String stream) {
		return registered(stream).store;
	}

	/**
	 * Returns how many live subscribers a stream has.
	 * @param stream the stream
	 * @return the count
	 */
	public int subscriberCount(String stream) {
		Sinks.Many<StoredEvent> sink = this.sinks.get(stream);
		return (sink != null) ? sink.currentSubscriberCount() : 0;
	}

	private Flux<StoredEvent> live(String stream, long afterRowid, Scheduler deliverOn) {
		AtomicLong lastDelivered = new AtomicLong(afterRowid);
		return sink(stream).asFlux()
			.onBackpressureBuffer(this.subscriberBufferSize, BufferOverflowStrategy.ERROR)
			.onErrorMap(Exceptions::isOverflow,
					(ex) -> new SubscriberOverflowException(stream, this.subscriberBufferSize, lastDelivered.get()))
			.publishOn(deliverOn, false, 256)
			.doOnNext((event) -> lastDelivered.set(event.rowid()));
	}

	private Sinks.Many<StoredEvent> sink(String stream) {
		// Best effort per subscriber: one subscriber's full buffer never stops delivery to the others.
		return this.sinks.computeIfAbsent(stream, (key) -> Sinks.many().multicast().directBestEffort());
	}

	private Registered registered(String stream) {
		requireName(stream, "stream");
		Registered registered = this.streams.get(stream);
		if (registered == null) {
			throw new StreamNotFoundException(stream);
		}
		return registered;
	}

	private static void requireName(String name, String what) {
		if (name == null || name.isBlank()) {
			throw new InvalidRequestException(what + " name must not be blank");
		}
	}

	private static void requireConsumer(String consumer) {
		requireName(consumer, "consumer");
		if (consumer.length() > MAX_CONSUMER_NAME_LENGTH) {
			throw new InvalidRequestException("consumer name must be at most " + MAX_CONSUMER_NAME_LENGTH
					+ " characters, was " + consumer.length());
		}
		String problem = EventConverter.textProblem(consumer);
		if (problem != null) {
			throw new InvalidRequestException("consumer name" + problem);
		}
	}

	private static Map<String, ?> requireEvent(String stream, Map<String, ?> event) {
		if (event == null) {
			throw new InvalidEventException(stream, 0, null, "is null; expected a JSON object");
		}
		return event;
	}

	private static String streamOf(Collection<?> events) {
		if (events.isEmpty()) {
			throw new InvalidRequestException("publishAll needs at least one event");
		}
		Class<?> type = events.iterator().next().getClass();
		for (Object event : events) {
			if (event.getClass() != type) {
				throw new InvalidRequestException("publishAll needs events of one class, got " + type.getName()
						+ " and " + event.getClass().getName());
			}
		}
		return StreamRecords.streamName(type);
	}

	private static List<Map<String, Object>> toEvents(Collection<?> events) {
		return events.stream().map(StreamRecords::toEvent).toList();
	}

	private record Registered(StreamDefinition definition, StreamStore store, @Nullable CursorStore cursorStore) {

		CursorStore cursors() {
			if (this.cursorStore == null) {
				throw new InterlaceException("Stream '" + this.definition.name() + "' is held by a store that keeps no "
						+ "consumer cursors (" + this.store.getClass().getName() + " is no CursorStore)");
			}
			return this.cursorStore;
		}

		StoreTransactions transactions() {
			StoreTransactions transactions = DatabaseStores.of(this.store).transactions();
			if (transactions == null) {
				throw new InterlaceException("Stream '" + this.definition.name() + "' is held by a store that offers no "
						+ "transactions, which idempotency keys need (" + this.store.getClass().getName()
						+ " is no StoreTransactions)");
			}
			return transactions;
		}

	}

	/** One of the replay permits, taken when created and given back once, however often it is released. */
	private final class ReplayPermit {

		private final AtomicBoolean held = new AtomicBoolean(true);

		ReplayPermit(String stream) {
			if (!DefaultStreams.this.replays.tryAcquire()) {
				throw new ReplayLimitException(stream, DefaultStreams.this.maxConcurrentReplays);
			}
		}

		void release() {
			if (this.held.compareAndSet(true, false)) {
				DefaultStreams.this.replays.release();
			}
		}

	}

	/** Feeds committed events into the per-stream sinks; runs on a store's thread (writer or delivery). */
	private final class SinkFeeder implements CommitListener {

		@Override
		public boolean wants(String stream) {
			Sinks.Many<StoredEvent> sink = DefaultStreams.this.sinks.get(stream);
			return sink != null && sink.currentSubscriberCount() > 0;
		}

		@Override
		public void committed(String stream, List<StoredEvent> events) {
			Sinks.Many<StoredEvent> sink = DefaultStreams.this.sinks.get(stream);
			if (sink == null) {
				return;
			}
			for (StoredEvent event : events) {
				// Each store calls its listener from one thread at a time, so emissions into a sink never race.
				sink.tryEmitNext(event);
			}
		}

	}

}
