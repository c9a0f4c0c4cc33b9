package dev.interlace.core.store.support;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import dev.interlace.core.PublishResult;
import dev.interlace.core.EntryId;
import dev.interlace.core.NewEntryId;

/**
 * A publish converted and queued for a store's writer. Made by {@link AppendQueue}; the store's writer takes it from
 * the queue, commits it and completes its future.
 *
 * @param <T> the store's own view of the stream's table
 * @param table the stream's table
 * @param events the events as published
 * @param batch the events converted to the table's columns as they were when queued
 * @param publishId id stored with every row of the publish
 * @param future completed once the rows are committed
 * @param waiting whether a caller is blocked on {@code future} with nothing chained to it: waking it directly costs
 * less than a hand-off to another thread
 * @param entryId the entry ID asked for: {@link NewEntryId#auto()}, or an explicit one for a publish of one event
 * @since 0.1.0
 */
public record AppendOp<T>(T table, List<? extends Map<String, ?>> events, ConvertedBatch batch, UUID publishId,
		CompletableFuture<PublishResult> future, boolean waiting, NewEntryId entryId) {

	/**
	 * Completes the publish as committed, its rows numbered from {@code firstRowid} and {@code firstId}.
	 * @param stream the stream
	 * @param firstRowid the rowid of its first row
	 * @param firstId the entry ID of its first row; its other rows have the sequence numbers that follow
	 */
	public void complete(String stream, long firstRowid, EntryId firstId) {
		int rows = this.events.size();
		this.future.complete(PublishResult.accepted(stream, rows, this.publishId, firstRowid, firstRowid + rows - 1,
				firstId, new EntryId(firstId.ms(), firstId.seq() + rows - 1)));
	}

}
