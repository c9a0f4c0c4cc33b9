/**
 * The storage SPIs, one per capability, with their model types: {@link dev.interlace.core.store.StreamStore}
 * (append, read, trim, commit listeners), {@link dev.interlace.core.store.CursorStore} (consumer cursors), {@link dev.interlace.core.store.ConsumerGroupStore} (consumer groups and their pending entries) and
 * {@link dev.interlace.core.store.StoreTransactions} (one transaction across them). Backends live in
 * {@code store.duckdb} and {@code store.postgres}; what they share in {@code store.support}, which is not API.
 */
@NullMarked
package dev.interlace.core.store;

import org.jspecify.annotations.NullMarked;
