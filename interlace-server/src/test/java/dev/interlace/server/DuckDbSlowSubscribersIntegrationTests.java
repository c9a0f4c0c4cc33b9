package dev.interlace.server;

import java.nio.file.Path;

import org.junit.jupiter.api.io.TempDir;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * {@link SlowSubscribersIntegrationTests} on a DuckDB file.
 */
class DuckDbSlowSubscribersIntegrationTests extends SlowSubscribersIntegrationTests {

	@TempDir
	static Path data;

	@DynamicPropertySource
	static void dataFile(DynamicPropertyRegistry registry) {
		registry.add("interlace.connections.default.path", () -> data.resolve("interlace.duckdb").toString());
	}

}
