package dev.interlace.core.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;

import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import dev.interlace.core.EntryId;
import dev.interlace.core.InvalidRequestException;
import dev.interlace.core.StoredEvent;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.entry.EntriesUnsupportedException;
import dev.interlace.core.entry.EntryRange;
import dev.interlace.core.entry.ReadFrom;
import dev.interlace.core.entry.StreamEntries;
import dev.interlace.core.entry.StreamInfo;
import dev.interlace.core.entry.StreamRead;
import dev.interlace.core.entry.Trim;
import dev.interlace.core.store.CommitListener;
import dev.interlace.core.store.ConsumerGroupStore;
import dev.interlace.core.store.DatabaseStores;
import dev.interlace.core.store.EntriesInfo;
import dev.interlace.core.store.EntryStore;
import dev.interlace.core.store.StreamStore;
import dev.interlace.core.store.TrimLimits;

/**
 * The {@link StreamEntries} implementation over the {@link EntryStore stores} of a {@link DefaultStreams}' streams.
 * <p>
 * Every store call runs on the {@code blockingScheduler} (Reactor's bounded-elastic one by default), never on the
 * subscriber's thread; a call cancelled while it runs is left to finish rather than interrupted, since interrupting
 * JDBC may break the connection.
 * <p>
 * A read that may wait registers as a waiter on each of its streams <em>before</em> it reads, so that a commit
 * landing between the read and the wait still wakes it, and holds no thread while it waits: a waiter is a
 * {@link Sinks.One} and a timer. A commit to a stream wakes every waiter of that stream, since each reader gets every
 * entry (as Redis serves every client blocked in {@code XREAD} on a key); waiters of other streams are never woken.
 * {@code $} is resolved once, to the stream's last ID when the read starts, so entries committed while it waits are
 * found whatever wakes it.
 *
 * @since 0.3.0
 */
public final class DefaultStreamEntries implements StreamEntries {

	private final DefaultStreams streams;

	private final Scheduler blockingScheduler;

	private final Scheduler timer;

	/** Waiting reads by stream. */
	private final ConcurrentMap<String, Set<Waiter>> waiters = new ConcurrentHashMap<>();

	/**
	 * Creates the API over the streams' stores, offloading store calls to Reactor's bounded-elastic scheduler.
	 * @param streams the streams
	 */
	public DefaultStreamEntries(DefaultStreams streams) {
		this(streams, Schedulers.boundedElastic(), Schedulers.parallel());
	}

	/**
	 * Creates the API over the streams' stores.
	 * @param streams the streams
	 * @param blockingScheduler where store calls run
	 * @param timer where waits time out
	 */
	public DefaultStreamEntries(DefaultStreams streams, Scheduler blockingScheduler, Scheduler timer) {
		this.streams = streams;
		this.blockingScheduler = blockingScheduler;
		this.timer = timer;
		List<StreamStore> listened = new ArrayList<>();
		for (StreamDefinition definition : streams.definitions()) {
			StreamStore store = streams.store(definition.name());
			if (store instanceof EntryStore && !listened.contains(store)) {
				listened.add(store);
			}
		}
		CommitListener listener = new WaiterWaker();
		listened.forEach((store) -> store.addCommitListener(listener));
	}

	@Override
	public Mono<List<StoredEvent>> range(String stream, EntryRange range, int count) {
		return call(stream, (store) -> {
			requireCount(count);
			return range.isEmpty() ? List.of() : store.range(stream, range.start(), range.end(), count, false);
		});
	}

	@Override
	public Mono<List<StoredEvent>> reverseRange(String stream, EntryRange range, int count) {
		return call(stream, (store) -> {
			requireCount(count);
			return range.isEmpty() ? List.of() : store.range(stream, range.start(), range.end(), count, true);
		});
	}

	@Override
	public Mono<StoredEvent> entry(String stream, EntryId id) {
		return call(stream, (store) -> store.range(stream, id, id, 1, false))
			.flatMap((found) -> found.isEmpty() ? Mono.empty() : Mono.just(found.get(0)));
	}

	@Override
	public Mono<Long> length(String stream) {
		return call(stream, (store) -> this.streams.store(stream).describe(stream).rowCount());
	}

