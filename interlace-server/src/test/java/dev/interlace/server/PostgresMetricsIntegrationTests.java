package dev.interlace.server;

import java.time.Duration;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.interlace.core.store.postgres.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store meters of a server on PostgreSQL: group commits, rows and consumer lag as scraped.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "interlace.metrics.refresh-interval=100ms")
@AutoConfigureWebTestClient
@ActiveProfiles("pg")
class PostgresMetricsIntegrationTests {

	static final Duration TIMEOUT = Duration.ofSeconds(10);

	static final String DATABASE = TestPostgres.shared().createDatabase();

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		registry.add("spring.datasource.url", () -> TestPostgres.shared().jdbcUrl(DATABASE));
		registry.add("spring.datasource.username", () -> TestPostgres.shared().username());
		registry.add("spring.datasource.password", () -> "unused-by-trust-auth");
	}

	@Autowired
	WebTestClient client;

	@Test
	void scrapeShowsCommitsRowsAndLagOfThePostgresStore() throws Exception {
		post("/api/v1/streams/pg_orders", "[{\"order_id\":\"a\"},{\"order_id\":\"b\"},{\"order_id\":\"c\"}]")
			.expectStatus()
			.isAccepted();
		post("/api/v1/streams/pg_orders", "{\"order_id\":\"d\"}").expectStatus().isAccepted();
		post("/api/v1/streams/pg_orders/ack", "{\"consumer\":\"billing\",\"event_ids\":[3]}").expectStatus().isOk();

		PrometheusScrape scrape = awaitScrape((candidate) -> candidate
			.value("interlace_consumer_lag{consumer=\"billing\",stream=\"pg_orders\"}") == 1
				&& candidate.value("interlace_stream_rows{stream=\"pg_orders\"}") == 4);
		assertThat(scrape.value("interlace_stream_rows{stream=\"pg_orders\"}")).isEqualTo(4);
		assertThat(scrape.value("interlace_consumer_lag{consumer=\"billing\",stream=\"pg_orders\"}")).isEqualTo(1);
		assertThat(scrape.value("interlace_store_commit_rows_sum{connection=\"default\"}")).isEqualTo(4);
		assertThat(scrape.value("interlace_store_commit_rows_count{connection=\"default\"}")).isBetween(1.0, 2.0);
		assertThat(scrape.value("interlace_store_commit_latency_seconds_count{connection=\"default\"}"))
			.isBetween(1.0, 2.0);
		assertThat(scrape.value("interlace_store_commit_latency_seconds_sum{connection=\"default\"}")).isPositive();
		assertThat(scrape.value("interlace_publish_events_total{stream=\"pg_orders\"}")).isEqualTo(4);
	}

	private WebTestClient.ResponseSpec post(String path, String json) {
		return this.client.post().uri(path).contentType(MediaType.APPLICATION_JSON).bodyValue(json).exchange();
	}

	private PrometheusScrape awaitScrape(Predicate<PrometheusScrape> condition) throws InterruptedException {
		long deadline = System.nanoTime() + TIMEOUT.toNanos();
		PrometheusScrape scrape = PrometheusScrape.of(this.client);
		while (!condition.test(scrape) && System.nanoTime() < deadline) {
			Thread.sleep(50);
			scrape = PrometheusScrape.of(this.client);
		}
		return scrape;
	}

}
