package dev.interlace.core.store;

import java.util.Map;

/**
 * The consumer cursors capability of a database: per stream and consumer, the highest rowid the consumer
 * acknowledged. Cursors of all stores sharing one database are the same rows: a consumer may acknowledge through any
 * of them.
 * <p>
 * Every method may block on the database; callers on an event loop must offload them.
 *
 * @since 0.2.0
 */
public interface CursorStore {

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
	 * @throws dev.interlace.core.InvalidRequestException when {@code rowid} is negative or above the stream's highest
	 * rowid
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

	/**
	 * Returns every consumer's cursor of a stream, for statistics such as consumer lag. One query: callers that poll
	 * it should do so at an interval of their own, not per request.
	 * @param stream the stream
	 * @return the cursors by consumer name, in name order; empty when no consumer ever acknowledged
	 */
	Map<String, Long> readCursors(String stream);

}
