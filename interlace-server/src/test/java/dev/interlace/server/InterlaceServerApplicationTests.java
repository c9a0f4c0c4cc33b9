package dev.interlace.server;

import java.nio.file.Path;
import java.util.Map;
import javax.sql.DataSource;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ApplicationContext;

import dev.interlace.core.ConsumedBatch;
import dev.interlace.core.FieldType;
import dev.interlace.core.Streams;
import dev.interlace.core.engine.DefaultStreams;
import dev.interlace.core.store.duckdb.DuckDbStreamStore;

import static org.assertj.core.api.Assertions.assertThat;

@InterlaceServerTest
class InterlaceServerApplicationTests {

	@Autowired
	Streams streams;

	@Autowired
	ApplicationContext context;

	@Value("${interlace.connections.default.path}")
	Path dataFile;

	@Test
	void serverStartsWithItsConfiguredStreamsOnEmbeddedDuckDb() {
		assertThat(this.streams.definitions()).extracting("name").contains("orders", "clicks");
		assertThat(this.streams.definition("orders").fields()).containsEntry("amount", FieldType.DECIMAL);
		this.streams.publishBlocking("orders", Map.of("order_id", "o-1", "amount", "19.99"));
		ConsumedBatch batch = this.streams.consume("orders", "test");
		assertThat(batch.events()).singleElement()
			.satisfies((event) -> assertThat(event.data()).containsEntry("order_id", "o-1"));
		assertThat(this.dataFile).exists();
	}

	@Test
	void serverWithoutADataSourceUrlHasNoDataSourceAndKeepsItsStreamsInDuckDb() {
		assertThat(this.context.getBeanNamesForType(DataSource.class)).isEmpty();
		assertThat(((DefaultStreams) this.streams).store("orders")).isInstanceOf(DuckDbStreamStore.class);
	}

}
