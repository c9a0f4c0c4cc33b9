package dev.interlace.core;

import java.util.List;

/**
 * Events a consumer has not acknowledged yet, oldest first.
 *
 * @param stream the stream
 * @param consumer the consumer name
 * @param events the events, at most the requested batch size
 * @param cursor the consumer's acknowledged position when read: events have larger rowids
 * @param truncated whether the batch ended at the consume's byte budget while further events were waiting: fewer
 * events than asked for then does not mean the consumer has caught up
 * @since 0.1.0
 */
public record ConsumedBatch(String stream, String consumer, List<StoredEvent> events, long cursor, boolean truncated) {

	public ConsumedBatch {
		events = List.copyOf(events);
	}

	/**
	 * Creates a batch that was not cut by a byte budget.
	 * @param stream the stream
	 * @param consumer the consumer name
	 * @param events the events, at most the requested batch size
	 * @param cursor the consumer's acknowledged position when read: events have larger rowids
	 */
	public ConsumedBatch(String stream, String consumer, List<StoredEvent> events, long cursor) {
		this(stream, consumer, events, cursor, false);
	}

	/**
	 * Returns how many events the batch holds.
	 * @return the count
	 */
	public int count() {
		return this.events.size();
	}

	/**
	 * Returns the rowid of the last event, or the cursor when the batch is empty: acknowledging it acknowledges the
	 * whole batch.
	 * @return the last rowid
	 */
	public long lastRowid() {
		return this.events.isEmpty() ? this.cursor : this.events.get(this.events.size() - 1).rowid();
	}

}
