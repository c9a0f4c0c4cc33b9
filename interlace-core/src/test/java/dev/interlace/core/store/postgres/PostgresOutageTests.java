package dev.interlace.core.store.postgres;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Logger;
import javax.sql.DataSource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.interlace.core.FieldType;
import dev.interlace.core.PublishResult;
import dev.interlace.core.StoreException;
import dev.interlace.core.StoredEvent;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.store.StreamStore;

import static dev.interlace.core.store.StoreTestSupport.awaitCondition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * PostgreSQL going away and coming back under two running store instances: calls fail fast with
 * {@link StoreException} instead of hanging, and both stores recover by themselves, live delivery included.
 */
class PostgresOutageTests {

	/** The most any call may take during the outage. */
	private static final Duration BOUND = Duration.ofSeconds(5);

	private static final StreamDefinition ORDERS = StreamDefinition.builder("orders")
		.field("order_id", FieldType.STRING)
		.build();

	private final List<AutoCloseable> resources = new ArrayList<>();

	@AfterEach
	void closeEverything() throws Exception {
		for (int i = this.resources.size() - 1; i >= 0; i--) {
			this.resources.get(i).close();
		}
	}

	@Test
	void callsFailFastDuringAnOutageAndBothInstancesRecoverWithoutRestarting() throws Exception {
		TestPostgres postgres = TestPostgres.dedicated();
		this.resources.add(postgres);
		PostgresTestStores database = new PostgresTestStores(postgres);
		this.resources.add(database);
		// The second instance reaches the database through a gate: closed, it stands for that instance's network
		// still being down after the database is back.
		GatedDataSource secondNetwork = new GatedDataSource(database.newDataSource());
		PostgresStreamStore first = database.openInstance();
		PostgresStreamStore second = database.open(secondNetwork, PostgresStreamStore.Options.DEFAULTS);
		List<StoredEvent> toFirst = new CopyOnWriteArrayList<>();
		List<StoredEvent> toSecond = new CopyOnWriteArrayList<>();
		first.addCommitListener((stream, events) -> toFirst.addAll(events));
		second.addCommitListener((stream, events) -> toSecond.addAll(events));
		first.ensureStream(ORDERS);
		second.ensureStream(ORDERS);

		first.appendAndWait("orders", List.of(Map.of("order_id", "before")));
		awaitCondition(() -> toSecond.size() == 1);

		postgres.stop();
		for (int round = 0; round < 3; round++) {
			for (PostgresStreamStore store : List.of(first, second)) {
				assertEveryCallFailsFast(store);
			}
		}
		secondNetwork.open = false;
		postgres.restart();
		// No store is reopened: the first comes back by itself.
		awaitSuccess(() -> first.appendAndWait("orders", List.of(Map.of("order_id", "first after restart"))));
		List<CompletableFuture<PublishResult>> whileSecondIsAway = new ArrayList<>();
		for (int i = 0; i < 50; i++) {
			whileSecondIsAway.add(first.append("orders", List.of(Map.of("order_id", "away " + i))));
		}
		for (CompletableFuture<PublishResult> publish : whileSecondIsAway) {
			publish.get(30, TimeUnit.SECONDS);
		}
		assertThatThrownBy(() -> second.readAfter("orders", 0, 10)).isInstanceOf(StoreException.class);

		secondNetwork.open = true;
		// The second instance reconnects, catches up with what it missed, and then hears of new commits again.
		awaitSuccess(() -> second.appendAndWait("orders", List.of(Map.of("order_id", "second after restart"))));
		first.appendAndWait("orders", List.of(Map.of("order_id", "last")));
		List<StoredEvent> stored = first.readAfter("orders", 0, 1_000);
		assertThat(stored).extracting((event) -> event.data().get("order_id"))
			.startsWith("before", "first after restart", "away 0")
			.endsWith("second after restart", "last")
			.hasSize(54);
		awaitCondition(() -> toFirst.size() >= 54 && toSecond.size() >= 54);
		assertThat(toFirst).containsExactlyElementsOf(stored);
		assertThat(toSecond).containsExactlyElementsOf(stored);
	}

