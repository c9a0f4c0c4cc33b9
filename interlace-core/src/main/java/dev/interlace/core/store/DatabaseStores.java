package dev.interlace.core.store;

import org.jspecify.annotations.Nullable;

/**
 * The stores one database offers, one per capability. A backend's store usually offers them all as one object; an
 * application's own {@link StreamStore} may offer streams alone, and the engine then refuses what needs the rest
 * (consume and acknowledge need cursors).
 *
 * @param streams the streams store
 * @param cursors the cursor store, or {@code null} when the database keeps no cursors
 * @param transactions the transactions, or {@code null} when the database offers none
 * @param groups the consumer groups, or {@code null} when the database keeps none
 * @since 0.2.0
 */
public record DatabaseStores(StreamStore streams, @Nullable CursorStore cursors,
		@Nullable StoreTransactions transactions, @Nullable ConsumerGroupStore groups) {

	/**
	 * Creates the stores of a database that keeps no consumer groups.
	 * @param streams the streams store
	 * @param cursors the cursor store, or {@code null}
	 * @param transactions the transactions, or {@code null}
	 */
	public DatabaseStores(StreamStore streams, @Nullable CursorStore cursors,
			@Nullable StoreTransactions transactions) {
		this(streams, cursors, transactions, null);
	}

	/**
	 * Returns the capabilities a store object offers, by the SPIs it implements.
	 * @param store the store
	 * @return its stores
	 */
	public static DatabaseStores of(StreamStore store) {
		return new DatabaseStores(store, (store instanceof CursorStore cursors) ? cursors : null,
				(store instanceof StoreTransactions transactions) ? transactions : null,
				(store instanceof ConsumerGroupStore groups) ? groups : null);
	}

}
