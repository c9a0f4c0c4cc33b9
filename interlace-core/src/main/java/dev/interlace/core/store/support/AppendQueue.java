package dev.interlace.core.store.support;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import org.jspecify.annotations.Nullable;

import dev.interlace.core.InterlaceException;
import dev.interlace.core.InvalidRequestException;
import dev.interlace.core.PublishResult;
import dev.interlace.core.StoreException;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.NewEntryId;

/**
 * The way publishes enter a store's writer queue: each is converted against its table's columns, so that a bad one
 * fails alone and at once, then queued without ever waiting for room. Shared by the stores so that they accept,
 * reject and refuse publishes alike.
 *
 * @param <T> the store's own view of a stream's table
 * @since 0.1.0
 */
public final class AppendQueue<T> {

	private final BlockingQueue<? super AppendOp<T>> queue;

	private final String storeName;

	private final Gate gate;

	/**
	 * Creates the entrance to a writer's queue.
	 * @param queue the writer's queue
	 * @param storeName the store as error messages name it, such as {@code PostgreSQL store}
	 * @param gate says when the store refuses publishes
	 */
	public AppendQueue(BlockingQueue<? super AppendOp<T>> queue, String storeName, Gate gate) {
		this.queue = queue;
		this.storeName = storeName;
		this.gate = gate;
	}

	/**
	 * Converts a publish and queues it for the writer.
	 * @param table the stream's table
	 * @param definition the stream's definition
	 * @param columns the table's columns
	 * @param events the events
	 * @param waiting whether the caller blocks on the result with nothing chained to it
	 * @return the result, failed at once when the events do not fit the stream, the gate refuses them or the queue
	 * is full
	 */
	public CompletableFuture<PublishResult> append(T table, StreamDefinition definition, ColumnSet columns,
			List<? extends Map<String, ?>> events, boolean waiting) {
		return append(table, definition, columns, events, NewEntryId.auto(), waiting);
	}

	/**
	 * Converts a publish that asks for an entry ID and queues it for the writer.
	 * @param table the stream's table
	 * @param definition the stream's definition
	 * @param columns the table's columns
	 * @param events the events
	 * @param entryId the entry ID asked for; an explicit one needs exactly one event
	 * @param waiting whether the caller blocks on the result with nothing chained to it
	 * @return the result, failed at once when the events do not fit the stream or the ID, the gate refuses them or
	 * the queue is full
	 */
	public CompletableFuture<PublishResult> append(T table, StreamDefinition definition, ColumnSet columns,
			List<? extends Map<String, ?>> events, NewEntryId entryId, boolean waiting) {
		String stream = definition.name();
		try {
			entryId.requireFits(events.size());
		}
		catch (InvalidRequestException ex) {
			return CompletableFuture.failedFuture(ex);
		}
		UUID publishId = PublishIds.next();
		if (events.isEmpty()) {
			return CompletableFuture.completedFuture(PublishResult.empty(stream, publishId));
		}
		ConvertedBatch batch;
		try {
			batch = EventConverter.convert(definition, columns, events);
		}
		catch (InterlaceException ex) {
			return CompletableFuture.failedFuture(ex);
		}
		StoreException refusal = this.gate.refusal(stream);
		if (refusal != null) {
			return CompletableFuture.failedFuture(refusal);
		}
		CompletableFuture<PublishResult> future = new CompletableFuture<>();
		// Never wait for room: callers may be on an event loop. A full queue means the database cannot keep up, and
		// failing fast (for the caller to retry later) beats piling up more.
		if (!this.queue.offer(new AppendOp<>(table, events, batch, publishId, future, waiting, entryId))) {
			return CompletableFuture.failedFuture(new StoreException(this.storeName + " is overloaded: "
					+ this.queue.size() + " publishes are waiting for the writer; retry later"));
		}
		return future;
	}

	/**
	 * Waits for a publish, rethrowing what failed it as an {@link InterlaceException}.
	 * @param publish the publish's future
	 * @param stream the stream published to
	 * @return the result
	 */
	public static PublishResult await(CompletableFuture<PublishResult> publish, String stream) {
		try {
			return publish.join();
		}
		catch (CompletionException ex) {
			if (ex.getCause() instanceof InterlaceException cause) {
				throw cause;
			}
			throw new StoreException("Append to '" + stream + "' failed", ex.getCause());
		}
	}

	/**
	 * Decides whether a store takes publishes now. Asked after conversion, so that events that do not fit fail as
	 * such whatever the store's state.
	 */
	@FunctionalInterface
	public interface Gate {

		/**
		 * Says why the store refuses a publish now.
		 * @param stream the stream published to
		 * @return the error to fail the publish with, or {@code null} to queue it
		 */
		@Nullable StoreException refusal(String stream);

	}

}
