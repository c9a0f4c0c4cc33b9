package dev.interlace.core.store;

import java.sql.Connection;
import java.util.List;
import java.util.Map;

import dev.interlace.core.PublishResult;

/**
 * An open transaction of {@link StoreTransactions#inTransaction}: what it appends, acknowledges and writes becomes
 * visible together at its commit, and is discarded together if it rolls back.
 *
 * @since 0.2.0
 */
public interface StoreTransaction {

	/**
	 * Appends events to a stream in this transaction. Rowids are assigned now, in the order of the appends of this
	 * and every other transaction's commit: no other append to the stream commits between this one's rowids.
	 * @param stream the stream, already ensured
	 * @param events the events; an empty list stores nothing
	 * @return the result, with the rowids the events get when the transaction commits
	 * @throws dev.interlace.core.InvalidEventException when an event does not fit the stream (the work should let it
	 * through: the transaction rolls back)
	 */
	PublishResult append(String stream, List<? extends Map<String, ?>> events);

	/**
	 * Moves a consumer's cursor in this transaction, as {@link CursorStore#commitCursor(String, String, long, int)}
	 * does, to a rowid that may be one this transaction appended.
	 * @param stream the stream
	 * @param consumer the consumer
	 * @param rowid the acknowledged rowid
	 * @param maxConsumers most cursors the stream may have
	 * @return the cursor after the call
	 */
	long commitCursor(String stream, String consumer, long rowid, int maxConsumers);

	/**
	 * Returns the transaction's connection, for state kept in tables of the caller's own (such as a processor's
	 * windows) written in the same transaction. The caller must not commit, roll back, close it or change its
	 * auto-commit, and must not keep it after the work returns.
	 * @return the connection
	 */
	Connection connection();

}
