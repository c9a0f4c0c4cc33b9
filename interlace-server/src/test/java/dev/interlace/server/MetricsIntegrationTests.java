package dev.interlace.server;

import java.time.Duration;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.interlace.autoconfigure.InterlaceMetrics;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Interlace's meters as {@code /actuator/prometheus} serves them, after real traffic on a DuckDB server.
 */
@InterlaceServerTest
@ActiveProfiles("metrics")
@DirtiesContext
class MetricsIntegrationTests {

	static final Duration TIMEOUT = Duration.ofSeconds(10);

	@Autowired
	WebTestClient client;

	@Autowired
	StreamsApi api;

	@Autowired
	InterlaceMetrics metrics;

	@Test
	void scrapeShowsPublishesSubscribersLagRowsCommitsAndRejections() throws Exception {
		String batch = "[{\"order_id\":\"o-1\"},{\"order_id\":\"o-2\"},{\"order_id\":\"o-3\"}]";
		String single = "{\"order_id\":\"o-4\"}";
		this.api.post("/api/v1/streams/m_orders", batch).expectStatus().isAccepted();
		this.api.post("/api/v1/streams/m_orders", single).expectStatus().isAccepted();

		Disposable subscriber = this.client.get()
			.uri("/api/v1/streams/m_orders/subscribe")
			.accept(MediaType.TEXT_EVENT_STREAM)
			.exchange()
			.returnResult(String.class)
			.getResponseBody()
			.subscribe();
		PrometheusScrape live = awaitScrape((scrape) -> scrape.value("interlace_subscribers{stream=\"m_orders\"}") == 1);
		assertThat(live.value("interlace_subscribers{stream=\"m_orders\"}")).isEqualTo(1);

		this.api.post("/api/v1/streams/m_orders/consume", "{\"consumer\":\"billing\",\"batch_size\":10}")
			.expectStatus()
			.isOk();
		this.api.post("/api/v1/streams/m_orders/ack", "{\"consumer\":\"billing\",\"event_ids\":[1]}")
			.expectStatus()
			.isOk();

		this.api.post("/api/v1/streams/m_bearer", single).expectStatus().isEqualTo(HttpStatus.UNAUTHORIZED);
		this.api.post("/api/v1/streams/m_bearer", single).expectStatus().isEqualTo(HttpStatus.UNAUTHORIZED);
		this.api.post("/api/v1/streams/m_limited", single).expectStatus().isAccepted();
		this.api.post("/api/v1/streams/m_limited", single).expectStatus().isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
		this.api.post("/api/v1/streams/m_orders", "{\"order_id\":").expectStatus().isBadRequest();
		this.api.post("/api/v1/streams/m_orders", "{\"order_id\":\"" + "x".repeat(2048) + "\"}").expectStatus()
			.isEqualTo(413);
		this.metrics.retentionDeleted("m_orders", 7);

		subscriber.dispose();
		// The gauges read from the database come from one refresh, which may have counted a stream's rows before the
		// publishes above and read its cursor after the ack: wait for one that began after both.
		PrometheusScrape scrape = awaitScrape((candidate) -> candidate.value("interlace_subscribers{stream=\"m_orders\"}") == 0
				&& candidate.value("interlace_consumer_lag{consumer=\"billing\",stream=\"m_orders\"}") == 3
				&& candidate.value("interlace_stream_rows{stream=\"m_orders\"}") == 4);
		System.out.println(scrape.interlaceLines());

		assertThat(scrape.value("interlace_publish_events_total{stream=\"m_orders\"}")).isEqualTo(4);
		assertThat(scrape.value("interlace_publish_bytes_total{stream=\"m_orders\"}"))
			.isEqualTo(batch.length() + single.length());
		assertThat(scrape.value("interlace_publish_latency_seconds_count{stream=\"m_orders\"}")).isEqualTo(2);
		assertThat(scrape.value("interlace_publish_latency_seconds_sum{stream=\"m_orders\"}")).isPositive();
		assertThat(scrape.text()).contains("interlace_publish_latency_seconds_bucket{stream=\"m_orders\",le=\"");
		assertThat(scrape.value("interlace_publish_events_total{stream=\"m_limited\"}")).isEqualTo(1);
		assertThat(scrape.value("interlace_requests_rejected_total{reason=\"auth\"}")).isEqualTo(2);
		assertThat(scrape.value("interlace_requests_rejected_total{reason=\"rate\"}")).isEqualTo(1);
		assertThat(scrape.value("interlace_requests_rejected_total{reason=\"validation\"}")).isEqualTo(1);
		assertThat(scrape.value("interlace_requests_rejected_total{reason=\"size\"}")).isEqualTo(1);
		assertThat(scrape.value("interlace_subscribers{stream=\"m_orders\"}")).isZero();
		assertThat(scrape.value("interlace_consumer_lag{consumer=\"billing\",stream=\"m_orders\"}")).isEqualTo(3);
		assertThat(scrape.value("interlace_stream_rows{stream=\"m_orders\"}")).isEqualTo(4);
		assertThat(scrape.value("interlace_stream_rows{stream=\"m_bearer\"}")).isZero();
		assertThat(scrape.value("interlace_retention_deleted_total{stream=\"m_orders\"}")).isEqualTo(7);
		assertThat(scrape.value("interlace_store_commit_rows_sum{connection=\"default\"}")).isEqualTo(5);
		assertThat(scrape.value("interlace_store_commit_rows_count{connection=\"default\"}")).isBetween(1.0, 3.0);
		assertThat(scrape.value("interlace_store_commit_latency_seconds_count{connection=\"default\"}"))
			.isBetween(1.0, 3.0);
	}

