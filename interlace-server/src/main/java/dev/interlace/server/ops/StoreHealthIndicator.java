package dev.interlace.server.ops;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

import dev.interlace.autoconfigure.InterlaceStores;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.engine.DefaultStreams;
import dev.interlace.core.store.StreamStore;
import dev.interlace.core.store.duckdb.DuckDbStreamStore;
import dev.interlace.core.store.postgres.PostgresStreamStore;

/**
 * Health of one connection: whether its database answers a cheap query (a read past the last rowid, through the
 * store and so through its circuit breaker: while the breaker refuses calls the connection is down), and how many
 * operations wait for the store's writer.
 * <p>
 * Boot calls it off the event loops (on its bounded-elastic scheduler), as it blocks on the database.
 *
 * @since 0.1.0
 */
public final class StoreHealthIndicator implements HealthIndicator {

	private final StreamStore store;

	private final @Nullable String probeStream;

	private final List<String> streams;

	/**
	 * Creates the indicator of one connection.
	 * @param store the connection's store
	 * @param streams the streams it holds; the first serves as the probe
	 */
	public StoreHealthIndicator(StreamStore store, List<String> streams) {
		this.store = store;
		this.streams = List.copyOf(streams);
		this.probeStream = streams.isEmpty() ? null : streams.get(0);
	}

	@Override
	public Health health() {
		Health.Builder builder = Health.unknown().withDetail("database", database(this.store));
		if (this.store instanceof DuckDbStreamStore duckDb) {
			builder.withDetail("writerQueueDepth", duckDb.getQueueDepth());
		}
		else if (this.store instanceof PostgresStreamStore postgres) {
			builder.withDetail("writerQueueDepth", postgres.getQueueDepth());
		}
		builder.withDetail("streams", this.streams);
		if (this.probeStream == null) {
			// Nothing to probe through: no stream lives here, so nothing served depends on it.
			return builder.up().withDetail("probe", "none (no streams)").build();
		}
		try {
			// A read past the last rowid: one index lookup that returns nothing, on any store.
			this.store.readAfter(this.probeStream, Long.MAX_VALUE, 1);
			return builder.up().build();
		}
		catch (RuntimeException ex) {
			return builder.down().withDetail("error", String.valueOf(ex.getMessage())).build();
		}
	}

	private static String database(StreamStore store) {
		if (store instanceof DuckDbStreamStore) {
			return "DuckDB";
		}
		if (store instanceof PostgresStreamStore) {
			return "PostgreSQL";
		}
		return store.getClass().getSimpleName();
	}

	/**
	 * Creates one indicator per connection.
	 * @param stores the stores by connection name
	 * @param streams the streams, for the connection each lives in
	 * @return the contributor, a component per connection
	 */
	static CompositeHealthContributor perConnection(InterlaceStores stores, DefaultStreams streams) {
		Map<String, StoreHealthIndicator> indicators = new LinkedHashMap<>();
		stores.asMap().forEach((connection, store) -> {
			List<String> names = streams.definitions()
				.stream()
				.filter((definition) -> definition.connection().equals(connection))
				.map(StreamDefinition::name)
				.toList();
			indicators.put(connection, new StoreHealthIndicator(store, names));
		});
		return CompositeHealthContributor.fromMap(indicators);
	}

}
