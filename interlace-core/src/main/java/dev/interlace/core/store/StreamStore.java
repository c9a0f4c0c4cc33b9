package dev.interlace.core.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import dev.interlace.core.InterlaceException;
import dev.interlace.core.InvalidRequestException;
import dev.interlace.core.PublishResult;
import dev.interlace.core.StoreException;
import dev.interlace.core.StoredEvent;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.NewEntryId;

/**
 * The streams capability of a database: ensure a stream's table, append, read, describe and trim. A store assigns
 * rowids in commit order and, after each commit, hands the committed events to its {@link CommitListener}s, the only
 * source of live events. Where several stores (processes) share one
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
	PublishResult appendAndWait(String stream, List<? extends Map<String, ?>> events);

	/**
	 * Appends events with the entry ID they ask for, as Redis' {@code XADD} takes an ID argument. An explicit ID
	 * applies to a publish of exactly one event and must be greater than the stream's last ID; otherwise the future
	 * fails with {@link dev.interlace.core.InvalidRequestException} and nothing is stored. This default takes
	 * {@link NewEntryId#auto()} only; the stores of Interlace take every ID.
	 * @param stream the stream, already ensured
	 * @param events the events
	 * @param id the entry ID asked for
	 * @return the result
	 */
	default CompletableFuture<PublishResult> append(String stream, List<? extends Map<String, ?>> events,
			NewEntryId id) {
		if (id.isAuto()) {
			return append(stream, events);
		}
		return CompletableFuture.failedFuture(
				new InvalidRequestException("This store assigns entry IDs itself: it takes no explicit ID"));
	}

	/**
	 * Appends events with the entry ID they ask for and waits for the commit; see
	 * {@link #append(String, List, NewEntryId)}.
	 * @param stream the stream, already ensured
	 * @param events the events
	 * @param id the entry ID asked for
	 * @return the result
	 */
	default PublishResult appendAndWait(String stream, List<? extends Map<String, ?>> events, NewEntryId id) {
		try {
			return append(stream, events, id).join();
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
	 * Trims as {@link #trimToMaxRows(String, long, int)} does, never deleting a row with rowid
	 * {@code keepFromRowid} or above (rows consumer groups still need).
	 * @param stream the stream
	 * @param maxRows rows to keep
	 * @param batchRows most rows deleted per transaction
	 * @param keepFromRowid the smallest rowid kept whatever the limit
	 * @return rows deleted
	 * @since 0.3.0
	 */
	default long trimToMaxRows(String stream, long maxRows, int batchRows, long keepFromRowid) {
		throw new UnsupportedOperationException("This store cannot bound a trim by rowid");
	}

	/**
	 * Trims as {@link #trimOlderThan(String, Instant, int)} does, never deleting a row with rowid
	 * {@code keepFromRowid} or above.
	 * @param stream the stream
	 * @param cutoff the oldest publish time kept
	 * @param batchRows most rows deleted per transaction
	 * @param keepFromRowid the smallest rowid kept whatever the age
	 * @return rows deleted
	 * @since 0.3.0
	 */
	default long trimOlderThan(String stream, Instant cutoff, int batchRows, long keepFromRowid) {
		throw new UnsupportedOperationException("This store cannot bound a trim by rowid");
	}

	/**
	 * Adds a listener told of every commit from now on, after the listeners added before it. Listeners are called on
	 * a thread of the store (its writer, or a delivery thread), one commit at a time: they must not block. Whatever
	 * one throws is logged and keeps neither the commit nor the other listeners from going on.
	 * @param listener the listener
	 */
	void addCommitListener(CommitListener listener);

	/**
	 * Removes a listener added with {@link #addCommitListener}; nothing happens when it is not there.
	 * @param listener the listener
	 */
	void removeCommitListener(CommitListener listener);

	/**
	 * Sets the observer told of every group commit of this store, for metrics.
	 * @param observer the observer
	 */
	void setStoreObserver(StoreObserver observer);

	/**
	 * Finishes queued writes and releases the database.
	 */
	@Override
	void close();

}
