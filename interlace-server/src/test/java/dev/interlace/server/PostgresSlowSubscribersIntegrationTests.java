package dev.interlace.server;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.interlace.core.store.postgres.TestPostgres;

/**
 * {@link SlowSubscribersIntegrationTests} on PostgreSQL, where live events reach subscribers through
 * {@code LISTEN/NOTIFY} and a read of the committed rows.
 */
class PostgresSlowSubscribersIntegrationTests extends SlowSubscribersIntegrationTests {

	static final String DATABASE = TestPostgres.shared().createDatabase();

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		registry.add("spring.datasource.url", () -> TestPostgres.shared().jdbcUrl(DATABASE));
		registry.add("spring.datasource.username", () -> TestPostgres.shared().username());
		registry.add("spring.datasource.password", () -> "unused-by-trust-auth");
	}

}