	@Test
	void scrapeNeedsNoCredentialsAndShowsNoSecrets() {
		PrometheusScrape scrape = PrometheusScrape.of(this.client);
		assertThat(scrape.text()).doesNotContain("metrics-secret-1234");
	}

	@Test
	void scrapeShowsTheLagPendingEntriesAndDeadLettersOfEachConsumerGroupUntilItGoes() throws Exception {
		this.api.post("/api/v1/streams/m_groups/groups", "{\"name\":\"workers\",\"start\":\"0\",\"max_deliveries\":1}")
			.expectStatus()
			.isCreated();
		this.api.post("/api/v1/streams/m_groups", "[{\"n\":1},{\"n\":2},{\"n\":3}]").expectStatus().isAccepted();
		Object id = StreamsApi.okJson(this.api.post("/api/v1/streams/m_groups/groups/workers/read",
				"{\"consumer\":\"a\",\"count\":2}"))
			.get("entries")
			.toString()
			.replaceAll("(?s).*?id=([0-9]+-[0-9]+).*", "$1");
		this.api.post("/api/v1/streams/m_groups/groups/workers/nack", "{\"consumer\":\"a\",\"ids\":[\"" + id + "\"]}")
			.expectStatus()
			.isOk();
		String tags = "{group=\"workers\",stream=\"m_groups\"}";
		// One refresh reads the group's pending count and its dead letters in two queries: the nack may fall between
		// them, so wait for a refresh that began after it.
		PrometheusScrape scrape = awaitScrape((candidate) -> candidate.value("interlace_group_dead_letters" + tags) == 1
				&& candidate.value("interlace_group_pending" + tags) == 1);
		assertThat(scrape.value("interlace_group_pending" + tags)).isEqualTo(1);
		assertThat(scrape.value("interlace_group_lag" + tags)).isEqualTo(1);
		this.client.delete().uri("/api/v1/streams/m_groups/groups/workers").exchange().expectStatus().isNoContent();
		awaitScrape((candidate) -> !candidate.text().contains("interlace_group_pending" + tags));
	}

	private PrometheusScrape awaitScrape(Predicate<PrometheusScrape> condition) throws InterruptedException {
		return PrometheusScrape.await(this.client, TIMEOUT, condition);
	}

}
