package dev.interlace.core.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Deque;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import dev.interlace.core.InvalidRequestException;
import dev.interlace.core.StoredEvent;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.StreamNotFoundException;
import dev.interlace.core.group.AutoClaimResult;
import dev.interlace.core.group.ClaimOptions;
import dev.interlace.core.group.ClaimResult;
import dev.interlace.core.group.ConsumerGroups;
import dev.interlace.core.group.ConsumerInfo;
import dev.interlace.core.group.DeadLetters;
import dev.interlace.core.EntryId;
import dev.interlace.core.group.GroupDelivery;
import dev.interlace.core.group.GroupEntry;
import dev.interlace.core.group.GroupExistsException;
import dev.interlace.core.group.GroupInfo;
import dev.interlace.core.group.GroupSettings;
import dev.interlace.core.group.GroupsUnsupportedException;
import dev.interlace.core.group.GroupStart;
import dev.interlace.core.group.PendingEntry;
import dev.interlace.core.group.PendingQuery;
import dev.interlace.core.group.PendingSummary;
import dev.interlace.core.group.ReadOptions;
import dev.interlace.core.store.CommitListener;
import dev.interlace.core.store.ConsumerGroupStore;
import dev.interlace.core.store.DatabaseStores;
import dev.interlace.core.store.StreamStore;
import dev.interlace.core.store.support.EventConverter;

/**
 * The {@link ConsumerGroups} implementation over the {@link ConsumerGroupStore stores} of a {@link DefaultStreams}'
 * streams.
 * <p>
 * Every store call runs on the {@code blockingScheduler} (Reactor's bounded-elastic one by default), never on the
 * subscriber's thread, which may be an event loop; a call cancelled while it runs is left to finish rather than
 * interrupted, since interrupting JDBC may break the connection (its answer is dropped: entries it delivered stay
 * pending, as after a Redis client that disconnected).
 * <p>
 * A read that finds nothing and may wait joins its group's queue of waiters <em>before</em> it reads, so that a
 * commit landing between the read and the wait still wakes it, and holds no thread while it waits: a waiter is a
 * {@link Sinks.One} and a timer. A commit to a stream wakes the first waiter of each of the stream's groups, as Redis
 * serves blocked clients first come, first served; a woken reader that got entries wakes the next one, since more
 * may be left, and one that got none ends the chain, since the group has nothing more to deliver. A woken reader that
 * is cancelled or fails passes its wake on. So a commit costs each group one read more than it delivers, however many
 * readers wait, and waiters of other streams are never woken. Entries that become deliverable without a commit are
 * found by polling: readers of a group with a claim-idle re-read every half claim-idle (from 100 ms to 5 s), and a
 * nack with a delay wakes the group when the delay is over (in this process; other instances see it at their next
 * commit or poll).
 * @since 0.3.0
 */
public final class DefaultConsumerGroups implements ConsumerGroups {

	/** Suffix of a stream's dead-letter stream. */
	public static final String DEAD_LETTER_SUFFIX = "_dlq";

	private final DefaultStreams streams;

	private final Map<String, ConsumerGroupStore> stores;

	private final Scheduler blockingScheduler;

	private final Scheduler timer;

	/** Waiters by stream, then by group, each group's first come first. */
	private final ConcurrentMap<String, ConcurrentMap<String, Deque<Waiter>>> waiters = new ConcurrentHashMap<>();

	private static final Duration MIN_POLL = Duration.ofMillis(100);

	private static final int DEAD_LETTER_PAGE_SIZE = 1_000;

	private static final int DEAD_LETTER_SCAN_PAGES = 10;

	private static final Duration MAX_POLL = Duration.ofSeconds(5);

	/**
	 * Creates the API over the streams' stores, offloading store calls to Reactor's bounded-elastic scheduler.
	 * @param streams the streams
	 */
	public DefaultConsumerGroups(DefaultStreams streams) {
		this(streams, Schedulers.boundedElastic(), Schedulers.parallel());
	}