	@Override
	public Mono<Long> delete(String stream, Collection<EntryId> ids) {
		return call(stream, (store) -> {
			if (ids.size() > MAX_COUNT) {
				throw new InvalidRequestException("At most " + MAX_COUNT + " IDs per delete, got " + ids.size());
			}
			return store.delete(stream, List.copyOf(ids));
		});
	}

	@Override
	public Mono<Long> trim(String stream, Trim trim) {
		return call(stream, (store) -> {
			TrimLimits limits = trim.approximate() ? new TrimLimits(Trim.GRANULE, trim.limit()) : TrimLimits.EXACT;
			Long maxLen = trim.maxLen();
			EntryId minId = trim.minId();
			if (maxLen != null) {
				return store.trimToMaxLen(stream, maxLen, limits, StreamStore.DEFAULT_TRIM_BATCH_ROWS);
			}
			if (minId == null) {
				throw new IllegalStateException("A trim has a max length or a min ID");
			}
			return store.trimToMinId(stream, minId, limits, StreamStore.DEFAULT_TRIM_BATCH_ROWS);
		});
	}

	@Override
	public Mono<StreamInfo> info(String stream) {
		return call(stream, (store) -> {
			EntriesInfo entries = store.info(stream);
			ConsumerGroupStore groups = DatabaseStores.of(this.streams.store(stream)).groups();
			int groupCount = (groups != null) ? groups.groups(stream).size() : 0;
			return new StreamInfo(stream, entries.length(), groupCount, entries.firstEntry(), entries.lastEntry(),
					entries.lastGeneratedId(), entries.maxDeletedId(), entries.entriesAdded(),
					entries.recordedFirstEntryId());
		});
	}

	@Override
	public Mono<List<StreamRead>> read(List<ReadFrom> from, int count, Duration block) {
		return Mono.defer(() -> {
			requireCount(count);
			if (from.isEmpty() || from.size() > MAX_STREAMS) {
				throw new InvalidRequestException(
						"A read names 1 to " + MAX_STREAMS + " streams, was given " + from.size());
			}
			if (block.isNegative()) {
				throw new InvalidRequestException("block must be zero or more, was " + block);
			}
			Set<String> names = new HashSet<>();
			List<EntryStore> stores = new ArrayList<>(from.size());
			for (ReadFrom start : from) {
				if (!names.add(start.stream())) {
					throw new InvalidRequestException("Stream '" + start.stream() + "' is named twice in one read");
				}
				stores.add(store(start.stream()));
			}
			boolean latest = from.stream().anyMatch((start) -> start.after() == null);
			Mono<List<ReadFrom>> resolved = latest ? offload(() -> resolve(from, stores)) : Mono.just(from);
			if (block.isZero()) {
				return resolved.flatMap((positions) -> offload(() -> readAll(positions, stores, count)));
			}
			long deadline = System.nanoTime() + saturatedNanos(block);
			return resolved.flatMap((positions) -> attempt(positions, stores, count, deadline));
		});
	}

	/**
	 * Returns how many reads are waiting for new entries, on all streams: those whose last read found nothing and
	 * that hold no thread until woken or timed out.
	 * @return the waiting reads
	 */
	public int waiting() {
		Set<Waiter> all = new HashSet<>();
		this.waiters.values().forEach(all::addAll);
		return (int) all.stream().filter((waiter) -> waiter.parked).count();
	}

	/** Reads once, registered as a waiter first; when nothing came and time is left, waits and reads again. */
	private Mono<List<StreamRead>> attempt(List<ReadFrom> positions, List<EntryStore> stores, int count,
			long deadline) {
		Waiter waiter = register(positions);
		AtomicBoolean left = new AtomicBoolean();
		Runnable leave = () -> {
			if (left.compareAndSet(false, true)) {
				unregister(waiter);
			}
		};
		return offload(() -> readAll(positions, stores, count)).flatMap((found) -> {
			long remaining = deadline - System.nanoTime();
			if (!found.isEmpty() || remaining <= 0) {
				leave.run();
				return Mono.just(found);
			}
			waiter.parked = true;
			return waiter.woken.asMono()
				.timeout(Duration.ofNanos(remaining), Mono.just(Boolean.FALSE), this.timer)
				.flatMap((woken) -> {
					leave.run();
					if (!woken && deadline - System.nanoTime() <= 0) {
						return Mono.just(List.<StreamRead>of());
					}
					return attempt(positions, stores, count, deadline);
				});
		}).doFinally((signal) -> leave.run());
	}

