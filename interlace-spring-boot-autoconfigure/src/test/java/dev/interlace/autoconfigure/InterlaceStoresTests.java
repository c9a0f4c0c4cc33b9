package dev.interlace.autoconfigure;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.interlace.core.StoreException;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.store.StreamStore;
import dev.interlace.core.store.duckdb.DuckDbStreamStore;

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

	private DuckDbStreamStore store(String name) {
		return new DuckDbStreamStore(this.temp.resolve(name + ".duckdb").toString());
	}

}