	/**
	 * Creates the API over the streams' stores.
	 * @param streams the streams
	 * @param blockingScheduler where store calls run
	 * @param timer where waits time out
	 */
	public DefaultConsumerGroups(DefaultStreams streams, Scheduler blockingScheduler, Scheduler timer) {
		this.streams = streams;
		this.blockingScheduler = blockingScheduler;
		this.timer = timer;
		Map<String, ConsumerGroupStore> stores = new LinkedHashMap<>();
		List<StreamStore> listened = new ArrayList<>();
		for (StreamDefinition definition : streams.definitions()) {
			StreamStore store = streams.store(definition.name());
			ConsumerGroupStore groups = DatabaseStores.of(store).groups();
			if (groups != null) {
				stores.put(definition.name(), groups);
				if (!listened.contains(store)) {
					listened.add(store);
				}
			}
		}
		this.stores = stores;
		CommitListener listener = new WaiterWaker();
		listened.forEach((store) -> store.addCommitListener(listener));
	}

	/**
	 * Returns whether any stream's store offers consumer groups.
	 * @param streams the streams
	 * @return whether groups are available for at least one stream
	 */
	public static boolean available(DefaultStreams streams) {
		return streams.definitions()
			.stream()
			.anyMatch((definition) -> DatabaseStores.of(streams.store(definition.name())).groups() != null);
	}

	@Override
	public Mono<Void> createGroup(String stream, String group, GroupStart start, GroupSettings settings) {
		return call(stream, group, (store) -> {
			store.createGroup(stream, group, start, settings);
			return Boolean.TRUE;
		}).then();
	}

	@Override
	public Mono<Boolean> createGroupIfMissing(String stream, String group, GroupStart start, GroupSettings settings) {
		return call(stream, group, (store) -> {
			try {
				store.createGroup(stream, group, start, settings);
				return true;
			}
			catch (GroupExistsException ex) {
				return false;
			}
		});
	}

	@Override
	public Mono<Void> updateSettings(String stream, String group, GroupSettings settings) {
		return call(stream, group, (store) -> {
			store.updateSettings(stream, group, settings);
			return Boolean.TRUE;
		}).then();
	}

	@Override
	public Mono<Void> setPosition(String stream, String group, GroupStart position, @Nullable Long entriesRead) {
		return call(stream, group, (store) -> {
			if (entriesRead != null && entriesRead < 0) {
				throw new InvalidRequestException("entries_read must be 0 or more, was " + entriesRead);
			}
			store.setPosition(stream, group, position, entriesRead);
			// Readers waiting on the group may have entries to read now (a position set back).
			wakeFirst(stream, group);
			return Boolean.TRUE;
		}).then();
	}

	@Override
	public Mono<Boolean> destroyGroup(String stream, String group) {
		return call(stream, group, (store) -> {
			boolean existed = store.destroyGroup(stream, group);
			// Their next read fails with GroupNotFoundException rather than waiting out the block.
			wakeAll(stream, group);
			return existed;
		});
	}

	@Override
	public Mono<Boolean> createConsumer(String stream, String group, String consumer) {
		return call(stream, group, (store) -> {
			requireName(consumer, "consumer");
			return store.createConsumer(stream, group, consumer);
		});
	}

	@Override
	public Mono<Long> deleteConsumer(String stream, String group, String consumer) {
		return call(stream, group, (store) -> {
			requireName(consumer, "consumer");
			return store.deleteConsumer(stream, group, consumer);
		});
	}

	@Override
	public Mono<List<GroupInfo>> info(String stream) {
		return Mono.defer(() -> {
			ConsumerGroupStore store = store(stream);
			return offload(() -> store.groups(stream));
		});
	}

	@Override
	public Mono<GroupInfo> info(String stream, String group) {
		return call(stream, group, (store) -> store.group(stream, group));
	}

	@Override
	public Mono<List<ConsumerInfo>> consumers(String stream, String group) {
		return call(stream, group, (store) -> store.consumers(stream, group));
	}

	@Override
	public Mono<List<GroupEntry>> read(String stream, String group, String consumer, ReadOptions options) {
		return Mono.defer(() -> {
			ConsumerGroupStore store = store(stream);
			requireName(group, "group");
			requireName(consumer, "consumer");
			Callable<List<GroupEntry>> read = () -> store.readNew(stream, group, consumer, options.count(),
					options.noAck());
			if (options.block().isZero()) {
				return offload(read);
			}
			long deadline = System.nanoTime() + saturatedNanos(options.block());
			Wait wait = new Wait(store, stream, group, read, deadline);
			return attempt(wait, false);
		});
	}

