package dev.interlace.autoconfigure;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.interlace.core.EntryId;
import dev.interlace.core.StoredEvent;
import dev.interlace.core.Streams;
import dev.interlace.core.entry.EntryRange;
import dev.interlace.core.entry.ReadFrom;
import dev.interlace.core.entry.StreamEntries;
import dev.interlace.core.entry.StreamInfo;
import dev.interlace.core.entry.StreamRead;
import dev.interlace.core.entry.Trim;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@link StreamEntries} bean on a real DuckDB file, and an application's own replacing it.
 */
class InterlaceStreamEntriesAutoConfigurationTests {

	@TempDir
	Path temp;

	private ApplicationContextRunner runner;

	@BeforeEach
	void setUp() {
		this.runner = new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(InterlaceAutoConfiguration.class))
			.withPropertyValues("interlace.connections.default.path=" + this.temp.resolve("interlace.duckdb"),
					"interlace.streams.orders.description=Orders");
	}

	@Test
	void theStreamEntriesBeanReadsTheStreamsEntriesById() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(StreamEntries.class);
			context.getBean(Streams.class).publishBlocking("orders", List.of(Map.of("id", 1), Map.of("id", 2)));
			StreamEntries entries = context.getBean(StreamEntries.class);
			assertThat(entries.reverseRange("orders", EntryRange.ALL, 1).block(Duration.ofSeconds(10)))
				.extracting(StoredEvent::rowid)
				.containsExactly(2L);
			assertThat(entries.length("orders").block(Duration.ofSeconds(10))).isEqualTo(2L);
		});
	}

	@Test
	void anApplicationsOwnStreamEntriesReplacesIt() {
		this.runner.withBean(StreamEntries.class, OwnEntries::new).run((context) -> {
			assertThat(context).hasSingleBean(StreamEntries.class);
			assertThat(context.getBean(StreamEntries.class)).isInstanceOf(OwnEntries.class);
		});
	}

	static final class OwnEntries implements StreamEntries {

		@Override
		public Mono<List<StoredEvent>> range(String stream, EntryRange range, int count) {
			return Mono.just(List.of());
		}

		@Override
		public Mono<List<StoredEvent>> reverseRange(String stream, EntryRange range, int count) {
			return Mono.just(List.of());
		}

		@Override
		public Mono<StoredEvent> entry(String stream, EntryId id) {
			return Mono.empty();
		}

		@Override
		public Mono<Long> length(String stream) {
			return Mono.just(0L);
		}

		@Override
		public Mono<Long> delete(String stream, Collection<EntryId> ids) {
			return Mono.just(0L);
		}

		@Override
		public Mono<Long> trim(String stream, Trim trim) {
			return Mono.just(0L);
		}

		@Override
		public Mono<StreamInfo> info(String stream) {
			return Mono.empty();
		}

		@Override
		public Mono<List<StreamRead>> read(List<ReadFrom> from, int count, Duration block) {
			return Mono.just(List.of());
		}

	}

}
