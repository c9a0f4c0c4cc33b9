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
