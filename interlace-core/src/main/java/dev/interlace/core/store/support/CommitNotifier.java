package dev.interlace.core.store.support;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.slf4j.Logger;

import dev.interlace.core.StoredEvent;
import dev.interlace.core.store.CommitListener;
import dev.interlace.core.store.StoreObserver;

/**
 * Holds a store's {@link CommitListener}s and its {@link StoreObserver} and tells them of its commits. Both are the
 * application's code running on a thread of the store (a writer or a delivery thread): whatever one throws is logged,
 * never let through to fail a commit, stop that thread or keep the other listeners from hearing of the commit.
 */
public final class CommitNotifier {

	private final Logger logger;

	private final List<CommitListener> listeners = new CopyOnWriteArrayList<>();

	/** What the store calls: {@link CommitListener#NONE}, the one listener, or all of them in turn. */
	private volatile CommitListener listener = CommitListener.NONE;

	private volatile StoreObserver observer = StoreObserver.NONE;

	/**
	 * Creates a notifier that tells nobody until given a listener or an observer.
	 * @param logger the store's logger, so that failures are logged under the store that met them
	 */
	public CommitNotifier(Logger logger) {
		this.logger = logger;
	}

	/**
	 * Returns the listener a store calls after a commit: it wants a stream when any listener does, and hands each
	 * commit to every listener that wants it, in the order they were added. {@link CommitListener#NONE} when there
	 * are none, so that a store can skip building events nobody reads.
	 * @return the listener
	 */
	public CommitListener listener() {
		return this.listener;
	}

	/**
	 * Adds a listener after those already added.
	 * @param listener the listener
	 */
	public synchronized void addListener(CommitListener listener) {
		this.listeners.add(listener);
		this.listener = fanOut(List.copyOf(this.listeners));
	}

	/**
	 * Removes a listener; nothing happens when it is not there.
	 * @param listener the listener
	 */
	public synchronized void removeListener(CommitListener listener) {
		this.listeners.remove(listener);
		this.listener = fanOut(List.copyOf(this.listeners));
	}

	private CommitListener fanOut(List<CommitListener> all) {
		if (all.isEmpty()) {
			return CommitListener.NONE;
		}
		if (all.size() == 1) {
			return all.get(0);
		}
		return new CommitListener() {

			@Override
			public void committed(String stream, List<StoredEvent> events) {
				for (CommitListener each : all) {
					if (each.wants(stream)) {
						deliver(each, stream, events);
					}
				}
			}

			@Override
			public boolean wants(String stream) {
				for (CommitListener each : all) {
					if (each.wants(stream)) {
						return true;
					}
				}
				return false;
			}

		};
	}

	/**
	 * Sets the store observer.
	 * @param observer the observer
	 */
	public void setObserver(StoreObserver observer) {
		this.observer = observer;
	}

	/**
	 * Tells the observer of a group commit.
	 * @param stream the stream the rows went to
	 * @param rows rows the commit wrote
	 * @param nanos time the commit took
	 */
	public void observe(String stream, int rows, long nanos) {
		try {
			this.observer.committed(stream, rows, nanos);
		}
		catch (RuntimeException ex) {
			this.logger.warn("Store observer failed", ex);
		}
	}

	/**
	 * Hands committed events to a listener, unless there are none.
	 * @param listener the listener, as read (and asked whether it wants the stream) by the caller
	 * @param stream the stream
	 * @param events the events, in rowid order
	 */
	public void deliver(CommitListener listener, String stream, List<StoredEvent> events) {
		if (events.isEmpty()) {
			return;
		}
		try {
			listener.committed(stream, events);
		}
		catch (RuntimeException ex) {
			this.logger.warn("Commit listener failed for stream '{}'", stream, ex);
		}
	}

}
