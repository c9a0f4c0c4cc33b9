package dev.interlace.server;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.test.context.ActiveProfiles;

import dev.interlace.core.engine.DefaultStreams;
import dev.interlace.core.store.postgres.PostgresStreamStore;
import dev.interlace.server.InterlaceServerTest.Database;
import dev.interlace.server.streams.SubscribeController;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The server on PostgreSQL, configured as an operator would: {@code spring.datasource.*} only. Every endpoint over
 * real HTTP on a database of this class's own.
 */
@InterlaceServerTest(database = Database.POSTGRESQL)
@ActiveProfiles("pg")
class PostgresServerIntegrationTests {

	static final Duration TIMEOUT = Duration.ofSeconds(30);

	@Autowired
	StreamsApi api;

	@Autowired
	DefaultStreams streams;

	@Autowired
	DataSource dataSource;

	@Value("${spring.datasource.url}")
	String databaseUrl;

	private final JsonMapper json = JsonMapper.shared();

	@Test
	void streamsLiveInTheDatabaseOfTheDataSourceUrlOnTheServersShortTimeoutPool() {
		assertThat(this.streams.store("pg_orders")).isInstanceOf(PostgresStreamStore.class);
		assertThat(this.dataSource).isInstanceOfSatisfying(HikariDataSource.class, (pool) -> {
			assertThat(pool.getJdbcUrl()).isEqualTo(this.databaseUrl);
			assertThat(pool.getConnectionTimeout()).isEqualTo(2_000);
			assertThat(pool.getPoolName()).isEqualTo("interlace");
		});
	}

	@Test
	void publishDescribeConsumeAndAckOverHttp() throws Exception {
		Map<String, Object> published = this.api.published("pg_orders", """
				[{"order_id":"o-1","amount":12.50,"placed_at":"2026-11-25T10:00:00Z"},
				 {"order_id":"o-2","amount":7,"placed_at":"2026-11-25T10:00:01.123456Z"}]
				""");
		assertThat(published).containsEntry("status", "accepted").containsEntry("rows_received", 2);
		long first = ((Number) published.get("first_rowid")).longValue();
		long last = ((Number) published.get("last_rowid")).longValue();
		assertThat(last).isEqualTo(first + 1);

		Map<String, Object> description = this.api.describe("pg_orders");
		assertThat(description).containsEntry("name", "pg_orders").containsEntry("row_count", 2);
		assertThat(((Number) description.get("last_rowid")).longValue()).isEqualTo(last);
		assertThat(description.get("fields")).isEqualTo(
				Map.of("order_id", "string", "amount", "decimal", "placed_at", "timestamp"));

		Map<String, Object> batch = this.api.consume("pg_orders", "billing", 10);
		assertThat(batch).containsEntry("count", 2);
		@SuppressWarnings("unchecked")
		List<Map<String, Object>> events = (List<Map<String, Object>>) batch.get("events");
		assertThat(events).extracting((event) -> event.get("order_id")).containsExactly("o-1", "o-2");
		assertThat(events.get(0)).containsEntry("amount", 12.5)
			.containsEntry("placed_at", "2026-11-25T10:00:00Z")
			.containsKeys("_interlace_rowid", "_interlace_published_at", "_interlace_publish_id");
		assertThat(events.get(1)).containsEntry("placed_at", "2026-11-25T10:00:01.123456Z");

		this.api
			.post("/api/v1/streams/pg_orders/ack",
					"{\"consumer\":\"billing\",\"events\":[{\"_interlace_rowid\":" + first + "}]}")
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.cursor")
			.isEqualTo(first);
		Map<String, Object> rest = StreamsApi
			.okJson(this.api.post("/api/v1/streams/pg_orders/consume", "{\"consumer\":\"billing\"}"));
		assertThat(rest).containsEntry("count", 1);
		this.api.post("/api/v1/streams/pg_orders/ack", "{\"consumer\":\"billing\",\"event_ids\":[" + last + "]}")
			.expectStatus()
			.isOk();
		this.api.post("/api/v1/streams/pg_orders/consume", "{\"consumer\":\"billing\"}").expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.count")
			.isEqualTo(0);

		// The rows are a plain table of the application's database.
		assertThat(orderIds("SELECT order_id FROM events.pg_orders ORDER BY _interlace_rowid")).containsExactly("o-1",
				"o-2");
	}