	@Test
	void aDatabaseThatStopsAnsweringOpensTheBreakerSoCallsFailAtOnce() throws Exception {
		PostgresTestStores database = new PostgresTestStores();
		this.resources.add(database);
		GatedDataSource network = new GatedDataSource(database.dataSource());
		PostgresStreamStore store = database.open(network, PostgresStreamStore.Options.DEFAULTS);
		store.ensureStream(ORDERS);
		store.appendAndWait("orders", List.of(Map.of("order_id", "before")));
		// Unlike a stopped server, which refuses connections at once, an unreachable one makes every attempt wait
		// for the pool's timeout.
		network.delay = Duration.ofSeconds(2);
		network.open = false;
		List<Duration> took = new ArrayList<>();
		for (int i = 0; i < 10; i++) {
			took.add(assertFailsFast(() -> store.readCursor("orders", "billing")));
		}
		// A few calls wait for the timeout, until the breaker has seen enough failures; from then on none waits.
		int slow = (int) took.stream().takeWhile((duration) -> duration.compareTo(Duration.ofSeconds(1)) > 0).count();
		assertThat(slow).isBetween(1, 3);
		// "Waits" means the 2 s of the unreachable network; anything well under it did not try the network, however
		// slowly a busy machine ran the call.
		assertThat(took.subList(slow, took.size()))
			.allSatisfy((duration) -> assertThat(duration).isLessThan(Duration.ofSeconds(1)));
		assertThat(assertFailsFast(() -> store.append("orders", List.of(Map.of("order_id", "lost"))).join()))
			.isLessThan(Duration.ofSeconds(1));
		assertThat(assertFailsFast(() -> store.commitCursor("orders", "billing", 1))).isLessThan(Duration.ofSeconds(1));
		network.open = true;
		awaitSuccess(() -> store.appendAndWait("orders", List.of(Map.of("order_id", "after"))));
		assertThat(store.readAfter("orders", 0, 10)).extracting((event) -> event.data().get("order_id"))
			.containsExactly("before", "after");
	}

	private static void assertEveryCallFailsFast(PostgresStreamStore store) {
		assertFailsFast(() -> store.append("orders", List.of(Map.of("order_id", "lost"))).join());
		assertFailsFast(() -> store.appendAndWait("orders", List.of(Map.of("order_id", "lost"))));
		assertFailsFast(() -> store.readAfter("orders", 0, 10));
		assertFailsFast(() -> store.describe("orders"));
		assertFailsFast(() -> store.readCursor("orders", "billing"));
		assertFailsFast(() -> store.commitCursor("orders", "billing", 1));
		assertFailsFast(() -> store.trimToMaxRows("orders", 10));
		assertFailsFast(() -> store.trimOlderThan("orders", Instant.now().minusSeconds(3600)));
		assertFailsFast(() -> store.ensureStream(ORDERS));
	}

	private static Duration assertFailsFast(Runnable call) {
		long start = System.nanoTime();
		Throwable thrown = null;
		try {
			call.run();
		}
		catch (Throwable ex) {
			thrown = ex;
		}
		Duration took = Duration.ofNanos(System.nanoTime() - start);
		assertThat(thrown).as("a call during the outage").isNotNull();
		Throwable failure = (thrown instanceof java.util.concurrent.CompletionException) ? thrown.getCause() : thrown;
		assertThat(failure).isInstanceOf(StoreException.class).hasMessageContaining("database is unavailable");
		assertThat(took).isLessThan(BOUND);
		return took;
	}

	/** Retries a call that fails while the store finds the database again; fails the test after a generous bound. */
	private static <T> T awaitSuccess(Supplier<T> call) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
		while (true) {
			try {
				return call.get();
			}
			catch (StoreException ex) {
				if (System.nanoTime() > deadline) {
					fail("The store did not recover within 60 s", ex);
				}
				Thread.sleep(100);
			}
		}
	}

	/** A data source that refuses connections while closed, as a broken network would. */
	private static final class GatedDataSource implements DataSource {

		private final DataSource delegate;

		volatile boolean open = true;

		/** How long a refused attempt takes to fail. */
		volatile Duration delay = Duration.ZERO;

		GatedDataSource(DataSource delegate) {
			this.delegate = delegate;
		}

		@Override
		public Connection getConnection() throws SQLException {
			if (!this.open) {
				try {
					Thread.sleep(this.delay.toMillis());
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				throw new SQLException("Connection refused (network down)", "08001");
			}
			return this.delegate.getConnection();
		}

		@Override
		public Connection getConnection(String username, String password) throws SQLException {
			return getConnection();
		}

		@Override
		public PrintWriter getLogWriter() throws SQLException {
			return this.delegate.getLogWriter();
		}

		@Override
		public void setLogWriter(PrintWriter out) throws SQLException {
			this.delegate.setLogWriter(out);
		}

		@Override
		public void setLoginTimeout(int seconds) throws SQLException {
			this.delegate.setLoginTimeout(seconds);
		}

		@Override
		public int getLoginTimeout() throws SQLException {
			return this.delegate.getLoginTimeout();
		}

		@Override
		public Logger getParentLogger() throws SQLFeatureNotSupportedException {
			return this.delegate.getParentLogger();
		}

		@Override
		public <T> T unwrap(Class<T> iface) throws SQLException {
			return this.delegate.unwrap(iface);
		}

		@Override
		public boolean isWrapperFor(Class<?> iface) throws SQLException {
			return this.delegate.isWrapperFor(iface);
		}

	}

}
