package dev.interlace.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import dev.interlace.core.store.postgres.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Actuator health: one component per connection under {@code interlace}, and a readiness probe that fails while a
 * connection's database is unavailable and recovers by itself.
 */
class HealthIntegrationTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@TempDir
	Path temp;

	@Test
	void healthHasAComponentPerConnectionWithItsWriterQueueDepth() {
		try (ConfigurableApplicationContext server = new SpringApplicationBuilder(InterlaceServerApplication.class)
			.run("--server.port=0", "--spring.main.banner-mode=off",
					"--interlace.connections.default.path=" + this.temp.resolve("health.duckdb"),
					"--interlace.connections.spare.path=:memory:")) {
			HttpJson http = HttpJson.of(server);
			HttpJson.Answer health = http.get("/actuator/health");
			assertThat(health.status()).as("%s", health).isEqualTo(200);
			JsonNode connections = JSON.readTree(health.body()).path("components").path("interlace").path("components");
			JsonNode main = connections.path("default");
			assertThat(main.path("status").asString()).isEqualTo("UP");
			assertThat(main.path("details").path("database").asString()).isEqualTo("DuckDB");
			assertThat(main.path("details").path("writerQueueDepth").isInt()).isTrue();
			assertThat(main.path("details").path("streams").valueStream().map(JsonNode::asString))
				.contains("orders", "clicks");
			assertThat(connections.path("spare").path("status").asString()).isEqualTo("UP");
			assertThat(connections.path("spare").path("details").path("probe").asString()).startsWith("none");

			HttpJson.Answer readiness = http.get("/actuator/health/readiness");
			assertThat(readiness.status()).as("%s", readiness).isEqualTo(200);
			assertThat(JSON.readTree(readiness.body()).path("components").has("interlace")).isTrue();
			assertThat(http.get("/actuator/health/liveness").status()).isEqualTo(200);
		}
	}

	@Test
	void readinessIsDownWhilePostgresqlIsStoppedAndUpAgainByItself() throws Exception {
		try (TestPostgres postgres = TestPostgres.dedicated()) {
			String database = postgres.createDatabase();
			try (ConfigurableApplicationContext server = PostgresOutageIntegrationTests.start(postgres, database)) {
				HttpJson http = HttpJson.of(server);
				assertThat(http.get("/actuator/health/readiness").status()).isEqualTo(200);

				postgres.stop();
				await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
					HttpJson.Answer readiness = http.get("/actuator/health/readiness");
					assertThat(readiness.status()).as("%s", readiness).isEqualTo(503);
					assertThat(readiness.body()).contains("\"DOWN\"");
				});
				HttpJson.Answer liveness = http.get("/actuator/health/liveness");
				assertThat(liveness.status()).as("liveness during the outage: %s", liveness).isEqualTo(200);
				Map<?, ?> health = JSON.readValue(http.get("/actuator/health").body(), Map.class);
				assertThat(health.get("status")).isEqualTo("DOWN");

				postgres.restart();
				await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
					HttpJson.Answer readiness = http.get("/actuator/health/readiness");
					assertThat(readiness.status()).as("%s", readiness).isEqualTo(200);
				});
			}
		}
	}

}
