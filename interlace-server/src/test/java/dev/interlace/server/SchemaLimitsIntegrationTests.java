package dev.interlace.server;

import java.nio.file.Path;

import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Schema limits and extreme numbers over HTTP on a DuckDB file of this class's own.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
@ActiveProfiles("limits")
@DirtiesContext
class SchemaLimitsIntegrationTests extends SchemaLimitsIntegrationTestSupport {

	@TempDir
	static Path data;

	@DynamicPropertySource
	static void dataFile(DynamicPropertyRegistry registry) {
		registry.add("interlace.connections.default.path", () -> data.resolve("interlace.duckdb").toString());
	}

}
