package dev.interlace.core.store.duckdb;

import java.nio.file.Path;

import org.junit.jupiter.api.io.TempDir;

import dev.interlace.core.engine.IdempotentPublishContractTests;
import dev.interlace.core.store.StreamStore;

/**
 * Keyed publishes on a DuckDB file: the single writer runs their transactions one at a time.
 */
class DuckDbIdempotentPublishTests extends IdempotentPublishContractTests {

	@TempDir
	Path directory;

	@Override
	protected StreamStore openStore() {
		return new DuckDbStreamStore(this.directory.resolve("interlace.duckdb").toString());
	}

}
