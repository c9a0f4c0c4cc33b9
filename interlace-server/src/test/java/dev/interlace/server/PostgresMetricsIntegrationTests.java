package dev.interlace.server;

import java.time.Duration;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.interlace.server.InterlaceServerTest.Database;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store meters of a server on PostgreSQL: group commits, rows and consumer lag as scraped.
 */
@InterlaceServerTest(database = Database.POSTGRESQL, properties = "interlace.metrics.refresh-interval=100ms")
@ActiveProfiles("pg")
class PostgresMetricsIntegrationTests {

	static final Duration TIMEOUT = Duration.ofSeconds(10);

	@Autowired
	WebTestClient client;

	@Autowired
	StreamsApi api;

	@Test
	void scrapeShowsCommitsRowsAndLagOfThePostgresStore() throws Exception {
		this.api.post("/api/v1/streams/pg_orders", "[{\"order_id\":\"a\"},{\"order_id\":\"b\"},{\"order_id\":\"c\"}]")
			.expectStatus()
			.isAccepted();
		this.api.post("/api/v1/streams/pg_orders", "{\"order_id\":\"d\"}").expectStatus().isAccepted();
		this.api.post("/api/v1/streams/pg_orders/ack", "{\"consumer\":\"billing\",\"event_ids\":[3]}")
			.expectStatus()
			.isOk();

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

	private PrometheusScrape awaitScrape(Predicate<PrometheusScrape> condition) throws InterruptedException {
		return PrometheusScrape.await(this.client, TIMEOUT, condition);
	}

}
