package dev.interlace.sample.orders;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.interlace.core.ConsumedBatch;
import dev.interlace.core.Streams;
import dev.interlace.core.engine.StreamRecords;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Places orders over HTTP and watches the worker fulfil them.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "orders.worker.poll-interval=50ms")
@AutoConfigureWebTestClient
class OrdersApplicationTests {

	@TempDir
	static Path data;

	@Autowired
	private WebTestClient client;

	@Autowired
	private Streams streams;

	@Autowired
	private FulfilledOrders fulfilled;

	@DynamicPropertySource
	static void interlace(DynamicPropertyRegistry registry) {
		registry.add("interlace.connections.default.path", () -> data.resolve("orders.duckdb").toString());
	}

	@Test
	void placedOrdersAreAllFulfilledAndTheWorkersCursorMovesPastThem() {
		List<OrderController.OrderAccepted> accepted = new ArrayList<>();
		for (int i = 1; i <= 25; i++) {
			accepted.add(this.client.post()
				.uri("/orders")
				.bodyValue(Map.of("customer", "customer-" + i, "amount", new BigDecimal(i + ".50")))
				.exchange()
				.expectStatus()
				.isAccepted()
				.expectBody(OrderController.OrderAccepted.class)
				.returnResult()
				.getResponseBody());
		}
		List<String> orderIds = accepted.stream().map(OrderController.OrderAccepted::orderId).toList();
		long lastRowid = accepted.stream().mapToLong(OrderController.OrderAccepted::rowid).max().getAsLong();

		await().atMost(Duration.ofSeconds(20))
			.untilAsserted(() -> assertThat(this.fulfilled.all()).extracting(OrderPlaced::orderId)
				.containsExactlyInAnyOrderElementsOf(orderIds));
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			ConsumedBatch pending = this.streams.consume(StreamRecords.streamName(OrderPlaced.class),
					FulfilmentWorker.CONSUMER);
			assertThat(pending.cursor()).isEqualTo(lastRowid);
			assertThat(pending.events()).isEmpty();
		});
		assertThat(this.fulfilled.all()).filteredOn((order) -> order.customer().equals("customer-7"))
			.singleElement()
			.satisfies((order) -> assertThat(order.amount()).isEqualByComparingTo("7.50"));
		this.client.get()
			.uri("/orders/fulfilled")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBodyList(OrderPlaced.class)
			.hasSize(25);
	}

	@Test
	void orderWithoutAPositiveAmountIsRejected() {
		this.client.post()
			.uri("/orders")
			.bodyValue(Map.of("customer", "c", "amount", -1))
			.exchange()
			.expectStatus()
			.isBadRequest();
	}

}