	/**
	 * Reads once, queued as a waiter first; when nothing came and time is left, waits to be woken (or for the poll
	 * interval, or the deadline) and reads again.
	 * @param wait the blocking read
	 * @param owed whether this attempt follows a wake, which it passes on unless its read finds nothing
	 */
	private Mono<List<GroupEntry>> attempt(Wait wait, boolean owed) {
		Waiter waiter = register(wait.stream, wait.group);
		AtomicBoolean answered = new AtomicBoolean();
		return offload(() -> wait.readAndLearnPoll(owed)).flatMap((entries) -> {
			long left = wait.deadline - System.nanoTime();
			if (!entries.isEmpty() || left <= 0) {
				answered.set(true);
				boolean woken = leave(waiter);
				// Entries came, so more may be left for the next waiter; or time ran out with a wake unused.
				if ((!entries.isEmpty() && owed) || woken) {
					wakeFirst(wait.stream, wait.group);
				}
				return Mono.just(entries);
			}
			long timeout = Math.min(left, wait.pollNanos);
			answered.set(true);
			waiter.parked = true;
			return waiter.woken.asMono()
				.timeout(Duration.ofNanos(timeout), Mono.fromSupplier(() -> Boolean.FALSE), this.timer)
				.flatMap((signalled) -> {
					boolean woken = leave(waiter);
					if (!woken && wait.deadline - System.nanoTime() <= 0) {
						return Mono.just(List.<GroupEntry>of());
					}
					return attempt(wait, woken);
				})
				.doOnCancel(() -> {
					if (leave(waiter)) {
						wakeFirst(wait.stream, wait.group);
					}
				});
		}).doOnError((ex) -> abandon(waiter, answered, owed, wait)).doOnCancel(() -> abandon(waiter, answered, owed, wait));
	}

	/** Cancelled or failed before answering: leaves, and passes on a wake the attempt was given. */
	private void abandon(Waiter waiter, AtomicBoolean answered, boolean owed, Wait wait) {
		if (answered.compareAndSet(false, true) && (leave(waiter) || owed)) {
			wakeFirst(wait.stream, wait.group);
		}
	}

	@Override
	public <T> Mono<List<GroupDelivery<T>>> read(Class<T> type, String group, String consumer, ReadOptions options) {
		return Mono.defer(() -> read(StreamRecords.streamName(type), group, consumer, options)).map((entries) -> {
			List<GroupDelivery<T>> deliveries = new ArrayList<>(entries.size());
			for (GroupEntry entry : entries) {
				StoredEvent event = entry.event();
				deliveries.add(new GroupDelivery<>(entry.id(), entry.rowid(),
						(event != null) ? StreamRecords.fromEvent(event, type) : null, entry.deliveryCount()));
			}
			return deliveries;
		});
	}

	@Override
	public Mono<List<GroupEntry>> readPending(String stream, String group, String consumer, EntryId after,
			int count) {
		return call(stream, group, (store) -> {
			requireName(consumer, "consumer");
			requireCount(count);
			return store.readPending(stream, group, consumer, after, count);
		});
	}

	@Override
	public Flux<GroupEntry> consume(String stream, String group, String consumer, int count, Duration block) {
		return Flux.defer(() -> {
			if (block.isZero() || block.isNegative()) {
				throw new InvalidRequestException("consume needs a positive block, was " + block);
			}
			ReadOptions options = new ReadOptions(count, block, false);
			// Each read completes once its entries were all requested: the next read waits for the subscriber.
			return read(stream, group, consumer, options).flatMapIterable((entries) -> entries).repeat();
		});
	}

	@Override
	public Mono<Long> acknowledge(String stream, String group, Collection<EntryId> ids) {
		return call(stream, group, (store) -> {
			requireIds(ids);
			return store.acknowledge(stream, group, List.copyOf(ids));
		});
	}

