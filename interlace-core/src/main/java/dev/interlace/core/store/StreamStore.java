package dev.interlace.core.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

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
		return AppendQueue.await(append(stream, events), stream);
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
	 * Creates the cursor of a new consumer whatever the number of consumers.
	 * @param stream the stream
	 * @param consumer the consumer
	 * @param rowid the acknowledged rowid
	 * @return the cursor after the call
	 */
	default long commitCursor(String stream, String consumer, long rowid) {
		return commitCursor(stream, consumer, rowid, Integer.MAX_VALUE);
	}

	/**
	 * Moves the consumer's cursor to {@code rowid} unless it is already further, creating it unless the stream
	 * already has {@code maxConsumers} cursors. The check and the insert are one atomic step: concurrent calls, from
	 * any number of stores sharing the database, never leave more than {@code maxConsumers} cursors.
	 * @param stream the stream
	 * @param consumer the consumer
	 * @param rowid the acknowledged rowid
	 * @param maxConsumers most cursors the stream may have
	 * @return the cursor after the call
	 * @throws dev.interlace.core.ConsumerLimitException when the consumer is new and the stream has
	 * {@code maxConsumers} cursors already
	 */
	long commitCursor(String stream, String consumer, long rowid, int maxConsumers);

	/**
	 * Deletes the consumer's cursor: the consumer starts again from the oldest row kept, and no longer counts
	 * against the stream's consumers.
	 * @param stream the stream
	 * @param consumer the consumer
	 * @return whether the consumer had a cursor
	 */
	boolean deleteCursor(String stream, String consumer);

	/** Rows a trim deletes per transaction when the caller gives no batch size. */
	int DEFAULT_TRIM_BATCH_ROWS = 10_000;

	/**
	 * Deletes all but the newest {@code maxRows} rows, in transactions of at most
	 * {@value #DEFAULT_TRIM_BATCH_ROWS} rows.
	 * @param stream the stream
	 * @param maxRows rows to keep
	 * @return rows deleted
	 */
	default long trimToMaxRows(String stream, long maxRows) {
		return trimToMaxRows(stream, maxRows, DEFAULT_TRIM_BATCH_ROWS);
	}

	/**
	 * Deletes all but the newest {@code maxRows} rows, oldest first, in transactions of at most {@code batchRows}
	 * rows, so that a large backlog never makes one large transaction and publishes go on between batches. The
	 * highest rowid stays recorded: rowids never repeat.
	 * @param stream the stream
	 * @param maxRows rows to keep
	 * @param batchRows most rows deleted per transaction
	 * @return rows deleted
	 */
	long trimToMaxRows(String stream, long maxRows, int batchRows);

	/**
	 * Deletes rows published before {@code cutoff}, in transactions of at most {@value #DEFAULT_TRIM_BATCH_ROWS}
	 * rows.
	 * @param stream the stream
	 * @param cutoff the oldest publish time kept
	 * @return rows deleted
	 */
	default long trimOlderThan(String stream, Instant cutoff) {
		return trimOlderThan(stream, cutoff, DEFAULT_TRIM_BATCH_ROWS);
	}

	/**
	 * Deletes rows published before {@code cutoff}, oldest first, in transactions of at most {@code batchRows} rows.
	 * The highest rowid stays recorded: rowids never repeat.
	 * @param stream the stream
	 * @param cutoff the oldest publish time kept
	 * @param batchRows most rows deleted per transaction
	 * @return rows deleted
	 */
	long trimOlderThan(String stream, Instant cutoff, int batchRows);

	/**
	 * Sets the listener told of every commit. Called on a thread of the store (its writer, or a delivery thread):
	 * it must not block.
	 * @param listener the listener
	 */
	void setCommitListener(CommitListener listener);

	/**
	 * Sets the observer told of every group commit of this store. Stores that do not group commits ignore it.
	 * @param observer the observer
	 */
	default void setStoreObserver(StoreObserver observer) {
	}

	/**
	 * Returns every consumer's cursor of a stream, for statistics such as consumer lag. One query: callers that poll
	 * it should do so at an interval of their own, not per request.
	 * @param stream the stream
	 * @return the cursors by consumer name; empty when no consumer ever acknowledged
	 */
	default Map<String, Long> readCursors(String stream) {
		return Map.of();
	}

	/**
	 * Finishes queued writes and releases the database.
	 */
	@Override
	void close();

}
