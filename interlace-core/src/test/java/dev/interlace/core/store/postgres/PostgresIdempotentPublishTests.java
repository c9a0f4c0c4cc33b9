package dev.interlace.core.store.postgres;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.interlace.core.IdempotentPublish;
import dev.interlace.core.PublishResult;
import dev.interlace.core.engine.DefaultStreams;
import dev.interlace.core.engine.IdempotentPublishContractTests;
import dev.interlace.core.store.StreamStore;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keyed publishes on a real PostgreSQL, each test on a fresh database, plus what only a shared database shows:
 * repeats sent at once to two instances store once, and a keyed publish whose connection dies mid-way (as when its
 * instance is killed) leaves neither rows nor key.
 */
class PostgresIdempotentPublishTests extends IdempotentPublishContractTests {

	@RegisterExtension
	final PostgresTestStores database = new PostgresTestStores();

	private final ExecutorService pool = Executors.newCachedThreadPool();

	@Override
	protected StreamStore openStore() {
		return this.database.open();
	}

	@AfterEach
	void stopThePool() throws InterruptedException {
		this.pool.shutdownNow();
		this.pool.awaitTermination(10, TimeUnit.SECONDS);
	}

	@Test
	void concurrentRepeatsSentToTwoInstancesStoreOnceAndAllGetTheSameResult() throws Exception {
		List<DefaultStreams> instances = List.of(streamsOver(this.database.openInstance()),
				streamsOver(this.database.openInstance()));
		int threads = 8;
		CountDownLatch start = new CountDownLatch(1);
		List<Future<IdempotentPublish>> publishes = new ArrayList<>();
		for (int i = 0; i < threads; i++) {
			DefaultStreams instance = instances.get(i % 2);
			publishes.add(this.pool.submit(() -> {
				start.await();
				return instance.publishIdempotentBlocking("orders", orders(4), "two-instances");
			}));
		}
		start.countDown();
		List<IdempotentPublish> results = new ArrayList<>();
		for (Future<IdempotentPublish> publish : publishes) {
			results.add(publish.get(1, TimeUnit.MINUTES));
		}
		assertThat(results).extracting(IdempotentPublish::result).containsOnly(results.get(0).result());
		assertThat(results).filteredOn((result) -> !result.replayed()).hasSize(1);
		assertThat(this.streams.count("orders")).isEqualTo(4);
		assertThat(keys("orders")).isEqualTo(1);
	}

	@Test
	void aKeyedPublishWhoseConnectionDiesMidWayLeavesNeitherRowsNorKey() throws Exception {
		Future<PublishResult> publish;
		try (Connection locker = this.database.newDataSource().getConnection();
				Statement statement = locker.createStatement()) {
			// Hold the stream's registry row: the keyed publish claims its key, then waits to take rowids.
			locker.setAutoCommit(false);
			statement.executeQuery("SELECT last_rowid FROM interlace.streams WHERE name = 'orders' FOR UPDATE")
				.close();
			publish = this.pool.submit(() -> this.streams.publishBlocking("orders", orders(2), "crash"));
			long waiting = awaitWaitingBackend(statement);
			// What the database sees of an instance killed mid-transaction: its connection goes.
			try (ResultSet terminated = statement.executeQuery("SELECT pg_terminate_backend(" + waiting + ")")) {
				terminated.next();
				assertThat(terminated.getBoolean(1)).isTrue();
			}
			locker.rollback();
		}
		boolean stored;
		try {
			publish.get(1, TimeUnit.MINUTES);
			// The store retried the transaction on a new connection, from the start.
			stored = true;
		}
		catch (ExecutionException ex) {
			stored = false;
		}
		assertThat(keys("orders")).isEqualTo(stored ? 1 : 0);
		assertThat(this.streams.count("orders")).isEqualTo(stored ? 2 : 0);
		IdempotentPublish retried = this.streams.publishIdempotentBlocking("orders", orders(2), "crash");
		assertThat(retried.replayed()).isEqualTo(stored);
		assertThat(retried.result().firstRowid()).isEqualTo(1);
		assertThat(this.streams.count("orders")).isEqualTo(2);
	}

	private static long awaitWaitingBackend(Statement statement) throws Exception {
		long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
		while (System.nanoTime() < deadline) {
			try (ResultSet backends = statement.executeQuery("SELECT pid FROM pg_stat_activity WHERE "
					+ "datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()")) {
				if (backends.next()) {
					return backends.getLong(1);
				}
			}
			Thread.sleep(10);
		}
		throw new AssertionError("The keyed publish never waited for the stream's row");
	}

}
