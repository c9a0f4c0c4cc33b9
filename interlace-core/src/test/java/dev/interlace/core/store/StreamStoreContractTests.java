package dev.interlace.core.store;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.interlace.core.FieldType;
import dev.interlace.core.InvalidEventException;
import dev.interlace.core.InvalidRequestException;
import dev.interlace.core.PublishResult;
import dev.interlace.core.Retention;
import dev.interlace.core.StoreException;
import dev.interlace.core.StoredEvent;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.StreamNotFoundException;
import dev.interlace.core.engine.RetentionTask;
import dev.interlace.core.EntryId;
import dev.interlace.core.NewEntryId;
import dev.interlace.core.store.support.EventConverter;

import static dev.interlace.core.store.StoreTestSupport.amounts;
import static dev.interlace.core.store.StoreTestSupport.event;
import static dev.interlace.core.store.StoreTestSupport.everyFieldType;
import static dev.interlace.core.store.StoreTestSupport.orders;
import static dev.interlace.core.store.StoreTestSupport.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract every {@link StreamStore} must keep: ensure, append, read, describe and trim, and the observer told
 * of its commits. Each backend extends this class with a factory that opens a store on durable storage;
 * {@link #openStore()} called again after {@link StreamStore#close()} must see the same data. What a store promises
 * its cursors and its commit listeners have suites of their own: {@link CursorStoreContractTests} and
 * {@link CommitListenerContractTests}.
 */
public abstract class StreamStoreContractTests {

	protected StreamStore store;

	/**
	 * Opens a store on this test's storage: a second call after closing the first store reopens the same data.
	 * @return the store
	 */
	protected abstract StreamStore openStore();

	/**
	 * Runs a statement on the database of {@link #store}, as an operator (or an earlier version) would, outside the
	 * store.
	 * @param sql the statement
	 * @throws Exception when it fails
	 */
	protected abstract void executeSql(String sql) throws Exception;

	@BeforeEach
	void openTheStore() {
		this.store = openStore();
	}

	@AfterEach
	void closeTheStore() {
		this.store.close();
	}

	protected void reopen() {
		this.store.close();
		this.store = openStore();
	}

	@Test
	void appendedEventsAreReadBackInRowidOrderWithMetadata() {
		this.store.ensureStream(orders());
		Instant before = Instant.now().minusSeconds(1);
		PublishResult result = this.store.appendAndWait("orders",
				List.of(event("order_id", "a", "amount", 1), event("order_id", "b", "amount", 2)));
		assertThat(result.status()).isEqualTo("accepted");
		assertThat(result.rowsReceived()).isEqualTo(2);
		assertThat(result.firstRowid()).isEqualTo(1);
		assertThat(result.lastRowid()).isEqualTo(2);
		List<StoredEvent> events = this.store.readAfter("orders", 0, 10);
		assertThat(events).extracting(StoredEvent::rowid).containsExactly(1L, 2L);
		assertThat(events).extracting(StoredEvent::publishId).containsOnly(result.publishId());
		assertThat(events.get(0).data()).containsExactly(Map.entry("order_id", "a"), Map.entry("amount", 1L));
		assertThat(events.get(0).publishedAt()).isAfter(before).isBefore(Instant.now().plusSeconds(1));
		assertThat(events.get(0).stream()).isEqualTo("orders");
	}

	@Test
	void eachPublishGetsItsOwnPublishId() {
		this.store.ensureStream(orders());
		UUID first = this.store.appendAndWait("orders", List.of(event("order_id", "a"))).publishId();
		UUID second = this.store.appendAndWait("orders", List.of(event("order_id", "b"))).publishId();
		assertThat(first).isNotEqualTo(second);
		assertThat(this.store.readAfter("orders", 0, 10)).extracting(StoredEvent::publishId).containsExactly(first, second);
	}

	@Test
	void emptyAppendStoresNothing() {
		this.store.ensureStream(orders());
		PublishResult result = this.store.appendAndWait("orders", List.of());
		assertThat(result.rowsReceived()).isZero();
		assertThat(this.store.describe("orders").rowCount()).isZero();
	}

	@Test
	void readAfterHonoursLowerBoundAndLimit() {
		this.store.ensureStream(orders());
		List<Map<String, Object>> events = new ArrayList<>();
		for (int i = 0; i < 10; i++) {
			events.add(event("order_id", "o" + i, "amount", i));
		}
		this.store.appendAndWait("orders", events);
		assertThat(this.store.readAfter("orders", 3, 4)).extracting(StoredEvent::rowid).containsExactly(4L, 5L, 6L, 7L);
		assertThat(this.store.readAfter("orders", 10, 4)).isEmpty();
	}

	@Test
	void aPublishWithOneBadEventStoresNothing() {
		this.store.ensureStream(orders());
		assertThatThrownBy(() -> this.store.appendAndWait("orders",
				List.of(event("amount", 1), event("amount", 2), event("amount", "not a number"))))
			.isInstanceOfSatisfying(InvalidEventException.class, (ex) -> {
				assertThat(ex.getRowIndex()).isEqualTo(2);
				assertThat(ex.getField()).isEqualTo("amount");
				assertThat(ex.getMessage()).contains("int64").contains("not a number");
			});
		assertThat(this.store.describe("orders").rowCount()).isZero();
	}

	@Test
	void declaredFieldsBecomeTypedColumns() {
		StreamDefinition definition = everyFieldType("typed");
		StreamTable table = this.store.ensureStream(definition);
		assertThat(table.columns()).containsExactlyEntriesOf(definition.fields());
		Map<String, Object> event = event("s", "text", "i", 7, "l", 9_000_000_000L, "f", 1.5, "d", 2.25, "b", true,
				"t", "2024-05-01T12:00:00.123456Z", "day", "2024-05-01", "j", Map.of("nested", List.of(1, 2)), "m",
				"12345.6789");
		// Small and large groups may take different write paths: both must store every type alike, nulls included.
		this.store.appendAndWait("typed", List.of(event, event("s", "only")));
		List<Map<String, Object>> batch = new ArrayList<>();
		for (int i = 0; i < 100; i++) {
			batch.add((i % 2 == 0) ? event : event("s", "only"));
		}
		this.store.appendAndWait("typed", batch);
		List<StoredEvent> stored = this.store.readAfter("typed", 0, 1000);
		assertThat(stored).hasSize(102);
		for (int i = 0; i < stored.size(); i++) {
			assertThat(stored.get(i).data()).isEqualTo((i % 2 == 0) ? stored.get(0).data() : Map.of("s", "only"));
		}
		Map<String, Object> data = stored.get(0).data();
		assertThat(data.get("s")).isEqualTo("text");
		assertThat(data.get("i")).isEqualTo(7);
		assertThat(data.get("l")).isEqualTo(9_000_000_000L);
		assertThat(data.get("f")).isEqualTo(1.5f);
		assertThat(data.get("d")).isEqualTo(2.25);
		assertThat(data.get("b")).isEqualTo(true);
		assertThat(data.get("t")).isEqualTo(Instant.parse("2024-05-01T12:00:00.123456Z"));
		assertThat(data.get("day")).isEqualTo(LocalDate.parse("2024-05-01"));
		assertThat(data.get("j")).isEqualTo(Map.of("nested", List.of(1, 2)));
		assertThat(data.get("m")).isEqualTo(new BigDecimal("12345.6789"));
	}

	@Test
	void textAndJsonWithSpecialCharactersRoundTripInSmallAndLargeGroups() {
		this.store.ensureStream(StreamDefinition.builder("notes")
			.field("text", FieldType.STRING)
			.field("doc", FieldType.JSON)
			.build());
		List<String> texts = List.of("tab\there", "line\nbreak", "carriage\rreturn\r\n", "back\\slash", "\\N", "\\.",
				"ends with a backslash\\", "", " ", "quotes ' \" `", "comma, semicolon; pipe|", "unicode żółć 日本語 🎉 \u00e9",
				"controls \u0001\u001f\u007f", "{\"looks\": \"like json\"}", "null", "\\t\\n literally");
		List<Map<String, Object>> small = new ArrayList<>();
		for (String text : texts) {
			small.add(event("text", text, "doc", Map.of("text", text, "list", List.of(text, 1), "nested", Map.of(text, text))));
		}
		List<Map<String, Object>> large = new ArrayList<>();
		for (int i = 0; i < 20; i++) {
			large.addAll(small);
		}
		// Small and large groups may take different write paths (bound parameters, bulk loading): both must be exact.
		this.store.appendAndWait("notes", small);
		this.store.appendAndWait("notes", large);
		List<StoredEvent> stored = this.store.readAfter("notes", 0, 1_000);
		assertThat(stored).hasSize(small.size() + large.size());
		for (int i = 0; i < stored.size(); i++) {
			assertThat(stored.get(i).data()).isEqualTo(small.get(i % small.size()));
		}
	}

	@Test
	void timestampsAndDatesRoundTripAcrossTheirRange() {
		this.store.ensureStream(StreamDefinition.builder("moments")
			.field("t", FieldType.TIMESTAMP)
			.field("day", FieldType.DATE)
			.build());
		List<String> times = List.of("0001-01-01T00:00:00Z", "1969-12-31T23:59:59.999999Z", "1970-01-01T00:00:00Z",
				"2024-02-29T12:34:56.000001Z", "9999-12-31T23:59:59.999999Z");
		List<Map<String, Object>> small = new ArrayList<>();
		for (String time : times) {
			small.add(event("t", Instant.parse(time), "day", LocalDate.parse(time.substring(0, 10))));
		}
		List<Map<String, Object>> large = new ArrayList<>();
		for (int i = 0; i < 40; i++) {
			large.addAll(small);
		}
		this.store.appendAndWait("moments", small);
		this.store.appendAndWait("moments", large);
		List<StoredEvent> stored = this.store.readAfter("moments", 0, 1_000);
		assertThat(stored).hasSize(small.size() + large.size());
		for (int i = 0; i < stored.size(); i++) {
			assertThat(stored.get(i).data()).isEqualTo(small.get(i % small.size()));
		}
	}

	@Test
	void datesBeforeTheCommonEraRoundTripInSmallAndLargeGroups() {
		this.store.ensureStream(StreamDefinition.builder("ancient")
			.field("t", FieldType.TIMESTAMP)
			.field("day", FieldType.DATE)
			.build());
		Map<String, Object> idesOfMarch = event("t", Instant.parse("-0043-03-15T12:00:00.5Z"), "day",
				LocalDate.of(-43, 3, 15));
		Map<String, Object> yearZero = event("t", Instant.parse("0000-12-31T23:59:59.999999Z"), "day",
				LocalDate.of(0, 12, 31));
		List<Map<String, Object>> large = new ArrayList<>();
		for (int i = 0; i < 50; i++) {
			large.add(idesOfMarch);
			large.add(yearZero);
		}
		this.store.appendAndWait("ancient", List.of(idesOfMarch, yearZero));
		this.store.appendAndWait("ancient", large);
		List<StoredEvent> stored = this.store.readAfter("ancient", 0, 200);
		assertThat(stored).hasSize(102);
		for (int i = 0; i < stored.size(); i++) {
			assertThat(stored.get(i).data()).isEqualTo((i % 2 == 0) ? idesOfMarch : yearZero);
		}
	}

	@Test
	void decimalsAndFloatsRoundTripExactlyInSmallAndLargeGroups() {
		this.store.ensureStream(StreamDefinition.builder("amounts")
			.field("m", FieldType.DECIMAL)
			.field("f", FieldType.FLOAT32)
			.field("d", FieldType.FLOAT64)
			.build());
		List<Map<String, Object>> small = List.of(
				event("m", "0", "f", 0.0f, "d", 0.0),
				event("m", "-0.0000000001", "f", Float.MIN_VALUE, "d", Double.MIN_VALUE),
				event("m", "9999999999999999999999999999.9999999999", "f", Float.MAX_VALUE, "d", Double.MAX_VALUE),
				event("m", "-9999999999999999999999999999.9999999999", "f", -1.5f, "d", -1e-300),
				event("m", new BigDecimal("1E+3"), "f", 0.1f, "d", 0.1),
				event("m", "10000.0001", "f", 3.4e38f, "d", 123456789.123456789));
		List<Map<String, Object>> large = new ArrayList<>();
		for (int i = 0; i < 20; i++) {
			large.addAll(small);
		}
		this.store.appendAndWait("amounts", small);
		this.store.appendAndWait("amounts", large);
		List<StoredEvent> stored = this.store.readAfter("amounts", 0, 1_000);
		assertThat(stored).hasSize(small.size() + large.size());
		for (int i = 0; i < stored.size(); i++) {
			Map<String, Object> expected = small.get(i % small.size());
			Map<String, Object> data = stored.get(i).data();
			assertThat(data.get("m")).isEqualTo(EventConverter.canonicalDecimal(new BigDecimal(expected.get("m").toString())));
			assertThat(data.get("f")).isEqualTo(expected.get("f"));
			assertThat(data.get("d")).isEqualTo(expected.get("d"));
		}
		assertThat(stored.get(4).data().get("m")).isEqualTo(new BigDecimal("1000"));
	}

	@Test
	void streamWithoutFieldsInfersColumnsAndAddsNewKeysAsNullableColumns() {
		this.store.ensureStream(StreamDefinition.builder("clicks").build());
		this.store.appendAndWait("clicks", List.of(event("page", "/home", "count", 1)));
		this.store.appendAndWait("clicks", List.of(event("page", "/cart", "count", 2, "ratio", 0.5, "extra", Map.of("a", 1))));
		assertThat(this.store.describe("clicks").columns()).containsExactly(Map.entry("page", FieldType.STRING),
				Map.entry("count", FieldType.INT64), Map.entry("ratio", FieldType.FLOAT64),
				Map.entry("extra", FieldType.JSON));
		List<StoredEvent> events = this.store.readAfter("clicks", 0, 10);
		assertThat(events.get(0).data()).containsOnlyKeys("page", "count");
		assertThat(events.get(1).data()).containsEntry("ratio", 0.5).containsEntry("extra", Map.of("a", 1));
	}

	@Test
	void evolvedColumnsSurviveReopen() {
		this.store.ensureStream(StreamDefinition.builder("clicks").build());
		this.store.appendAndWait("clicks", List.of(event("page", "/home")));
		this.store.appendAndWait("clicks", List.of(event("page", "/cart", "count", 2)));
		reopen();
		this.store.ensureStream(StreamDefinition.builder("clicks").build());
		assertThat(this.store.describe("clicks").columns()).containsExactly(Map.entry("page", FieldType.STRING),
				Map.entry("count", FieldType.INT64));
		assertThatThrownBy(() -> this.store.appendAndWait("clicks", List.of(event("count", "many"))))
			.isInstanceOf(InvalidEventException.class);
	}

	@Test
	void aValueThatDoesNotFitAnInferredColumnRejectsThePublish() {
		this.store.ensureStream(StreamDefinition.builder("clicks").build());
		this.store.appendAndWait("clicks", List.of(event("count", 1)));
		assertThatThrownBy(() -> this.store.appendAndWait("clicks", List.of(event("count", 2), event("count", "xyz"))))
			.isInstanceOfSatisfying(InvalidEventException.class, (ex) -> {
				assertThat(ex.getRowIndex()).isEqualTo(1);
				assertThat(ex.getField()).isEqualTo("count");
			});
		assertThat(this.store.describe("clicks").rowCount()).isEqualTo(1);
	}

	@Test
	void mixedNumbersInANewColumnWidenToFloat() {
		this.store.ensureStream(StreamDefinition.builder("clicks").build());
		this.store.appendAndWait("clicks", List.of(event("v", 1), event("v", 2.5)));
		assertThat(this.store.describe("clicks").columns()).containsEntry("v", FieldType.FLOAT64);
		assertThat(this.store.readAfter("clicks", 0, 10)).extracting((e) -> e.data().get("v")).containsExactly(1.0, 2.5);
	}

	@Test
	void exactFractionsInANewColumnInferFloatSoLaterPrecisionFits() {
		this.store.ensureStream(StreamDefinition.builder("clicks").build());
		this.store.appendAndWait("clicks", List.of(event("v", new BigDecimal("1.5"))));
		this.store.appendAndWait("clicks", List.of(event("v", new BigDecimal("0.123456789012345"))));
		assertThat(this.store.describe("clicks").columns()).containsEntry("v", FieldType.FLOAT64);
	}

	@Test
	void exactNumbersBeyondFloatRangeAreRejectedRatherThanStoredAsInfinity() {
		this.store.ensureStream(StreamDefinition.builder("readings").field("v", FieldType.FLOAT64).build());
		assertThatThrownBy(() -> this.store.appendAndWait("readings", List.of(event("v", new BigDecimal("1e400")))))
			.isInstanceOfSatisfying(InvalidEventException.class, (ex) -> {
				assertThat(ex.getField()).isEqualTo("v");
				assertThat(ex.getMessage()).contains("out of float64 range");
			});
		assertThat(this.store.describe("readings").rowCount()).isZero();
	}

	@Test
	void valuesThatSomeStoreCannotKeepAsTheyAreRejectedByEveryStore() {
		this.store.ensureStream(StreamDefinition.builder("hostile")
			.field("text", FieldType.STRING)
			.field("doc", FieldType.JSON)
			.field("t", FieldType.TIMESTAMP)
			.field("day", FieldType.DATE)
			.build());
		List<Map<String, Object>> rejected = List.of(event("text", "nul \u0000 inside"), event("text", "lone \ud800"),
				event("text", "lone low \udc00 first"), event("text", "cut pair \ud83c"),
				event("doc", Map.of("k", "nul \u0000")), event("doc", Map.of("nul\u0000key", 1)),
				event("doc", List.of("lone \udfff")), event("doc", Map.of("n", new BigDecimal("1e1000"))),
				event("doc", Map.of("n", new BigDecimal("-1e-998"))), event("doc", Map.of("n", new BigDecimal("1e131072"))),
				event("t", "+999999999-12-31T23:59:59Z"), event("t", "-9999-01-01T00:00:00Z"),
				event("t", Instant.MAX), event("t", "+294247-01-01T00:00:00Z"), event("t", "-4713-12-31T23:59:59.999999Z"),
				event("day", "+999999999-12-31"), event("day", LocalDate.MIN), event("day", "+294247-01-01"));
		for (Map<String, Object> event : rejected) {
			assertThatThrownBy(() -> this.store.appendAndWait("hostile", List.of(event)))
				.as("%s", event)
				.isInstanceOfSatisfying(InvalidEventException.class,
						(ex) -> assertThat(ex.getField()).isEqualTo(event.keySet().iterator().next()));
		}
		assertThat(this.store.describe("hostile").rowCount()).isZero();
	}

	@Test
	void valuesAtTheEdgesOfWhatEveryStoreKeepsRoundTrip() {
		this.store.ensureStream(StreamDefinition.builder("edges")
			.field("text", FieldType.STRING)
			.field("doc", FieldType.JSON)
			.field("t", FieldType.TIMESTAMP)
			.field("day", FieldType.DATE)
			.build());
		List<Map<String, Object>> edges = List.of(
				event("text", "pair \ud83c\udf89 \u0001 \uffff", "doc", Map.of("pair \ud83c\udf89", "\\u0000 literally"),
						"t", EventConverter.MIN_TIMESTAMP, "day", LocalDate.of(-4712, 1, 1)),
				event("text", "", "doc", Map.of("big", new BigDecimal("1e999"), "small", new BigDecimal("1e-998")), "t",
						EventConverter.MAX_TIMESTAMP, "day", LocalDate.of(294246, 12, 31)));
		this.store.appendAndWait("edges", edges);
		List<StoredEvent> stored = this.store.readAfter("edges", 0, 10);
		assertThat(stored).hasSize(2);
		assertThat(stored.get(0).data()).isEqualTo(edges.get(0));
		assertThat(stored.get(1).data()).containsEntry("t", EventConverter.MAX_TIMESTAMP)
			.containsEntry("day", LocalDate.of(294246, 12, 31));
		// Numbers in json values come back as the JSON reader reads them; what matters here is that they do.
		assertThat(stored.get(1).data().get("doc")).isInstanceOfSatisfying(Map.class,
				(doc) -> assertThat(doc.keySet()).containsExactlyInAnyOrder("big", "small"));
	}

	@Test
	void invalidFieldNamesAreRejected() {
		this.store.ensureStream(StreamDefinition.builder("clicks").build());
		assertThatThrownBy(() -> this.store.appendAndWait("clicks", List.of(event("ok", 1), event("bad-name", 1))))
			.isInstanceOfSatisfying(InvalidEventException.class, (ex) -> {
				assertThat(ex.getRowIndex()).isEqualTo(1);
				assertThat(ex.getField()).isEqualTo("bad-name");
			});
		assertThatThrownBy(() -> this.store.appendAndWait("clicks", List.of(event("_interlace_rowid", 5))))
			.isInstanceOf(InvalidEventException.class)
			.hasMessageContaining("reserved");
		assertThat(this.store.describe("clicks").rowCount()).isZero();
	}

	@Test
	void validateSchemaRejectsMissingWronglyTypedAndUndeclaredFields() {
		StreamDefinition strict = orders().toBuilder().validateSchema(true).build();
		this.store.ensureStream(strict);
		assertThatThrownBy(() -> this.store.appendAndWait("orders", List.of(event("order_id", "a", "amount", 1),
				event("order_id", "b"))))
			.isInstanceOfSatisfying(InvalidEventException.class, (ex) -> {
				assertThat(ex.getRowIndex()).isEqualTo(1);
				assertThat(ex.getField()).isEqualTo("amount");
				assertThat(ex.getMessage()).contains("required");
			});
		assertThatThrownBy(() -> this.store.appendAndWait("orders", List.of(event("order_id", "a", "amount", "5"))))
			.isInstanceOfSatisfying(InvalidEventException.class, (ex) -> assertThat(ex.getField()).isEqualTo("amount"));
		assertThatThrownBy(() -> this.store.appendAndWait("orders", List.of(event("order_id", 5, "amount", 5))))
			.isInstanceOfSatisfying(InvalidEventException.class, (ex) -> assertThat(ex.getField()).isEqualTo("order_id"));
		assertThatThrownBy(() -> this.store.appendAndWait("orders",
				List.of(event("order_id", "a", "amount", 5, "note", "x"))))
			.isInstanceOfSatisfying(InvalidEventException.class, (ex) -> assertThat(ex.getField()).isEqualTo("note"));
		assertThat(this.store.describe("orders").rowCount()).isZero();
		this.store.appendAndWait("orders", List.of(event("order_id", "a", "amount", 5)));
		assertThat(this.store.describe("orders").rowCount()).isEqualTo(1);
	}

	@Test
	void withoutValidationLosslessConversionsAreAccepted() {
		this.store.ensureStream(orders());
		this.store.appendAndWait("orders", List.of(event("order_id", 42, "amount", "17")));
		assertThat(this.store.readAfter("orders", 0, 1).get(0).data()).containsEntry("order_id", "42")
			.containsEntry("amount", 17L);
		assertThatThrownBy(() -> this.store.appendAndWait("orders", List.of(event("amount", 1.5))))
			.isInstanceOf(InvalidEventException.class)
			.hasMessageContaining("whole number");
	}

	@Test
	void unknownStreamIsReported() {
		assertThatThrownBy(() -> this.store.appendAndWait("missing", List.of(event("a", 1))))
			.isInstanceOf(StreamNotFoundException.class);
		assertThatThrownBy(() -> this.store.readAfter("missing", 0, 1)).isInstanceOf(StreamNotFoundException.class);
	}

	@Test
	void storeObserverIsToldOfEachCommitWithItsRows() {
		List<String> commits = new CopyOnWriteArrayList<>();
		this.store.setStoreObserver((stream, rows, nanos) -> commits.add(stream + ":" + rows + ":" + (nanos > 0)));
		this.store.ensureStream(orders());
		this.store.appendAndWait("orders", List.of(event("amount", 1), event("amount", 2)));
		this.store.appendAndWait("orders", List.of(event("amount", 3)));
		assertThat(commits).containsExactly("orders:2:true", "orders:1:true");
	}

	@Test
	void trimToMaxRowsKeepsTheNewestRows() {
		this.store.ensureStream(orders());
		this.store.appendAndWait("orders", amounts(10));
		assertThat(this.store.trimToMaxRows("orders", 3)).isEqualTo(7);
		assertThat(this.store.readAfter("orders", 0, 100)).extracting(StoredEvent::rowid).containsExactly(8L, 9L, 10L);
		assertThat(this.store.trimToMaxRows("orders", 3)).isZero();
	}

	@Test
	void trimsDeleteInBatchesOfAtMostTheBatchSize() {
		this.store.ensureStream(orders());
		this.store.appendAndWait("orders", amounts(25));
		assertThat(this.store.trimToMaxRows("orders", 5, 7)).isEqualTo(20);
		assertThat(this.store.readAfter("orders", 0, 100)).extracting(StoredEvent::rowid)
			.containsExactly(21L, 22L, 23L, 24L, 25L);
		assertThat(this.store.trimOlderThan("orders", Instant.now().plusSeconds(60), 2)).isEqualTo(5);
		assertThat(this.store.describe("orders").rowCount()).isZero();
		assertThatThrownBy(() -> this.store.trimToMaxRows("orders", 5, 0)).isInstanceOf(InvalidRequestException.class);
	}

	@Test
	void scheduledRetentionTrimsByRowsAndByAge() throws Exception {
		StreamDefinition byRows = orders().toBuilder().retention(new Retention(null, 3L)).build();
		StreamDefinition byAge = StreamDefinition.builder("clicks")
			.field("page", FieldType.STRING)
			.retention(new Retention(1, null))
			.build();
		this.store.ensureStream(byRows);
		this.store.ensureStream(byAge);
		this.store.appendAndWait("orders", amounts(10));
		this.store.appendAndWait("clicks", List.of(event("page", "/a"), event("page", "/b")));
		// Two days from now every click is older than its one day.
		Clock later = Clock.offset(Clock.systemUTC(), Duration.ofDays(2));
		try (RetentionTask task = new RetentionTask(List.of(byRows, byAge), (name) -> this.store, 4, later)) {
			task.start(Duration.ofMillis(20));
			awaitRowCount("clicks", 0);
			awaitRowCount("orders", 3);
		}
		assertThat(this.store.readAfter("orders", 0, 100)).extracting(StoredEvent::rowid)
			.containsExactly(8L, 9L, 10L);
		assertThat(this.store.appendAndWait("clicks", List.of(event("page", "/c"))).firstRowid()).isEqualTo(3);
	}

	@Test
	void retentionOfOneFailingStreamDoesNotStopTheOthers() {
		StreamDefinition byRows = orders().toBuilder().retention(new Retention(null, 2L)).build();
		StreamDefinition missing = StreamDefinition.builder("missing").retention(new Retention(null, 1L)).build();
		this.store.ensureStream(byRows);
		this.store.appendAndWait("orders", amounts(5));
		RetentionTask task = new RetentionTask(List.of(missing, byRows), (name) -> this.store, 100,
				Clock.systemUTC());
		assertThat(task.trim()).containsExactly(Map.entry("orders", 3L));
		assertThat(this.store.describe("orders").rowCount()).isEqualTo(2);
	}

	@Test
	void rowidsNeverRepeatAfterRetentionEmptiesTheStream() {
		this.store.ensureStream(orders());
		this.store.appendAndWait("orders", amounts(6));
		assertThat(this.store.trimToMaxRows("orders", 0, 4)).isEqualTo(6);
		assertThat(this.store.appendAndWait("orders", amounts(1)).firstRowid()).isEqualTo(7);
		assertThat(this.store.trimToMaxRows("orders", 0, 4)).isEqualTo(1);
		reopen();
		this.store.ensureStream(orders());
		assertThat(this.store.describe("orders").lastRowid()).isEqualTo(7);
		assertThat(this.store.appendAndWait("orders", amounts(1)).firstRowid()).isEqualTo(8);
	}

	@Test
	void rowCountFollowsAppendsRejectedPublishesAndTrimsAcrossReopen() {
		this.store.ensureStream(orders());
		this.store.appendAndWait("orders", amounts(3));
		this.store.appendAndWait("orders", amounts(150));
		assertThatThrownBy(() -> this.store.appendAndWait("orders", List.of(event("amount", 1), event("amount", "x"))))
			.isInstanceOf(InvalidEventException.class);
		assertThat(this.store.describe("orders").rowCount()).isEqualTo(153);
		assertThat(this.store.trimToMaxRows("orders", 100, 7)).isEqualTo(53);
		assertThat(this.store.describe("orders").rowCount()).isEqualTo(100);
		reopen();
		assertThat(this.store.ensureStream(orders()).rowCount()).isEqualTo(100);
		this.store.appendAndWait("orders", amounts(2));
		assertThat(this.store.describe("orders").rowCount()).isEqualTo(102);
		assertThat(this.store.trimOlderThan("orders", Instant.now().plusSeconds(60), 40)).isEqualTo(102);
		assertThat(this.store.describe("orders").rowCount()).isZero();
	}

	@Test
	void concurrentSingleEventPublishesAreStoredExactlyOnceWithoutVisibleGaps() throws Exception {
		this.store.ensureStream(StreamDefinition.builder("ticks")
			.field("thread", FieldType.INT32)
			.field("seq", FieldType.INT32)
			.build());
		int threads = 16;
		int perThread = 1_000;
		AtomicBoolean publishing = new AtomicBoolean(true);
		List<String> gaps = new CopyOnWriteArrayList<>();
		CompletableFuture<Void> consumer = CompletableFuture.runAsync(() -> {
			long last = 0;
			while (publishing.get() || last < (long) threads * perThread) {
				for (StoredEvent event : this.store.readAfter("ticks", last, 500)) {
					if (event.rowid() != last + 1) {
						gaps.add("after " + last + " came " + event.rowid());
					}
					last = event.rowid();
				}
				if (!gaps.isEmpty()) {
					return;
				}
			}
		});
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		CountDownLatch start = new CountDownLatch(1);
		List<Future<List<Long>>> results = new ArrayList<>();
		try {
			for (int t = 0; t < threads; t++) {
				int thread = t;
				results.add(pool.submit(() -> {
					start.await();
					List<Long> rowids = new ArrayList<>();
					for (int seq = 0; seq < perThread; seq++) {
						rowids.add(this.store.appendAndWait("ticks", List.of(event("thread", thread, "seq", seq)))
							.firstRowid());
					}
					return rowids;
				}));
			}
			start.countDown();
			Set<Long> returned = new HashSet<>();
			for (Future<List<Long>> result : results) {
				List<Long> rowids = result.get(120, TimeUnit.SECONDS);
				assertThat(rowids).isSorted();
				returned.addAll(rowids);
			}
			assertThat(returned).hasSize(threads * perThread);
		}
		finally {
			publishing.set(false);
			pool.shutdownNow();
		}
		consumer.get(60, TimeUnit.SECONDS);
		assertThat(gaps).isEmpty();
		List<StoredEvent> all = readAll(this.store, "ticks");
		assertThat(all).hasSize(threads * perThread);
		assertThat(all).extracting(StoredEvent::rowid).isSorted().doesNotHaveDuplicates();
		assertThat(all.get(all.size() - 1).rowid()).isEqualTo((long) threads * perThread);
		Map<Integer, List<Integer>> seqByThread = new HashMap<>();
		for (StoredEvent event : all) {
			seqByThread.computeIfAbsent((Integer) event.data().get("thread"), (k) -> new ArrayList<>())
				.add((Integer) event.data().get("seq"));
		}
		assertThat(seqByThread).hasSize(threads);
		seqByThread.values().forEach((seqs) -> assertThat(seqs).hasSize(perThread).isSorted().doesNotHaveDuplicates());
	}

	@Test
	void aBadPublishFailsAloneAmongConcurrentPublishes() throws Exception {
		this.store.ensureStream(orders());
		ExecutorService pool = Executors.newFixedThreadPool(8);
		try {
			List<Future<PublishResult>> good = new ArrayList<>();
			List<Future<PublishResult>> bad = new ArrayList<>();
			for (int i = 0; i < 40; i++) {
				int n = i;
				Future<PublishResult> future = pool.submit(() -> this.store.appendAndWait("orders",
						List.of(event("order_id", "o" + n, "amount", (n % 10 == 0) ? "bad" : n), event("amount", n))));
				((n % 10 == 0) ? bad : good).add(future);
			}
			for (Future<PublishResult> future : good) {
				assertThat(future.get(30, TimeUnit.SECONDS).rowsReceived()).isEqualTo(2);
			}
			for (Future<PublishResult> future : bad) {
				assertThatThrownBy(() -> future.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(InvalidEventException.class);
			}
		}
		finally {
			pool.shutdownNow();
		}
		List<StoredEvent> stored = this.store.readAfter("orders", 0, 1_000);
		assertThat(stored).hasSize(72);
		assertThat(stored).extracting(StoredEvent::rowid).isSorted().doesNotHaveDuplicates();
		assertThat(stored).extracting((e) -> e.data().get("order_id")).doesNotContain("o0", "o10", "o20", "o30");
	}

	@Test
	void publishesToSeveralStreamsKeepSeparateRowids() {
		this.store.ensureStream(orders());
		this.store.ensureStream(StreamDefinition.builder("clicks").build());
		this.store.appendAndWait("orders", List.of(event("amount", 1)));
		assertThat(this.store.appendAndWait("clicks", List.of(event("page", "/"))).firstRowid()).isEqualTo(1);
		assertThat(this.store.appendAndWait("orders", List.of(event("amount", 2))).firstRowid()).isEqualTo(2);
	}

	@Test
	void declaringAFieldWithAnotherTypeThanItsColumnFails() {
		this.store.ensureStream(orders());
		assertThatThrownBy(() -> this.store.ensureStream(StreamDefinition.builder("orders")
			.field("amount", FieldType.STRING)
			.build())).hasMessageContaining("amount").hasMessageContaining("int64");
	}

	@Test
	void addingADeclaredFieldToAnExistingStreamAddsItsColumn() {
		this.store.ensureStream(orders());
		this.store.appendAndWait("orders", List.of(event("amount", 1)));
		this.store.ensureStream(orders().toBuilder().field("note", FieldType.STRING).build());
		assertThat(this.store.describe("orders").columns()).containsKeys("order_id", "amount", "note");
		this.store.appendAndWait("orders", List.of(event("amount", 2, "note", "hi")));
		assertThat(this.store.readAfter("orders", 1, 1).get(0).data()).containsEntry("note", "hi");
	}

	@Test
	void closedStoreRefusesPublishes() {
		this.store.ensureStream(orders());
		this.store.close();
		assertThatThrownBy(() -> this.store.appendAndWait("orders", List.of(event("amount", 1))))
			.isInstanceOf(StoreException.class)
			.hasMessageContaining("closed");
		this.store = openStore();
	}

	// Redis XADD <ms>-<seq>: the entry gets exactly that ID; later automatic IDs follow it even while the clock is
	// behind it (the ms part is max(clock, last ms), the sequence the next in that millisecond).
	@Test
	void anExplicitIdIsStoredAsGivenAndAutomaticIdsFollowItWhenTheClockIsBehind() {
		this.store.ensureStream(orders());
		long future = Instant.now().plus(Duration.ofDays(1)).toEpochMilli();
		PublishResult explicit = this.store.appendAndWait("orders", List.of(event("order_id", "a")),
				NewEntryId.at(new EntryId(future, 5)));
		assertThat(explicit.firstId()).isEqualTo(new EntryId(future, 5));
		assertThat(explicit.lastId()).isEqualTo(new EntryId(future, 5));
		PublishResult automatic = this.store.appendAndWait("orders", amounts(2));
		assertThat(automatic.firstId()).isEqualTo(new EntryId(future, 6));
		assertThat(automatic.lastId()).isEqualTo(new EntryId(future, 7));
		reopen();
		this.store.ensureStream(orders());
		assertThat(this.store.appendAndWait("orders", amounts(1)).firstId()).isEqualTo(new EntryId(future, 8));
		assertThat(readAll(this.store, "orders")).extracting(StoredEvent::id).containsExactly(new EntryId(future, 5),
				new EntryId(future, 6), new EntryId(future, 7), new EntryId(future, 8));
	}

	// Redis XADD <ms>-*: that millisecond, sequence 0 when it is past the last ID's, else the next sequence in it.
	@Test
	void anIdWithAnAutomaticSequenceTakesTheNextSequenceInItsMillisecond() {
		this.store.ensureStream(orders());
		assertThat(this.store.appendAndWait("orders", amounts(1), NewEntryId.atMillis(1_000)).firstId())
			.isEqualTo(new EntryId(1_000, 0));
		assertThat(this.store.appendAndWait("orders", amounts(1), NewEntryId.atMillis(1_000)).firstId())
			.isEqualTo(new EntryId(1_000, 1));
		assertThat(this.store.appendAndWait("orders", amounts(1), NewEntryId.at(new EntryId(1_000, 9))).firstId())
			.isEqualTo(new EntryId(1_000, 9));
		assertThat(this.store.appendAndWait("orders", amounts(1), NewEntryId.atMillis(1_000)).firstId())
			.isEqualTo(new EntryId(1_000, 10));
		assertThat(this.store.appendAndWait("orders", amounts(1), NewEntryId.atMillis(2_000)).firstId())
			.isEqualTo(new EntryId(2_000, 0));
	}

	// Redis XADD 0-* on an empty stream gives 0-1: 0-0 is never an entry's ID.
	@Test
	void anAutomaticSequenceInMillisecondZeroStartsAtOne() {
		this.store.ensureStream(orders());
		assertThat(this.store.appendAndWait("orders", amounts(1), NewEntryId.atMillis(0)).firstId())
			.isEqualTo(new EntryId(0, 1));
	}

	// Redis XADD: "ERR The ID specified in XADD is equal or smaller than the target stream top item", nothing added.
	@Test
	void anExplicitIdEqualToOrBelowTheLastIdIsRefusedAndStoresNothing() {
		this.store.ensureStream(orders());
		PublishResult first = this.store.appendAndWait("orders", amounts(1), NewEntryId.at(new EntryId(5_000, 3)));
		for (NewEntryId tooSmall : List.of(NewEntryId.at(new EntryId(5_000, 3)), NewEntryId.at(new EntryId(5_000, 2)),
				NewEntryId.at(new EntryId(4_999, 9)), NewEntryId.atMillis(4_999))) {
			assertThatThrownBy(() -> this.store.appendAndWait("orders", amounts(1), tooSmall)).as("%s", tooSmall)
				.isInstanceOf(InvalidRequestException.class)
				.hasMessage("The ID specified in XADD is equal or smaller than the target stream top item");
		}
		assertThat(this.store.describe("orders").rowCount()).isEqualTo(1);
		// Refused publishes take no rowid and leave the last ID where it was.
		PublishResult next = this.store.appendAndWait("orders", amounts(1), NewEntryId.atMillis(5_000));
		assertThat(next.firstRowid()).isEqualTo(first.lastRowid() + 1);
		assertThat(next.firstId()).isEqualTo(new EntryId(5_000, 4));
	}

	// Redis XADD 0-0: "ERR The ID specified in XADD must be greater than 0-0".
	@Test
	void zeroZeroIsNeverAValidExplicitId() {
		assertThatThrownBy(() -> NewEntryId.at(EntryId.MIN)).isInstanceOf(InvalidRequestException.class)
			.hasMessage("The ID specified in XADD must be greater than 0-0");
		assertThatThrownBy(() -> NewEntryId.parse("0-0")).isInstanceOf(InvalidRequestException.class)
			.hasMessage("The ID specified in XADD must be greater than 0-0");
	}

	// Redis XADD adds one entry per ID: here an explicit ID applies to a publish of exactly one event.
	@Test
	void anExplicitIdNeedsAPublishOfExactlyOneEvent() {
		this.store.ensureStream(orders());
		assertThatThrownBy(() -> this.store.appendAndWait("orders", amounts(2), NewEntryId.at(new EntryId(1, 1))))
			.isInstanceOf(InvalidRequestException.class)
			.hasMessageContaining("An explicit entry ID needs a publish of one event");
		assertThatThrownBy(() -> this.store.appendAndWait("orders", List.of(), NewEntryId.atMillis(1)))
			.isInstanceOf(InvalidRequestException.class);
		assertThat(this.store.describe("orders").rowCount()).isZero();
	}

	// Redis XADD: each call succeeds or fails alone. Queued together, only the publish whose ID is too small fails.
	@Test
	void aTooSmallExplicitIdAmongConcurrentPublishesFailsAlone() {
		this.store.ensureStream(orders());
		long future = Instant.now().plus(Duration.ofDays(1)).toEpochMilli();
		List<CompletableFuture<PublishResult>> good = new ArrayList<>();
		CompletableFuture<PublishResult> tooSmall = null;
		for (int i = 0; i < 30; i++) {
			good.add(this.store.append("orders", List.of(event("order_id", "o" + i))));
			if (i == 10) {
				good.add(this.store.append("orders", List.of(event("order_id", "future")),
						NewEntryId.at(new EntryId(future, 0))));
			}
			if (i == 20) {
				tooSmall = this.store.append("orders", List.of(event("order_id", "bad")),
						NewEntryId.at(new EntryId(future, 0)));
			}
		}
		for (CompletableFuture<PublishResult> publish : good) {
			assertThat(publish.join().rowsReceived()).isEqualTo(1);
		}
		assertThatThrownBy(tooSmall::join).hasCauseInstanceOf(InvalidRequestException.class);
		List<StoredEvent> stored = readAll(this.store, "orders");
		assertThat(stored).hasSize(31);
		assertThat(stored).extracting(StoredEvent::rowid).containsExactlyElementsOf(StoreTestSupport.rowids(1, 31));
		assertThat(stored).extracting((e) -> e.data().get("order_id")).doesNotContain("bad");
		assertIdsIncreaseWithRowids(stored);
	}

		// Redis XADD with an automatic ID: IDs only grow, whatever groups, restarts and trims (XTRIM never lowers the
	// stream's last-generated-id).
	@Test
	void entryIdsIncreaseStrictlyWithRowidsAcrossGroupsRestartsAndTrims() throws Exception {
		this.store.ensureStream(orders());
		List<CompletableFuture<PublishResult>> publishes = new ArrayList<>();
		for (int i = 0; i < 50; i++) {
			publishes.add(this.store.append("orders", amounts(1 + i % 3)));
		}
		for (CompletableFuture<PublishResult> publish : publishes) {
			PublishResult result = publish.join();
			assertThat(result.firstId()).isNotNull();
			assertThat(result.lastId().seq() - result.firstId().seq()).isEqualTo(result.rowsReceived() - 1);
		}
		EntryId beforeRestart = assertIdsIncreaseWithRowids(readAll(this.store, "orders"));
		reopen();
		this.store.ensureStream(orders());
		PublishResult afterRestart = this.store.appendAndWait("orders", amounts(2));
		assertThat(afterRestart.firstId()).isGreaterThan(beforeRestart);
		EntryId last = afterRestart.lastId();
		this.store.trimToMaxRows("orders", 0, 10);
		reopen();
		this.store.ensureStream(orders());
		PublishResult afterTrim = this.store.appendAndWait("orders", amounts(1));
		assertThat(afterTrim.firstId()).isGreaterThan(last);
		assertThat(afterTrim.firstRowid()).isEqualTo(afterRestart.lastRowid() + 1);
	}

	// Redis: entries added within one millisecond share its ms part and take sequence numbers 0, 1, 2...
	@Test
	void rowsOfOnePublishShareAMillisecondWithSequenceNumbersFromZero() {
		this.store.ensureStream(orders());
		PublishResult result = this.store.appendAndWait("orders", amounts(3));
		List<StoredEvent> events = this.store.readAfter("orders", 0, 10);
		long ms = events.get(0).publishedAt().toEpochMilli();
		assertThat(events).extracting(StoredEvent::id)
			.containsExactly(new EntryId(ms, 0), new EntryId(ms, 1), new EntryId(ms, 2));
		assertThat(result.firstId()).isEqualTo(new EntryId(ms, 0));
		assertThat(result.lastId()).isEqualTo(new EntryId(ms, 2));
	}

	// Redis: what XADD returns is the ID stored (XRANGE shows it), and readers see the same IDs the publisher got.
	@Test
	void readsAndCommitListenersCarryTheIdsThePublishReturned() {
		this.store.ensureStream(orders());
		List<StoredEvent> heard = new CopyOnWriteArrayList<>();
		this.store.addCommitListener((stream, events) -> heard.addAll(events));
		List<PublishResult> results = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			results.add(this.store.appendAndWait("orders", amounts(i + 1)));
		}
		List<StoredEvent> read = this.store.readAfter("orders", 0, 100);
		Map<Long, EntryId> published = new HashMap<>();
		for (PublishResult result : results) {
			for (long rowid = result.firstRowid(); rowid <= result.lastRowid(); rowid++) {
				published.put(rowid, new EntryId(result.firstId().ms(),
						result.firstId().seq() + (rowid - result.firstRowid())));
			}
		}
		assertThat(read).hasSize(15);
		for (StoredEvent event : read) {
			assertThat(event.id()).as("rowid %d", event.rowid()).isEqualTo(published.get(event.rowid()));
			assertThat(event.toRow()).containsEntry(StoredEvent.ID_MS, event.id().ms())
				.containsEntry(StoredEvent.ID_SEQ, event.id().seq());
		}
		awaitTrue(() -> heard.size() == 15);
		assertThat(heard).extracting(StoredEvent::id).containsExactlyElementsOf(read.stream().map(StoredEvent::id).toList());
	}

	// Redis XADD: the ms part is max(clock, last ms), so a last ID ahead of the clock (here rows published in the
	// future, as an explicit ID or a clock set back would leave them) keeps IDs growing within that millisecond.
	@Test
	void aTableMadeBeforeEntryIdsIsNumberedInRowidOrderAndLaterIdsFollowIt() throws Exception {
		long future = Instant.now().plus(Duration.ofDays(1)).toEpochMilli();
		executeSql("CREATE SCHEMA IF NOT EXISTS events");
		// The layout of versions before entry IDs.
		executeSql("CREATE TABLE events.orders (_interlace_rowid BIGINT NOT NULL PRIMARY KEY, "
				+ "_interlace_published_at TIMESTAMPTZ NOT NULL, _interlace_publish_id UUID NOT NULL, "
				+ "order_id VARCHAR, amount BIGINT)");
		String uuid = "'" + UUID.randomUUID() + "'";
		// Two rows in one millisecond, one whose clock went back, one a millisecond later, one far ahead.
		executeSql("INSERT INTO events.orders VALUES "
				+ "(1, " + at(1_700_000_000_001L, 100) + ", " + uuid + ", 'a', 1), "
				+ "(2, " + at(1_700_000_000_001L, 900) + ", " + uuid + ", 'b', 2), "
				+ "(3, " + at(1_600_000_000_000L, 0) + ", " + uuid + ", 'c', 3), "
				+ "(4, " + at(1_700_000_000_002L, 0) + ", " + uuid + ", 'd', 4), "
				+ "(5, " + at(future, 0) + ", " + uuid + ", 'e', 5)");
		reopen();
		this.store.ensureStream(orders());
		assertThat(this.store.readAfter("orders", 0, 10)).extracting(StoredEvent::id)
			.containsExactly(new EntryId(1_700_000_000_001L, 0), new EntryId(1_700_000_000_001L, 1),
					new EntryId(1_700_000_000_001L, 2), new EntryId(1_700_000_000_002L, 0), new EntryId(future, 0));
		assertThat(this.store.readAfter("orders", 2, 1).get(0).data())
			.containsExactly(Map.entry("order_id", "c"), Map.entry("amount", 3L));
		PublishResult next = this.store.appendAndWait("orders", List.of(event("order_id", "f"), event("order_id", "g")));
		assertThat(next.firstId()).isEqualTo(new EntryId(future, 1));
		assertThat(next.lastId()).isEqualTo(new EntryId(future, 2));
		// Columns added after the migration come after its ID columns: writes and reads find each by name.
		StreamDefinition evolved = StreamDefinition.builder("orders")
			.field("order_id", FieldType.STRING)
			.field("amount", FieldType.INT64)
			.field("note", FieldType.STRING)
			.build();
		this.store.ensureStream(evolved);
		PublishResult noted = this.store.appendAndWait("orders",
				List.of(event("order_id", "h", "amount", 8, "note", "n")));
		reopen();
		this.store.ensureStream(evolved);
		List<StoredEvent> events = readAll(this.store, "orders");
		assertIdsIncreaseWithRowids(events);
		StoredEvent last = events.get(events.size() - 1);
		assertThat(last.id()).isEqualTo(noted.firstId()).isEqualTo(new EntryId(future, 3));
		assertThat(last.data()).containsExactly(Map.entry("order_id", "h"), Map.entry("amount", 8L),
				Map.entry("note", "n"));
		assertThat(this.store.appendAndWait("orders", amounts(1)).firstId()).isEqualTo(new EntryId(future, 4));
	}

	private static String at(long epochMilli, int micros) {
		Instant instant = Instant.ofEpochMilli(epochMilli).plusNanos(micros * 1_000L);
		return "'" + instant + "'::TIMESTAMPTZ";
	}

	/** Returns the last ID after checking that IDs increase strictly in rowid order. */
	protected static EntryId assertIdsIncreaseWithRowids(List<StoredEvent> events) {
		EntryId last = EntryId.MIN;
		long lastRowid = 0;
		for (StoredEvent event : events) {
			assertThat(event.rowid()).isGreaterThan(lastRowid);
			assertThat(event.id()).as("ID of rowid %d after %s", event.rowid(), last).isGreaterThan(last);
			last = event.id();
			lastRowid = event.rowid();
		}
		return last;
	}

	private static void awaitTrue(java.util.function.BooleanSupplier condition) {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (!condition.getAsBoolean()) {
			assertThat(System.nanoTime()).as("waited 10 s").isLessThan(deadline);
			try {
				Thread.sleep(10);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new AssertionError(ex);
			}
		}
	}

	private void awaitRowCount(String stream, long rows) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (this.store.describe(stream).rowCount() != rows) {
			assertThat(System.nanoTime()).as("'%s' trimmed to %d rows in time", stream, rows).isLessThan(deadline);
			Thread.sleep(20);
		}
	}

}