	@Override
	public Mono<Long> nack(String stream, String group, String consumer, Collection<EntryId> ids, Duration delay) {
		return call(stream, group, (store) -> {
			requireName(consumer, "consumer");
			requireIds(ids);
			if (delay.isNegative()) {
				throw new InvalidRequestException("delay must be zero or more, was " + delay);
			}
			long given = store.nack(stream, group, consumer, List.copyOf(ids), delay.toMillis());
			if (given > 0) {
				// Waiting readers of the group may take them once the delay is over.
				if (delay.isZero()) {
					wakeFirst(stream, group);
				}
				else {
					this.timer.schedule(() -> wakeFirst(stream, group), delay.toMillis(), TimeUnit.MILLISECONDS);
				}
			}
			return given;
		});
	}

	@Override
	public Mono<PendingSummary> pending(String stream, String group) {
		return call(stream, group, (store) -> store.pendingSummary(stream, group));
	}

	@Override
	public Mono<List<PendingEntry>> pending(String stream, String group, PendingQuery query) {
		return call(stream, group, (store) -> {
			requireCount(query.count());
			if (query.consumer() != null) {
				requireName(query.consumer(), "consumer");
			}
			return store.pending(stream, group, query);
		});
	}

	@Override
	public Mono<ClaimResult> claim(String stream, String group, String consumer, Duration minIdle, List<EntryId> ids,
			ClaimOptions options) {
		return call(stream, group, (store) -> {
			requireName(consumer, "consumer");
			requireIds(ids);
			requireNotNegative(minIdle, "min_idle");
			return store.claim(stream, group, consumer, minIdle.toMillis(), List.copyOf(ids), options);
		});
	}

	@Override
	public Mono<AutoClaimResult> autoClaim(String stream, String group, String consumer, Duration minIdle,
			EntryId start, int count, boolean justId) {
		return call(stream, group, (store) -> {
			requireName(consumer, "consumer");
			requireCount(count);
			requireNotNegative(minIdle, "min_idle");
			return store.autoClaim(stream, group, consumer, minIdle.toMillis(), start, count, justId);
		});
	}

	@Override
	public Mono<DeadLetters> deadLetters(String stream, String group, long afterRowid, int count) {
		return call(stream, group, (store) -> {
			requireCount(count);
			if (afterRowid < 0) {
				throw new InvalidRequestException("after must be a rowid, 0 or more, was " + afterRowid);
			}
			store.group(stream, group);
			String deadLetterStream = stream + DEAD_LETTER_SUFFIX;
			StreamStore streamStore = this.streams.store(stream);
			List<StoredEvent> letters = new ArrayList<>();
			long after = afterRowid;
			// The dead letters of every group share one stream: a bounded scan keeps a page's cost bounded.
			for (int page = 0; page < DEAD_LETTER_SCAN_PAGES && letters.size() < count; page++) {
				List<StoredEvent> rows;
				try {
					rows = streamStore.readAfter(deadLetterStream, after, DEAD_LETTER_PAGE_SIZE);
				}
				catch (StreamNotFoundException ex) {
					// No entry went dead yet: the dead-letter stream is created for the first group with a max.
					break;
				}
				for (StoredEvent row : rows) {
					after = row.rowid();
					if (group.equals(row.data().get("group"))) {
						letters.add(row);
						if (letters.size() == count) {
							break;
						}
					}
				}
				if (rows.size() < DEAD_LETTER_PAGE_SIZE) {
					break;
				}
			}
			return new DeadLetters(stream, deadLetterStream, letters, after);
		});
	}

	@Override
	public Mono<Long> redrive(String stream, String group, Collection<EntryId> ids) {
		return call(stream, group, (store) -> {
			requireIds(ids);
			// Unknown groups are told apart, as on every other call of a group.
			store.group(stream, group);
			if (ids.isEmpty()) {
				return 0L;
			}
			try {
				return store.redrive(stream, List.copyOf(ids));
			}
			catch (UnsupportedOperationException ex) {
				throw new GroupsUnsupportedException(
						"Redriving dead letters is not supported by the store of stream '" + stream + "'");
			}
			catch (StreamNotFoundException ex) {
				// No dead-letter stream: no dead letters to redrive.
				return 0L;
			}
		});
	}

