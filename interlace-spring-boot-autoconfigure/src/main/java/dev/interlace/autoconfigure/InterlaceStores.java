package dev.interlace.autoconfigure;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.util.Assert;

import dev.interlace.core.store.DatabaseStores;
import dev.interlace.core.store.StreamStore;

/**
 * The stores holding streams, by connection name, and the {@link DatabaseStores capabilities} each connection's
 * database offers (streams always; cursors and transactions when its store implements them). Closing it closes the
 * stores it was given to own, newest first, then the resources they run on (such as the connection pools opened for
 * them), and leaves the others (such as an application's own {@link StreamStore} bean) to whoever created them.
 *
 * @since 0.1.0
 */
public final class InterlaceStores implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(InterlaceStores.class);

	private final Map<String, StreamStore> stores;

	private final Map<String, DatabaseStores> databases;

	private final List<StreamStore> owned;

	private final List<AutoCloseable> resources;

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
		this(stores, owned, List.of());
	}

	/**
	 * Holds stores, closing {@code owned} and then {@code resources} on {@link #close()}.
	 * @param stores stores by connection name
	 * @param owned the stores among them to close, in creation order
	 * @param resources what the owned stores run on, in creation order, closed after every owned store
	 */
	public InterlaceStores(Map<String, ? extends StreamStore> stores, Collection<? extends StreamStore> owned,
			Collection<? extends AutoCloseable> resources) {
		Assert.notNull(stores, "'stores' must not be null");
		Assert.notNull(owned, "'owned' must not be null");
		Assert.notNull(resources, "'resources' must not be null");
		Set<StreamStore> held = Collections.newSetFromMap(new IdentityHashMap<>());
		held.addAll(stores.values());
		for (StreamStore store : owned) {
			Assert.isTrue(held.contains(store), "'owned' must hold only stores in 'stores'");
		}
		this.stores = Collections.unmodifiableMap(new LinkedHashMap<>(stores));
		Map<String, DatabaseStores> databases = new LinkedHashMap<>();
		this.stores.forEach((connection, store) -> databases.put(connection, DatabaseStores.of(store)));
		this.databases = Collections.unmodifiableMap(databases);
		this.owned = List.copyOf(owned);
		this.resources = List.copyOf(resources);
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
	 * Returns the capability stores of each connection's database.
	 * @return the stores by connection name, in the order of {@link #asMap()}
	 * @since 0.2.0
	 */
	public Map<String, DatabaseStores> databases() {
		return this.databases;
	}

	/**
	 * Returns the capability stores of a connection's database: its streams, and its cursors and transactions when
	 * its store offers them.
	 * @param connection the connection name
	 * @return the stores, or {@code null} when no such connection exists
	 * @since 0.2.0
	 */
	public @Nullable DatabaseStores stores(String connection) {
		return this.databases.get(connection);
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
	 * Returns the resources closed after the owned stores, such as the connection pools opened for them.
	 * @return the resources, in creation order
	 */
	List<AutoCloseable> resources() {
		return this.resources;
	}

	/**
	 * Closes the owned stores, newest first, then the resources; a failure to close one does not keep the others
	 * open.
	 */
	@Override
	public void close() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		List<AutoCloseable> newestFirst = new ArrayList<>(this.owned);
		Collections.reverse(newestFirst);
		List<AutoCloseable> resources = new ArrayList<>(this.resources);
		Collections.reverse(resources);
		newestFirst.addAll(resources);
		RuntimeException failure = null;
		for (AutoCloseable closeable : newestFirst) {
			try {
				closeable.close();
			}
			catch (Exception ex) {
				logger.warn("Failed to close " + closeable, ex);
				RuntimeException runtime = (ex instanceof RuntimeException unchecked) ? unchecked
						: new IllegalStateException("Failed to close " + closeable, ex);
				if (failure == null) {
					failure = runtime;
				}
				else {
					failure.addSuppressed(runtime);
				}
			}
		}
		if (failure != null) {
			throw failure;
		}
	}

}
