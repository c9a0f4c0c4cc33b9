package dev.interlace.core.store;

import java.util.List;

import dev.interlace.core.StoredEvent;

/**
 * Told of the events of each commit, in rowid order, right after the commit.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface CommitListener {

	/** A listener that ignores every commit. */
	CommitListener NONE = (stream, events) -> {
	};

	/**
	 * Receives one stream's events of a commit. Must not block: it runs on a thread of the store (its writer, or a
	 * delivery thread), one at a time.
	 * @param stream the stream
	 * @param events the events, in rowid order
	 */
	void committed(String stream, List<StoredEvent> events);

	/**
	 * Says whether the listener wants a stream's events, so that stores skip building events nobody reads.
	 * @param stream the stream
	 * @return whether {@link #committed} should be called for it
	 */
	default boolean wants(String stream) {
		return true;
	}

}
