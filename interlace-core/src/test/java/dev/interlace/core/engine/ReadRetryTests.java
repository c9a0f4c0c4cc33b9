package dev.interlace.core.engine;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.junit.jupiter.api.Test;

import dev.interlace.core.StoreException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReadRetryTests {

	private final ReadRetry retry = new ReadRetry(3, Duration.ofMillis(1));

	@Test
	void aReadThatHitsTransientConnectionFailuresIsRetriedUntilItSucceeds() {
		AtomicInteger calls = new AtomicInteger();
		String result = this.retry.run(() -> {
			if (calls.incrementAndGet() < 3) {
				throw new StoreException("down", new SQLTransientConnectionException("refused", "08001"));
			}
			return "ok";
		});
		assertThat(result).isEqualTo("ok");
		assertThat(calls).hasValue(3);
	}

	@Test
	void retriesAreBounded() {
		AtomicInteger calls = new AtomicInteger();
		assertThatThrownBy(() -> this.retry.run(() -> {
			calls.incrementAndGet();
			throw new StoreException("down", new SQLException("terminating connection", "57P01"));
		})).isInstanceOf(StoreException.class);
		assertThat(calls).hasValue(3);
	}

	@Test
	void answersOfTheDatabaseAndAnOpenBreakerAreNotRetried() {
		AtomicInteger calls = new AtomicInteger();
		assertThatThrownBy(() -> this.retry.run(() -> {
			calls.incrementAndGet();
			throw new StoreException("refused", new SQLException("duplicate key", "23505"));
		})).isInstanceOf(StoreException.class);
		CircuitBreaker breaker = CircuitBreaker.ofDefaults("test");
		breaker.transitionToOpenState();
		assertThatThrownBy(() -> this.retry.run(() -> {
			calls.incrementAndGet();
			throw new StoreException("unavailable",
					CallNotPermittedException.createCallNotPermittedException(breaker));
		})).isInstanceOf(StoreException.class);
		assertThat(calls).hasValue(2);
	}

	@Test
	void invalidSettingsAreRejected() {
		assertThatThrownBy(() -> new ReadRetry(0, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> new ReadRetry(1, Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
	}

}