	private List<ReadFrom> resolve(List<ReadFrom> from, List<EntryStore> stores) {
		List<ReadFrom> resolved = new ArrayList<>(from.size());
		for (int i = 0; i < from.size(); i++) {
			ReadFrom start = from.get(i);
			resolved.add((start.after() != null) ? start
					: ReadFrom.after(start.stream(), stores.get(i).info(start.stream()).lastGeneratedId()));
		}
		return resolved;
	}

	private List<StreamRead> readAll(List<ReadFrom> positions, List<EntryStore> stores, int count) {
		List<StreamRead> found = new ArrayList<>();
		for (int i = 0; i < positions.size(); i++) {
			ReadFrom position = positions.get(i);
			EntryId after = position.after();
			EntryId start = (after != null) ? after.next() : null;
			if (start == null) {
				// After the largest ID, nothing can come.
				continue;
			}
			List<StoredEvent> entries = stores.get(i).range(position.stream(), start, EntryId.MAX, count, false);
			if (!entries.isEmpty()) {
				found.add(new StreamRead(position.stream(), entries));
			}
		}
		return found;
	}

	private Waiter register(List<ReadFrom> positions) {
		Waiter waiter = new Waiter(positions.stream().map(ReadFrom::stream).toList());
		for (String stream : waiter.streams) {
			this.waiters.computeIfAbsent(stream, (key) -> ConcurrentHashMap.newKeySet()).add(waiter);
		}
		return waiter;
	}

	private void unregister(Waiter waiter) {
		for (String stream : waiter.streams) {
			Set<Waiter> set = this.waiters.get(stream);
			if (set != null) {
				set.remove(waiter);
			}
		}
	}

	private <T> Mono<T> call(String stream, StoreCall<T> call) {
		return Mono.defer(() -> {
			EntryStore store = store(stream);
			return offload(() -> call.call(store));
		});
	}

	private EntryStore store(String stream) {
		if (stream == null || stream.isBlank()) {
			throw new InvalidRequestException("stream name must not be blank");
		}
		StreamStore store = this.streams.store(stream);
		if (store instanceof EntryStore entries) {
			return entries;
		}
		throw new EntriesUnsupportedException("Stream '" + stream + "' is held by a store that offers no entries by ID ("
				+ store.getClass().getName() + " is no EntryStore)");
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
					if (!cancelled.get()) {
						sink.error(ex);
					}
				}
			});
		});
	}

	private static void requireCount(int count) {
		if (count < 1 || count > MAX_COUNT) {
			throw new InvalidRequestException("count must be between 1 and " + MAX_COUNT + ", was " + count);
		}
	}

	private static long saturatedNanos(Duration duration) {
		try {
			return duration.toNanos();
		}
		catch (ArithmeticException ex) {
			return Long.MAX_VALUE / 4;
		}
	}

	/** A store call made off the caller's thread. */
	@FunctionalInterface
	private interface StoreCall<T> {

		T call(EntryStore store) throws Exception;

	}

	/** A read waiting for a commit to one of its streams. */
	private static final class Waiter {

		final List<String> streams;

		final Sinks.One<Boolean> woken = Sinks.one();

		/** Whether its read is done and found nothing: from then on it only waits. */
		volatile boolean parked;

		Waiter(List<String> streams) {
			this.streams = streams;
		}

	}

	/** Wakes every waiter of a committed stream; runs on a store's thread, so it only signals. */
	private final class WaiterWaker implements CommitListener {

		@Override
		public boolean wants(String stream) {
			Set<Waiter> set = DefaultStreamEntries.this.waiters.get(stream);
			return set != null && !set.isEmpty();
		}

		@Override
		public void committed(String stream, List<StoredEvent> events) {
			Set<Waiter> set = DefaultStreamEntries.this.waiters.get(stream);
			if (set != null) {
				for (Waiter waiter : set) {
					waiter.woken.tryEmitValue(Boolean.TRUE);
				}
			}
		}

	}

}
