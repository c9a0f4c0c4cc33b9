package dev.interlace.autoconfigure;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

import dev.interlace.core.store.StreamStore;

/**
 * The stores holding streams, by connection name. Closing it closes the stores it was given to own, newest first, and
 * leaves the others (such as an application's own {@link StreamStore} bean) to whoever created them.
 *
 * @since 0.1.0
 */
public final class InterlaceStores implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(InterlaceStores.class);

	private final Map<String, StreamStore> stores;

	private final List<StreamStore> owned;

	private volatile boolean closed;

	/**
	 * Holds stores that their creator closes.
	 * @param stores stores by connection name
	 */
	public InterlaceStores(Map<String, ? extends StreamStore> stores) {
		this(stores, List.of());
	}

	/**
	 * Holds stores, closing {@code owned} on {@link #close()}.
	 * @param stores stores by connection name
	 * @param owned the stores among them to close, in creation order
	 */
	public InterlaceStores(Map<String, ? extends StreamStore> stores, Collection<? extends StreamStore> owned) {
		Assert.notNull(stores, "'stores' must not be null");
		Assert.notNull(owned, "'owned' must not be null");
		Set<StreamStore> held = Collections.newSetFromMap(new IdentityHashMap<>());
		held.addAll(stores.values());
		for (StreamStore store : owned) {
			Assert.isTrue(held.contains(store), "'owned' must hold only stores in 'stores'");
		}
		this.stores = Collections.unmodifiableMap(new LinkedHashMap<>(stores));
		this.owned = List.copyOf(owned);
	}

	/**
	 * Returns the stores by connection name.
	 * @return the stores
	 */
	public Map<String, StreamStore> asMap() {
		return this.stores;
	}

	/**
	 * Returns the store of a connection.
	 * @param connection the connection name
	 * @return the store, or {@code null} when no such connection exists
	 */
	public @Nullable StreamStore get(String connection) {
		return this.stores.get(connection);
	}

	/**
	 * Returns the store of the {@value InterlaceProperties#DEFAULT_CONNECTION} connection.
	 * @return the store
	 * @throws IllegalStateException when there is none
	 */
	public StreamStore getDefault() {
		StreamStore store = get(InterlaceProperties.DEFAULT_CONNECTION);
		Assert.state(store != null, "No default connection");
		return store;
	}

	/**
	 * Closes the owned stores, newest first; a failure to close one does not keep the others open.
	 */
	@Override
	public void close() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		RuntimeException failure = null;
		List<StreamStore> newestFirst = new ArrayList<>(this.owned);
		Collections.reverse(newestFirst);
		for (StreamStore store : newestFirst) {
			try {
				store.close();
			}
			catch (RuntimeException ex) {
				logger.warn("Failed to close Interlace store " + store, ex);
				if (failure == null) {
					failure = ex;
				}
				else {
					failure.addSuppressed(ex);
				}
			}
		}
		if (failure != null) {
			throw failure;
		}
	}

}