	/**
	 * Returns how many reads are waiting for new entries, on all streams: those whose last read found nothing and
	 * that hold no thread until woken or timed out.
	 * @return the waiting reads
	 */
	public int waiting() {
		int waiting = 0;
		for (Map<String, Deque<Waiter>> groups : this.waiters.values()) {
			for (Deque<Waiter> queue : groups.values()) {
				for (Waiter waiter : queue) {
					if (waiter.parked && waiter.state.get() == Waiter.WAITING) {
						waiting++;
					}
				}
			}
		}
		return waiting;
	}

	/**
	 * Returns the store of a stream's groups, for callers that need more than this API (metrics).
	 * @param stream the stream
	 * @return the store
	 */
	public ConsumerGroupStore store(String stream) {
		requireName(stream, "stream");
		ConsumerGroupStore store = this.stores.get(stream);
		if (store == null) {
			StreamStore streamStore = this.streams.store(stream);
			throw new GroupsUnsupportedException("Stream '" + stream + "' is held by a store that keeps no consumer groups ("
					+ streamStore.getClass().getName() + " is no ConsumerGroupStore)");
		}
		return store;
	}

	/**
	 * Returns the streams whose stores keep consumer groups.
	 * @return the stream names, in definition order
	 */
	public List<String> streamsWithGroups() {
		return List.copyOf(this.stores.keySet());
	}

	private <T> Mono<T> call(String stream, String group, StoreCall<T> call) {
		return Mono.defer(() -> {
			ConsumerGroupStore store = store(stream);
			requireName(group, "group");
			return offload(() -> call.call(store));
		});
	}

	private <T> Mono<T> offload(Callable<T> call) {
		return Mono.create((sink) -> {
			AtomicBoolean cancelled = new AtomicBoolean();
			sink.onCancel(() -> cancelled.set(true));
			// Not disposed on cancel: disposing interrupts the thread, and an interrupt may break a JDBC connection.
			this.blockingScheduler.schedule(() -> {
				if (cancelled.get()) {
					return;
				}
				try {
					sink.success(call.call());
				}
				catch (Throwable ex) {
					// Nobody listens to a cancelled call: its failure is not worth an error log.
					if (!cancelled.get()) {
						sink.error(ex);
					}
				}
			});
		});
	}

	private Waiter register(String stream, String group) {
		Waiter waiter = new Waiter(stream, group);
		this.waiters.computeIfAbsent(stream, (key) -> new ConcurrentHashMap<>())
			.computeIfAbsent(group, (key) -> new ConcurrentLinkedDeque<>())
			.add(waiter);
		return waiter;
	}

	/**
	 * Takes a waiter out of its queue, once.
	 * @return whether it had been woken (and so owes the wake to the next waiter unless it reads)
	 */
	private boolean leave(Waiter waiter) {
		int previous = waiter.state.getAndSet(Waiter.DONE);
		if (previous == Waiter.WAITING) {
			Deque<Waiter> queue = queue(waiter.stream, waiter.group);
			if (queue != null) {
				queue.remove(waiter);
			}
		}
		return previous == Waiter.WOKEN;
	}

	private @Nullable Deque<Waiter> queue(String stream, String group) {
		Map<String, Deque<Waiter>> groups = this.waiters.get(stream);
		return (groups != null) ? groups.get(group) : null;
	}

	/** Wakes the first waiter of a group that still waits. */
	private void wakeFirst(String stream, String group) {
		Deque<Waiter> queue = queue(stream, group);
		if (queue == null) {
			return;
		}
		for (Waiter waiter = queue.poll(); waiter != null; waiter = queue.poll()) {
			if (waiter.wake()) {
				return;
			}
		}
	}

	private void wakeAll(String stream, String group) {
		Deque<Waiter> queue = queue(stream, group);
		if (queue == null) {
			return;
		}
		for (Waiter waiter = queue.poll(); waiter != null; waiter = queue.poll()) {
			waiter.wake();
		}
	}

	private static long saturatedNanos(Duration duration) {
		try {
			return duration.toNanos();
		}
		catch (ArithmeticException ex) {
			// Hundreds of years: as good as forever, and still no overflow when added to nanoTime.
			return Long.MAX_VALUE / 4;
		}
	}

