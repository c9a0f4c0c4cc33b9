package dev.interlace.core.store;

import java.util.List;

import org.slf4j.Logger;

import dev.interlace.core.StoredEvent;

/**
 * Holds a store's {@link CommitListener} and {@link StoreObserver} and tells them of its commits. Both are the
 * application's code running on a thread of the store (a writer or a delivery thread): whatever they throw is logged,
 * never let through to fail a commit or stop that thread.
 *
 * @since 0.1.0
 */
public final class CommitNotifier {

	private final Logger logger;

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
	 * Returns the commit listener; {@link CommitListener#NONE} when there is none.
	 * @return the listener
	 */
	public CommitListener listener() {
		return this.listener;
	}

	/**
	 * Sets the commit listener.
	 * @param listener the listener
	 */
	public void setListener(CommitListener listener) {
		this.listener = listener;
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
