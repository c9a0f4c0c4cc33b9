package dev.interlace.core.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import dev.interlace.core.InterlaceException;
import dev.interlace.core.PublishResult;
import dev.interlace.core.StoreException;
import dev.interlace.core.StoredEvent;
import dev.interlace.core.StreamDefinition;

/**
 * A database that holds streams. A store assigns rowids in commit order and, after each commit, hands the committed
 * events to its {@link CommitListener}, the only source of live events. Where several stores (processes) share one
 * database, rowids follow commit order across all of them and each store's listener is told of every commit.
 * <p>
 * Every method may block on the database; callers on an event loop must offload them.
 *
 * @since 0.1.0
 */
public interface StreamStore extends AutoCloseable {

	/**
	 * Creates the stream's table if it does not exist, adds declared fields it lacks and records the definition.
	 * @param definition the stream
	 * @return the stream's columns after the call
	 */
	StreamTable ensureStream(StreamDefinition definition);

	/**
	 * Appends events atomically. Never blocks: the events are checked and queued for the writer, and the future
	 * completes once they are committed (not on the writer thread), or fails with
	 * {@link dev.interlace.core.InvalidEventException} (nothing stored) or {@link StoreException} (nothing stored;
	 * also when the writer's queue is full).
	 * @param stream the stream, already ensured
	 * @param events the events; an empty list stores nothing and completes at once
	 * @return the result
	 */
	CompletableFuture<PublishResult> append(String stream, List<? extends Map<String, ?>> events);

	/**
	 * Appends events atomically and waits for the commit.
	 * @param stream the stream, already ensured
	 * @param events the events
	 * @return the result
	 */
	default PublishResult appendAndWait(String stream, List<? extends Map<String, ?>> events) {
		try {
			return append(stream, events).join();
		}
		catch (CompletionException ex) {
			if (ex.getCause() instanceof InterlaceException cause) {
				throw cause;
			}
			throw new StoreException("Append to '" + stream + "' failed", ex.getCause());
		}
	}

	/**
	 * Reads committed events with a rowid above {@code afterRowid}, in rowid order.
	 * @param stream the stream
	 * @param afterRowid exclusive lower bound
	 * @param limit the most events returned
	 * @return the events
	 */
	List<StoredEvent> readAfter(String stream, long afterRowid, int limit);

	/**
	 * Describes the stream's table: columns, row count and rowid bounds.
	 * @param stream the stream
	 * @return the description
	 */
	StreamTable describe(String stream);

	/**
	 * Returns the consumer's cursor: the highest rowid it acknowledged, 0 when it never did.
	 * @param stream the stream
	 * @param consumer the consumer
	 * @return the cursor
	 */
	long readCursor(String stream, String consumer);

	/**
	 * Moves the consumer's cursor to {@code rowid} unless it is already further. Concurrent calls never move it back.
	 * @param stream the stream
	 * @param consumer the consumer
	 * @param rowid the acknowledged rowid
	 * @return the cursor after the call
	 */
	long commitCursor(String stream, String consumer, long rowid);

	/**
	 * Deletes all but the newest {@code maxRows} rows.
	 * @param stream the stream
	 * @param maxRows rows to keep
	 * @return rows deleted
	 */
	long trimToMaxRows(String stream, long maxRows);

	/**
	 * Deletes rows published before {@code cutoff}.
	 * @param stream the stream
	 * @param cutoff the oldest publish time kept
	 * @return rows deleted
	 */
	long trimOlderThan(String stream, Instant cutoff);

	/**
	 * Sets the listener told of every commit. Called on a thread of the store (its writer, or a delivery thread):
	 * it must not block.
	 * @param listener the listener
	 */
	void setCommitListener(CommitListener listener);

	/**
	 * Finishes queued writes and releases the database.
	 */
	@Override
	void close();

}
