package dev.interlace.core.store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import dev.interlace.core.FieldType;
import dev.interlace.core.PublishResult;
import dev.interlace.core.StoreException;
import dev.interlace.core.StoredEvent;
import dev.interlace.core.StreamDefinition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Streams, events and waits the store contract suites and the backends' own store tests share.
 */
public final class StoreTestSupport {

	private StoreTestSupport() {
	}

	/**
	 * Returns the stream most tests publish to: an order id and an amount.
	 * @return the definition
	 */
	public static StreamDefinition orders() {
		return StreamDefinition.builder("orders")
			.field("order_id", FieldType.STRING)
			.field("amount", FieldType.INT64)
			.build();
	}

	/**
	 * Returns a stream that declares one field of every {@link FieldType}.
	 * @param name the stream's name
	 * @return the definition
	 */
	public static StreamDefinition everyFieldType(String name) {
		return StreamDefinition.builder(name)
			.field("s", FieldType.STRING)
			.field("i", FieldType.INT32)
			.field("l", FieldType.INT64)
			.field("f", FieldType.FLOAT32)
			.field("d", FieldType.FLOAT64)
			.field("b", FieldType.BOOLEAN)
			.field("t", FieldType.TIMESTAMP)
			.field("day", FieldType.DATE)
			.field("j", FieldType.JSON)
			.field("m", FieldType.DECIMAL)
			.build();
	}

	/**
	 * Returns an event of the given fields, in their order.
	 * @param keyValues field names, each followed by its value
	 * @return the event
	 */
	public static Map<String, Object> event(Object... keyValues) {
		Map<String, Object> event = new LinkedHashMap<>();
		for (int i = 0; i < keyValues.length; i += 2) {
			event.put((String) keyValues[i], keyValues[i + 1]);
		}
		return event;
	}

	/**
	 * Returns events with an {@code amount} of 0 to {@code count - 1}.
	 * @param count how many
	 * @return the events
	 */
	public static List<Map<String, Object>> amounts(int count) {
		List<Map<String, Object>> events = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			events.add(event("amount", i));
		}
		return events;
	}

	/**
	 * Reads every event of a stream, page by page.
	 * @param store the store
	 * @param stream the stream
	 * @return the events, in rowid order
	 */
	public static List<StoredEvent> readAll(StreamStore store, String stream) {
		List<StoredEvent> all = new ArrayList<>();
		List<StoredEvent> page;
		while (!(page = store.readAfter(stream, all.isEmpty() ? 0 : all.get(all.size() - 1).rowid(), 5_000))
			.isEmpty()) {
			all.addAll(page);
		}
		return all;
	}

	/**
	 * Returns the rowids {@code first} to {@code last}.
	 * @param first the first rowid
	 * @param last the last rowid
	 * @return the rowids, ascending
	 */
	public static List<Long> rowids(long first, long last) {
		List<Long> rowids = new ArrayList<>();
		for (long rowid = first; rowid <= last; rowid++) {
			rowids.add(rowid);
		}
		return rowids;
	}

	/**
	 * Waits for a condition a store reaches asynchronously, such as listeners told from a delivery thread of the
	 * store's own after the append returned; fails after a generous bound.
	 * @param condition the condition
	 * @throws InterruptedException when interrupted while waiting
	 */
	public static void awaitCondition(BooleanSupplier condition) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError("Condition not reached within 60 s");
			}
			Thread.sleep(10);
		}
	}

	/**
	 * Checks a store whose writer queue holds one publish, while its writer is held on {@code held}: one more publish
	 * is queued, the next is refused at once rather than after waiting for room, and once the writer is released both
	 * held and queued publishes are stored.
	 * @param store the store, with the {@link #orders()} stream ensured
	 * @param held the publish the writer is held on
	 * @param release releases the writer
	 * @throws Exception when releasing the writer or a publish fails
	 */
	public static void assertAFullWriterQueueRefusesPublishesAtOnce(StreamStore store,
			CompletableFuture<PublishResult> held, WriterRelease release) throws Exception {
		CompletableFuture<PublishResult> queued = store.append("orders", List.of(event("amount", 2)));
		// Refused at once, not after waiting for room: the future has already failed when append returns.
		CompletableFuture<PublishResult> refused = store.append("orders", List.of(event("amount", 3)));
		assertThat(refused).isCompletedExceptionally();
		assertThatThrownBy(refused::join).hasCauseInstanceOf(StoreException.class).hasMessageContaining("overloaded");
		release.release();
		assertThat(held.get(30, TimeUnit.SECONDS).firstRowid()).isEqualTo(1);
		assertThat(queued.get(30, TimeUnit.SECONDS).firstRowid()).isEqualTo(2);
		assertThat(store.describe("orders").rowCount()).isEqualTo(2);
	}

	/**
	 * Lets a held writer go on.
	 */
	@FunctionalInterface
	public interface WriterRelease {

		/**
		 * Releases the writer.
		 * @throws Exception when it cannot
		 */
		void release() throws Exception;

	}

}