	private static void requireName(@Nullable String name, String what) {
		if (name == null || name.isBlank()) {
			throw new InvalidRequestException(what + " name must not be blank");
		}
		if (name.length() > MAX_NAME_LENGTH) {
			throw new InvalidRequestException(
					what + " name must be at most " + MAX_NAME_LENGTH + " characters, was " + name.length());
		}
		String problem = EventConverter.textProblem(name);
		if (problem != null) {
			throw new InvalidRequestException(what + " name" + problem);
		}
	}

	private static void requireCount(int count) {
		if (count < 1 || count > MAX_COUNT) {
			throw new InvalidRequestException("count must be between 1 and " + MAX_COUNT + ", was " + count);
		}
	}

	private static void requireIds(Collection<EntryId> ids) {
		if (ids.size() > MAX_COUNT) {
			throw new InvalidRequestException("At most " + MAX_COUNT + " IDs per call, got " + ids.size());
		}
	}

	private static void requireNotNegative(Duration duration, String what) {
		if (duration.isNegative()) {
			throw new InvalidRequestException(what + " must be zero or more, was " + duration);
		}
	}

	/** A store call made off the caller's thread. */
	@FunctionalInterface
	private interface StoreCall<T> {

		T call(ConsumerGroupStore store) throws Exception;

	}

	/** A blocking read: what it reads, until when, and how often it polls. */
	private static final class Wait {

		final ConsumerGroupStore store;

		final String stream;

		final String group;

		final Callable<List<GroupEntry>> read;

		final long deadline;

		volatile long pollNanos = Long.MAX_VALUE;

		private volatile boolean pollKnown;

		Wait(ConsumerGroupStore store, String stream, String group, Callable<List<GroupEntry>> read, long deadline) {
			this.store = store;
			this.stream = stream;
			this.group = group;
			this.read = read;
			this.deadline = deadline;
		}

		/**
		 * Reads; before the first wait, also learns whether the group's claim-idle calls for polling (one query, only
		 * for reads that are about to wait).
		 */
		List<GroupEntry> readAndLearnPoll(boolean owed) throws Exception {
			List<GroupEntry> entries = this.read.call();
			if (entries.isEmpty() && !this.pollKnown) {
				Duration claimIdle = this.store.group(this.stream, this.group).settings().claimIdle();
				if (!claimIdle.isZero()) {
					Duration half = claimIdle.dividedBy(2);
					Duration poll = (half.compareTo(MIN_POLL) < 0) ? MIN_POLL
							: (half.compareTo(MAX_POLL) > 0) ? MAX_POLL : half;
					this.pollNanos = poll.toNanos();
				}
				this.pollKnown = true;
			}
			return entries;
		}

	}

	/** A read waiting in its group's queue. */
	private static final class Waiter {

		static final int WAITING = 0;

		static final int WOKEN = 1;

		static final int DONE = 2;

		final String stream;

		final String group;

		final Sinks.One<Boolean> woken = Sinks.one();

		final AtomicInteger state = new AtomicInteger(WAITING);

		/** Whether its read is done and found nothing: from then on it only waits. */
		volatile boolean parked;

		Waiter(String stream, String group) {
			this.stream = stream;
			this.group = group;
		}

		/** Wakes it if it still waits. */
		boolean wake() {
			if (this.state.compareAndSet(WAITING, WOKEN)) {
				this.woken.tryEmitValue(Boolean.TRUE);
				return true;
			}
			return false;
		}

	}

	/** Wakes the first waiter of each group of a committed stream; runs on a store's thread, so it only signals. */
	private final class WaiterWaker implements CommitListener {

		@Override
		public boolean wants(String stream) {
			Map<String, Deque<Waiter>> groups = DefaultConsumerGroups.this.waiters.get(stream);
			if (groups == null) {
				return false;
			}
			for (Deque<Waiter> queue : groups.values()) {
				if (!queue.isEmpty()) {
					return true;
				}
			}
			return false;
		}

		@Override
		public void committed(String stream, List<StoredEvent> events) {
			Map<String, Deque<Waiter>> groups = DefaultConsumerGroups.this.waiters.get(stream);
			if (groups != null) {
				for (String group : groups.keySet()) {
					wakeFirst(stream, group);
				}
			}
		}

	}

}
