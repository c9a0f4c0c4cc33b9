package dev.interlace.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.client.WebClient;

import dev.interlace.core.engine.DefaultStreams;
import dev.interlace.core.store.postgres.TestPostgres;
import dev.interlace.server.streams.SubscribeController;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two server instances on one PostgreSQL database, as behind a load balancer: publishers on both at once, a consumer
 * whose requests land on either, and live subscribers on each, which must see every instance's events.
 */
class PostgresMultiInstanceIntegrationTests {

	static final Duration TIMEOUT = Duration.ofSeconds(60);

	static final int PUBLISHERS_PER_INSTANCE = 2;

	static final int PUBLISHES_PER_PUBLISHER = 60;

	static ConfigurableApplicationContext a;

	static ConfigurableApplicationContext b;

	static HttpJson[] instances;

	@BeforeAll
	static void startTwoInstancesOnOneDatabase() {
		String database = TestPostgres.shared().createDatabase();
		a = start(database);
		b = start(database);
		instances = new HttpJson[] { HttpJson.of(a), HttpJson.of(b) };
	}

	@AfterAll
	static void stop() {
		for (ConfigurableApplicationContext context : new ConfigurableApplicationContext[] { a, b }) {
			if (context != null) {
				context.close();
			}
		}
	}

	static ConfigurableApplicationContext start(String database) {
		return new SpringApplicationBuilder(InterlaceServerApplication.class).run("--server.port=0",
				"--spring.datasource.url=" + TestPostgres.shared().jdbcUrl(database),
				"--spring.datasource.username=" + TestPostgres.shared().username(),
				"--spring.datasource.password=unused", "--spring.profiles.active=pg", "--spring.main.banner-mode=off");
	}

	@Test
	void consumerAlternatingBetweenInstancesSeesEveryEventOnceInRowidOrderWhilePublishersRunOnBoth()
			throws Exception {
		String stream = "pg_consume";
		ExecutorService executor = Executors.newFixedThreadPool(2 * PUBLISHERS_PER_INSTANCE);
		try {
			List<Future<List<Long>>> publishers = startPublishers(executor, stream);
			List<Long> seen = new ArrayList<>();
			Set<Long> published = new TreeSet<>();
			long deadline = System.nanoTime() + TIMEOUT.toNanos();
			boolean publishing = true;
			for (int round = 0; publishing || seen.size() < published.size(); round++) {
				assertThat(System.nanoTime()).as("consumer still behind after %s: saw %d of %d", TIMEOUT, seen.size(),
						published.size()).isLessThan(deadline);
				if (publishing && publishers.stream().allMatch(Future::isDone)) {
					for (Future<List<Long>> publisher : publishers) {
						published.addAll(publisher.get());
					}
					publishing = false;
				}
				// Consume on one instance, acknowledge on the other; the next round the other way round.
				HttpJson consumeOn = instances[round % 2];
				HttpJson ackOn = instances[(round + 1) % 2];
				HttpJson.Answer batch = consumeOn.consume(stream, "alternating", 1 + round % 7);
				assertThat(batch.status()).as("consume: %s", batch).isEqualTo(200);
				List<Map<String, Object>> events = batch.events();
				if (events.isEmpty()) {
					Thread.sleep(5);
					continue;
				}
				for (Map<String, Object> event : events) {
					seen.add(((Number) event.get("_interlace_rowid")).longValue());
				}
				HttpJson.Answer ack = ackOn.ack(stream, "alternating", seen.get(seen.size() - 1));
				assertThat(ack.status()).as("ack: %s", ack).isEqualTo(200);
				assertThat(ack.longValue("cursor")).isEqualTo(seen.get(seen.size() - 1));
			}
			assertThat(published).hasSize(expectedRows(publishers));
			assertThat(seen).as("strictly increasing rowids").isSorted().doesNotHaveDuplicates();
			assertThat(seen).as("every published event, none skipped").containsExactlyElementsOf(published);
			assertThat(instances[0].consume(stream, "alternating", 10).events()).isEmpty();
			assertThat(instances[1].consume(stream, "alternating", 10).events()).isEmpty();
		}
		finally {
			executor.shutdownNow();
		}
	}

