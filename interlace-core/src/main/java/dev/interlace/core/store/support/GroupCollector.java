package dev.interlace.core.store.support;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.jspecify.annotations.Nullable;

/**
 * How a store's writer thread gathers queued publishes into one commit (group commit), shared so that both backends
 * batch alike. A group ends at a row budget, when the queue is empty and no publisher is expected back, or at an item
 * that is not a publish (a task the writer runs alone, between groups).
 * <p>
 * Used by its writer thread only.
 *
 * @param <T> the store's own view of a stream's table
 */
public final class GroupCollector<T> {

	/** A pause this long means publishers stopped coming back. */
	private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

	private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

	private final BlockingQueue<?> queue;

	private final int maxGroupRows;

	private final long lingerNanos;

	private final BooleanSupplier closed;

	private int expectedPublishes = 1;

	private @Nullable Object deferred;

	/**
	 * Creates the collector of a writer's queue.
	 * @param queue the queue: {@link AppendOp publishes} of this store and, on stores that have them, other items
	 * @param maxGroupRows most rows a group collects (a first publish larger than this is a group of its own)
	 * @param lingerNanos how long to wait for publishers expected back, 0 not to wait
	 * @param closed says when the store closes: then nobody is waited for
	 */
	public GroupCollector(BlockingQueue<?> queue, int maxGroupRows, long lingerNanos, BooleanSupplier closed) {
		this.queue = queue;
		this.maxGroupRows = maxGroupRows;
		this.lingerNanos = lingerNanos;
		this.closed = closed;
	}

	/**
	 * Waits briefly for the next group. Either fills {@code group} with publishes, in queue order, and returns
	 * {@code null}; or leaves it empty and returns the item that is not a publish, to be run alone; or, when nothing
	 * came, leaves it empty and returns {@code null}.
	 * @param group an empty list to fill
	 * @return the item that is not a publish, or {@code null}
	 */
	@SuppressWarnings("unchecked") // the queue holds this store's publishes and its own other items
	public @Nullable Object next(List<AppendOp<T>> group) {
		Object first = this.deferred;
		this.deferred = null;
		if (first == null) {
			long idleSince = System.nanoTime();
			first = poll();
			if (System.nanoTime() - idleSince > IDLE_NANOS) {
				// Publishers stopped coming back: whoever comes next should not wait for those gone.
				this.expectedPublishes = 1;
			}
		}
		if (!(first instanceof AppendOp<?> op)) {
			return first;
		}
		group.add((AppendOp<T>) op);
		int rows = op.events().size();
		long deadline = 0;
		while (rows < this.maxGroupRows) {
			Object next = this.queue.poll();
			if (next == null && group.size() < this.expectedPublishes && this.lingerNanos > 0
					&& !this.closed.getAsBoolean()) {
				// Publishers released by the previous commit are still coming back: wait for them briefly, or the
				// writer alternates between two half-size groups and pays twice the commits.
				long now = System.nanoTime();
				if (deadline == 0) {
					deadline = now + this.lingerNanos;
				}
				// Yield rather than block: a blocked writer is woken once per arriving publish, and on a small
				// machine those wake-ups take the CPU the returning publishers need.
				while (now < deadline && this.queue.isEmpty()) {
					Thread.yield();
					now = System.nanoTime();
				}
				next = this.queue.poll();
			}
			if (next == null) {
				break;
			}
			if (!(next instanceof AppendOp<?> append)) {
				this.deferred = next;
				break;
			}
			group.add((AppendOp<T>) append);
			rows += append.events().size();
		}
		// Expect as many publishers as ever came back lately; forget one a group when fewer return, so that a late
		// straggler does not shrink every following group.
		this.expectedPublishes = Math.max(group.size(), this.expectedPublishes - 1);
		return null;
	}

	/**
	 * Says whether the writer may stop: the store is closed and nothing is left to take.
	 * @return whether the queue is drained after close
	 */
	public boolean drained() {
		return this.closed.getAsBoolean() && this.deferred == null && this.queue.isEmpty();
	}

	private @Nullable Object poll() {
		try {
			return this.queue.poll(POLL_NANOS, TimeUnit.NANOSECONDS);
		}
		catch (InterruptedException ex) {
			return null;
		}
	}

}