	@Test
	void subscribeReplaysStoredEventsThenDeliversLiveOnesInOrder() {
		Map<String, Object> stored = this.api.published("pg_live", "[{\"n\":1},{\"n\":2}]");
		long first = ((Number) stored.get("first_rowid")).longValue();
		StepVerifier
			.create(this.api.subscribe("/api/v1/streams/pg_live/subscribe?from=" + (first - 1), null)
				.filter((event) -> SubscribeController.EVENT.equals(event.event()))
				.take(4))
			.assertNext((event) -> assertEvent(event.id(), event.data(), first, 1))
			.assertNext((event) -> assertEvent(event.id(), event.data(), first + 1, 2))
			.then(() -> {
				await().atMost(TIMEOUT).until(() -> this.streams.subscriberCount("pg_live") > 0);
				this.api.publish("pg_live", "{\"n\":3}").expectStatus().isAccepted();
				this.api.publish("pg_live", "{\"n\":4}").expectStatus().isAccepted();
			})
			.assertNext((event) -> assertEvent(event.id(), event.data(), first + 2, 3))
			.assertNext((event) -> assertEvent(event.id(), event.data(), first + 3, 4))
			.expectComplete()
			.verify(TIMEOUT);
	}

	private void assertEvent(String id, String data, long rowid, int n) {
		assertThat(id).isEqualTo(Long.toString(rowid));
		JsonNode node = this.json.readTree(data);
		assertThat(node.get("stream").asString()).isEqualTo("pg_live");
		assertThat(node.get("event").get("n").asLong()).isEqualTo(n);
		assertThat(node.get("event").get("_interlace_rowid").asLong()).isEqualTo(rowid);
	}

	@Test
	void aValueAConstraintAddedByHandRefusesIsAnsweredUnprocessableWithTheDatabasesReasonNotUnavailable()
			throws Exception {
		try (Connection connection = this.dataSource.getConnection(); Statement statement = connection.createStatement()) {
			statement.execute("ALTER TABLE events.pg_checked ADD CONSTRAINT amount_positive CHECK (amount > 0)");
		}
		for (int attempt = 0; attempt < 10; attempt++) {
			Map<String, Object> problem = this.api.publish("pg_checked", "[{\"order_id\":\"bad\",\"amount\":-5}]")
				.expectStatus()
				.isEqualTo(422)
				.expectHeader()
				.doesNotExist("Retry-After")
				.expectBody(StreamsApi.MAP)
				.returnResult()
				.getResponseBody();
			assertThat(problem).containsEntry("code", "DATA_REJECTED").containsEntry("sql_state", "23514");
			assertThat((String) problem.get("detail")).contains("amount_positive")
				.doesNotContain("INSERT")
				.doesNotContain("Exception");
		}
		PostgresStreamStore store = (PostgresStreamStore) this.streams.store("pg_checked");
		assertThat(store.isBreakerClosed()).as("the breaker after ten refusals").isTrue();
		this.api.publish("pg_checked", "[{\"order_id\":\"good\",\"amount\":5}]").expectStatus().isAccepted();
		assertThat(orderIds("SELECT order_id FROM events.pg_checked")).containsExactly("good");
	}

	private List<String> orderIds(String query) throws Exception {
		try (Connection connection = this.dataSource.getConnection();
				Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery(query)) {
			List<String> ids = new ArrayList<>();
			while (rows.next()) {
				ids.add(rows.getString(1));
			}
			return ids;
		}
	}

}
