package dev.interlace.core.store.postgres;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.zaxxer.hikari.HikariDataSource;

import dev.interlace.core.FieldType;
import dev.interlace.core.StreamDefinition;

/**
 * A fresh database on the shared test server, the stores opened on it (each with its own pool, as separate server
 * instances have), and a thread pool for their callers. Closing stops the threads, then closes stores and pools in
 * reverse order of opening.
 */
final class StoreInstances implements AutoCloseable {

	/** The stream the multi-instance tests load: who published it, from which thread, in which order. */
	static final StreamDefinition TICKS = StreamDefinition.builder("ticks")
		.field("instance", FieldType.STRING)
		.field("thread", FieldType.INT32)
		.field("seq", FieldType.INT32)
		.build();

	final String database = TestPostgres.shared().createDatabase();

	final ExecutorService pool = Executors.newCachedThreadPool();

	private final List<AutoCloseable> resources = new ArrayList<>();

	/**
	 * Opens a pool on the database, closed with the instances.
	 * @return the pool
	 */
	synchronized HikariDataSource dataSource() {
		HikariDataSource dataSource = TestPostgres.shared().dataSource(this.database);
		this.resources.add(dataSource);
		return dataSource;
	}

	PostgresStreamStore open() {
		return open(PostgresStreamStore.Options.DEFAULTS);
	}

	PostgresStreamStore open(PostgresStreamStore.Options options) {
		PostgresStreamStore store = new PostgresStreamStore(dataSource(), options);
		synchronized (this) {
			this.resources.add(store);
		}
		return store;
	}

	@Override
	public synchronized void close() throws Exception {
		this.pool.shutdownNow();
		for (int i = this.resources.size() - 1; i >= 0; i--) {
			this.resources.get(i).close();
		}
	}

}
