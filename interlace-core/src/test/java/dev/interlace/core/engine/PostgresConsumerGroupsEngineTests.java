package dev.interlace.core.engine;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.interlace.core.group.GroupEntry;
import dev.interlace.core.group.GroupSettings;
import dev.interlace.core.group.GroupStart;
import dev.interlace.core.group.ReadOptions;
import dev.interlace.core.store.StoreTestSupport;
import dev.interlace.core.store.StreamStore;
import dev.interlace.core.store.postgres.PostgresStreamStore;
import dev.interlace.core.store.postgres.PostgresTestStores;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The consumer groups engine on a fresh PostgreSQL database, and across instances sharing it.
 */
class PostgresConsumerGroupsEngineTests extends ConsumerGroupsEngineContractTests {

	@RegisterExtension
	final PostgresTestStores database = new PostgresTestStores();

	@Override
	protected StreamStore openStore() {
		return this.database.open();
	}

	@Test
	void aBlockedReadIsWokenByAnEntryAnotherInstancePublishes() throws Exception {
		this.groups.blocking().createGroup("orders", "billing", GroupStart.end(), GroupSettings.REDIS);
		PostgresStreamStore other = this.database.openInstance();
		other.ensureStream(StoreTestSupport.orders());
		CompletableFuture<List<GroupEntry>> read = new CompletableFuture<>();
		this.groups.read("orders", "billing", "alice", ReadOptions.count(10).block(Duration.ofSeconds(30)))
			.subscribe(read::complete, read::completeExceptionally);
		StoreTestSupport.awaitCondition(() -> this.groups.waiting() == 1);
		other.appendAndWait("orders", List.of(Map.of("order_id", "from-elsewhere")));
		assertThat(read.get(10, TimeUnit.SECONDS)).singleElement()
			.satisfies((entry) -> assertThat(entry.event().data()).containsEntry("order_id", "from-elsewhere"));
	}

}
