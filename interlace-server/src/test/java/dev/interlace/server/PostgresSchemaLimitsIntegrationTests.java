package dev.interlace.server;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.interlace.core.store.postgres.TestPostgres;

/**
 * Schema limits and extreme numbers over HTTP on a real PostgreSQL database of this class's own.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
@ActiveProfiles("limits")
@DirtiesContext
class PostgresSchemaLimitsIntegrationTests extends SchemaLimitsIntegrationTestSupport {

	static final String DATABASE = TestPostgres.shared().createDatabase();

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		registry.add("spring.datasource.url", () -> TestPostgres.shared().jdbcUrl(DATABASE));
		registry.add("spring.datasource.username", () -> TestPostgres.shared().username());
		registry.add("spring.datasource.password", () -> "unused-by-trust-auth");
	}

}