	@Test
	void subscribersOnEitherInstanceSeeEveryEventPublishedOnBothOnceInOrder() throws Exception {
		String stream = "pg_live";
		List<Long> onA = new CopyOnWriteArrayList<>();
		List<Long> onB = new CopyOnWriteArrayList<>();
		ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
		Disposable subscriberOnA = ids(a, stream).subscribe(onA::add, failures::add);
		Disposable subscriberOnB = ids(b, stream).subscribe(onB::add, failures::add);
		ExecutorService executor = Executors.newFixedThreadPool(2 * PUBLISHERS_PER_INSTANCE);
		try {
			await().atMost(TIMEOUT)
				.until(() -> subscribers(a, stream) > 0 && subscribers(b, stream) > 0);
			List<Future<List<Long>>> publishers = startPublishers(executor, stream);
			List<Long> published = new ArrayList<>();
			for (Future<List<Long>> publisher : publishers) {
				published.addAll(publisher.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
			}
			Collections.sort(published);
			await().atMost(TIMEOUT)
				.until(() -> onA.size() >= published.size() && onB.size() >= published.size()
						|| !failures.isEmpty());
			assertThat(failures).isEmpty();
			// Nothing more arrives: every event was delivered once.
			Thread.sleep(500);
			assertThat(onB).as("subscriber on B").containsExactlyElementsOf(published);
			assertThat(onA).as("subscriber on A").containsExactlyElementsOf(published);
		}
		finally {
			subscriberOnA.dispose();
			subscriberOnB.dispose();
			executor.shutdownNow();
		}
	}

	/**
	 * Starts publishers, half of them on each instance, each publishing one to three events at a time; each returns
	 * the rowids its publishes were given.
	 */
	private static List<Future<List<Long>>> startPublishers(ExecutorService executor, String stream) {
		List<Future<List<Long>>> publishers = new ArrayList<>();
		for (int p = 0; p < 2 * PUBLISHERS_PER_INSTANCE; p++) {
			int publisher = p;
			HttpJson instance = instances[p % 2];
			publishers.add(executor.submit(() -> {
				List<Long> rowids = new ArrayList<>();
				for (int i = 0; i < PUBLISHES_PER_PUBLISHER; i++) {
					int count = 1 + (publisher + i) % 3;
					StringBuilder body = new StringBuilder("[");
					for (int e = 0; e < count; e++) {
						body.append((e > 0) ? "," : "")
							.append("{\"publisher\":")
							.append(publisher)
							.append(",\"seq\":")
							.append(i)
							.append('}');
					}
					HttpJson.Answer answer = instance.publish(stream, body.append(']').toString());
					assertThat(answer.status()).as("publish: %s", answer).isEqualTo(202);
					for (long rowid = answer.longValue("first_rowid"); rowid <= answer.longValue("last_rowid"); rowid++) {
						rowids.add(rowid);
					}
					if (ThreadLocalRandom.current().nextInt(4) == 0) {
						Thread.sleep(1);
					}
				}
				return rowids;
			}));
		}
		return publishers;
	}

	private static int expectedRows(List<Future<List<Long>>> publishers) {
		int rows = 0;
		for (int p = 0; p < publishers.size(); p++) {
			for (int i = 0; i < PUBLISHES_PER_PUBLISHER; i++) {
				rows += 1 + (p + i) % 3;
			}
		}
		return rows;
	}

	private static int subscribers(ConfigurableApplicationContext context, String stream) {
		return context.getBean(DefaultStreams.class).subscriberCount(stream);
	}

	private static Flux<Long> ids(ConfigurableApplicationContext context, String stream) {
		return WebClient.create(HttpJson.baseUrl(context))
			.get()
			.uri("/api/v1/streams/{name}/subscribe", stream)
			.accept(MediaType.TEXT_EVENT_STREAM)
			.retrieve()
			.bodyToFlux(StreamsApi.SSE)
			.filter((event) -> SubscribeController.EVENT.equals(event.event()))
			.map(ServerSentEvent::id)
			.map(Long::parseLong);
	}

}
