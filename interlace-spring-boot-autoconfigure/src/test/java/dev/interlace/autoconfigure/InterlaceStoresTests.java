package dev.interlace.autoconfigure;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.interlace.core.StoreException;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.engine.DefaultStreams;
import dev.interlace.core.store.DatabaseStores;
import dev.interlace.core.store.StreamStore;
import dev.interlace.core.store.duckdb.DuckDbStreamStore;
import dev.interlace.core.store.postgres.PostgresStreamStore;
import dev.interlace.core.store.postgres.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link InterlaceStores}.
 */
class InterlaceStoresTests {

	@TempDir
	Path temp;

	@Test
	void closeClosesOnlyTheOwnedStores() {
		try (DuckDbStreamStore foreign = store("foreign")) {
			DuckDbStreamStore owned = store("owned");
			Map<String, StreamStore> stores = new LinkedHashMap<>();
			stores.put("default", foreign);
			stores.put("archive", owned);
			InterlaceStores interlaceStores = new InterlaceStores(stores, List.of(owned));
			interlaceStores.close();
			assertThat(foreign.ensureStream(StreamDefinition.builder("open").build())).isNotNull();
			assertThatExceptionOfType(StoreException.class)
				.isThrownBy(() -> owned.ensureStream(StreamDefinition.builder("closed").build()));
		}
	}

	@Test
	void closeClosesTheResourcesAfterTheOwnedStoresNewestFirst() {
		List<String> closed = new java.util.ArrayList<>();
		StreamStore store = (StreamStore) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
				new Class<?>[] { StreamStore.class }, (proxy, method, args) -> {
					if (method.getName().equals("close")) {
						closed.add("store");
					}
					return null;
				});
		AutoCloseable first = () -> closed.add("first resource");
		AutoCloseable second = () -> closed.add("second resource");
		new InterlaceStores(Map.of("default", store), List.of(store), List.of(first, second)).close();
		assertThat(closed).containsExactly("store", "second resource", "first resource");
	}

	@Test
	void aResourceThatFailsToCloseLeavesNoOtherOpen() {
		List<String> closed = new java.util.ArrayList<>();
		AutoCloseable failing = () -> {
			throw new java.io.IOException("pool stuck");
		};
		AutoCloseable other = () -> closed.add("other");
		InterlaceStores stores = new InterlaceStores(Map.of(), List.of(), List.of(other, failing));
		org.assertj.core.api.Assertions.assertThatIllegalStateException()
			.isThrownBy(stores::close)
			.withCauseInstanceOf(java.io.IOException.class);
		assertThat(closed).containsExactly("other");
	}

	@Test
	void ownedStoresMustBeAmongTheStores() {
		try (DuckDbStreamStore stranger = store("stranger")) {
			assertThatIllegalArgumentException().isThrownBy(() -> new InterlaceStores(Map.of(), List.of(stranger)))
				.withMessage("'owned' must hold only stores in 'stores'");
		}
	}

	@Test
	void getDefaultReturnsTheDefaultConnectionsStore() {
		try (DuckDbStreamStore store = store("default")) {
			assertThat(new InterlaceStores(Map.of("default", store)).getDefault()).isSameAs(store);
		}
	}

	@Test
	void storeThatOffersOnlyStreamsReportsNoCursors() {
		try (DuckDbStreamStore duckDb = store("streams-only")) {
			StreamStore streamsOnly = streamsOnly(duckDb);
			DatabaseStores stores = new InterlaceStores(Map.of("default", streamsOnly)).stores("default");
			assertThat(stores).isNotNull();
			assertThat(stores.streams()).isSameAs(streamsOnly);
			assertThat(stores.cursors()).isNull();
			assertThat(stores.transactions()).isNull();
		}
	}

	@Test
	void duckDbStoreOffersCursors() {
		try (DuckDbStreamStore store = store("cursors")) {
			InterlaceStores stores = new InterlaceStores(Map.of("default", store));
			assertThat(stores.stores("default").streams()).isSameAs(store);
			assertThat(stores.stores("default").cursors()).isSameAs(store);
			assertThat(stores.databases()).containsOnlyKeys("default");
			assertThat(stores.stores("other")).isNull();
		}
	}

	@Test
	void postgresStoreOffersCursors() {
		try (HikariDataSource dataSource = TestPostgres.shared().newDatabase();
				PostgresStreamStore store = new PostgresStreamStore(dataSource)) {
			DatabaseStores stores = new InterlaceStores(Map.of("default", store)).stores("default");
			assertThat(stores.streams()).isSameAs(store);
			assertThat(stores.cursors()).isSameAs(store);
		}
	}

	@Test
	void lagMetricsAreSkippedForAStoreWithoutCursors() {
		try (DuckDbStreamStore duckDb = store("no-lag")) {
			StreamStore streamsOnly = streamsOnly(duckDb);
			DefaultStreams streams = new DefaultStreams(List.of(StreamDefinition.builder("orders").build()),
					Map.of("default", streamsOnly));
			streams.publishBlocking("orders", Map.of("n", 1));
			SimpleMeterRegistry registry = new SimpleMeterRegistry();
			StreamStatisticsMeters meters = new StreamStatisticsMeters(streams,
					new InterlaceStores(Map.of("default", streamsOnly)), registry, Duration.ofHours(1));
			meters.refresh();
			assertThat(registry.get(StreamStatisticsMeters.STREAM_ROWS).tag("stream", "orders").gauge().value())
				.isEqualTo(1);
			assertThat(registry.find(StreamStatisticsMeters.CONSUMER_LAG).gauges()).isEmpty();
		}
	}

	/** A store offering the streams of {@code store} and nothing else, as an application's own store may. */
	private static StreamStore streamsOnly(StreamStore store) {
		return (StreamStore) java.lang.reflect.Proxy.newProxyInstance(InterlaceStoresTests.class.getClassLoader(),
				new Class<?>[] { StreamStore.class }, (proxy, method, args) -> {
					try {
						return method.invoke(store, args);
					}
					catch (java.lang.reflect.InvocationTargetException ex) {
						throw ex.getCause();
					}
				});
	}

	private DuckDbStreamStore store(String name) {
		return new DuckDbStreamStore(this.temp.resolve(name + ".duckdb").toString());
	}

}
