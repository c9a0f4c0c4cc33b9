package dev.interlace.core.store;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.interlace.core.FieldType;
import dev.interlace.core.InvalidEventException;
import dev.interlace.core.StoredEvent;
import dev.interlace.core.StreamDefinition;

import static dev.interlace.core.store.StoreTestSupport.awaitCondition;
import static dev.interlace.core.store.StoreTestSupport.event;
import static dev.interlace.core.store.StoreTestSupport.orders;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract every {@link StreamStore} keeps with its {@link CommitListener}s: each listener is told of every
 * commit from when it was added until it is removed, one commit at a time, in rowid order, after the listeners added
 * before it and only of the streams it wants; one that throws keeps no other from hearing of the commit. Each backend
 * extends this class with a factory that opens a store on durable storage.
 */
public abstract class CommitListenerContractTests {

	protected StreamStore store;

	/**
	 * Opens a store on this test's storage.
	 * @return the store
	 */
	protected abstract StreamStore openStore();

	@BeforeEach
	void openTheStore() {
		this.store = openStore();
	}

	@AfterEach
	void closeTheStore() {
		this.store.close();
	}

	@Test
	void commitListenerReceivesEachCommitInRowidOrder() throws Exception {
		List<StoredEvent> seen = new CopyOnWriteArrayList<>();
		this.store.addCommitListener((stream, events) -> seen.addAll(events));
		this.store.ensureStream(orders());
		this.store.appendAndWait("orders", List.of(event("order_id", "a"), event("order_id", "b")));
		this.store.appendAndWait("orders", List.of(event("order_id", "c")));
		assertThat(seen).extracting(StoredEvent::rowid).containsExactly(1L, 2L, 3L);
		assertThat(seen).extracting((e) -> e.data().get("order_id")).containsExactly("a", "b", "c");
		assertThat(seen).isEqualTo(this.store.readAfter("orders", 0, 10));
	}

	@Test
	void everyCommitListenerHearsEachCommitAndOneThatThrowsStopsNoOther() throws Exception {
		List<String> first = new CopyOnWriteArrayList<>();
		List<Long> second = new CopyOnWriteArrayList<>();
		List<Long> removed = new CopyOnWriteArrayList<>();
		CommitListener removedListener = (stream, events) -> events.forEach((event) -> removed.add(event.rowid()));
		this.store.addCommitListener(
				(stream, events) -> events.forEach((event) -> first.add(stream + ":" + event.rowid())));
		this.store.addCommitListener((stream, events) -> {
			throw new IllegalStateException("a listener that fails");
		});
		this.store.addCommitListener(removedListener);
		this.store.addCommitListener(new CommitListener() {

			@Override
			public void committed(String stream, List<StoredEvent> events) {
				events.forEach((event) -> second.add(event.rowid()));
			}

			@Override
			public boolean wants(String stream) {
				return stream.equals("orders");
			}

		});
		this.store.ensureStream(orders());
		this.store.ensureStream(StreamDefinition.builder("other").field("order_id", FieldType.STRING).build());
		this.store.appendAndWait("orders", List.of(event("order_id", "a"), event("order_id", "b")));
		awaitCondition(() -> removed.size() >= 2);
		this.store.removeCommitListener(removedListener);
		this.store.appendAndWait("other", List.of(event("order_id", "x")));
		this.store.appendAndWait("orders", List.of(event("order_id", "c")));
		awaitCondition(() -> second.size() >= 3);
		awaitCondition(() -> first.size() >= 4);
		// Each stream's commits arrive in rowid order; two streams' deliveries may interleave either way.
		assertThat(first).containsExactlyInAnyOrder("orders:1", "orders:2", "other:1", "orders:3");
		assertThat(first).filteredOn((entry) -> entry.startsWith("orders:"))
			.containsExactly("orders:1", "orders:2", "orders:3");
		assertThat(second).containsExactly(1L, 2L, 3L);
		assertThat(removed).containsExactly(1L, 2L);
	}

	@Test
	void listenersAreToldOfACommitOneAfterAnotherInTheOrderTheyWereAdded() throws Exception {
		List<String> heard = new CopyOnWriteArrayList<>();
		for (String name : List.of("first", "second", "third")) {
			this.store.addCommitListener(
					(stream, events) -> events.forEach((event) -> heard.add(name + ":" + event.rowid())));
		}
		this.store.ensureStream(orders());
		this.store.appendAndWait("orders", List.of(event("order_id", "a"), event("order_id", "b")));
		awaitCondition(() -> heard.size() >= 6);
		this.store.appendAndWait("orders", List.of(event("order_id", "c")));
		awaitCondition(() -> heard.size() >= 9);
		assertThat(heard).containsExactly("first:1", "first:2", "second:1", "second:2", "third:1", "third:2",
				"first:3", "second:3", "third:3");
	}

	@Test
	void aListenerAddedLaterIsToldOnlyOfLaterCommits() throws Exception {
		List<Long> early = new CopyOnWriteArrayList<>();
		List<Long> late = new CopyOnWriteArrayList<>();
		this.store.addCommitListener((stream, events) -> events.forEach((event) -> early.add(event.rowid())));
		this.store.ensureStream(orders());
		this.store.appendAndWait("orders", List.of(event("order_id", "a")));
		awaitCondition(() -> early.size() >= 1);
		this.store.addCommitListener((stream, events) -> events.forEach((event) -> late.add(event.rowid())));
		this.store.appendAndWait("orders", List.of(event("order_id", "b")));
		awaitCondition(() -> early.size() >= 2 && late.size() >= 1);
		assertThat(early).containsExactly(1L, 2L);
		assertThat(late).containsExactly(2L);
	}

	@Test
	void aRejectedPublishIsToldToNoListener() throws Exception {
		List<StoredEvent> heard = new CopyOnWriteArrayList<>();
		this.store.addCommitListener((stream, events) -> heard.addAll(events));
		this.store.ensureStream(orders());
		assertThatThrownBy(() -> this.store.appendAndWait("orders",
				List.of(event("order_id", "bad", "amount", 1), event("amount", "not a number"))))
			.isInstanceOf(InvalidEventException.class);
		this.store.appendAndWait("orders", List.of(event("order_id", "good")));
		awaitCondition(() -> !heard.isEmpty());
		assertThat(heard).extracting((event) -> event.data().get("order_id")).containsExactly("good");
		assertThat(heard).extracting(StoredEvent::rowid).containsExactly(1L);
	}

	@Test
	void removingAListenerThatWasNeverAddedChangesNothing() throws Exception {
		List<Long> heard = new CopyOnWriteArrayList<>();
		this.store.removeCommitListener((stream, events) -> heard.add(-1L));
		this.store.addCommitListener((stream, events) -> events.forEach((event) -> heard.add(event.rowid())));
		this.store.removeCommitListener((stream, events) -> heard.add(-1L));
		this.store.ensureStream(orders());
		this.store.appendAndWait("orders", List.of(event("order_id", "a"), event("order_id", "b")));
		awaitCondition(() -> heard.size() >= 2);
		assertThat(heard).containsExactly(1L, 2L);
	}

}
