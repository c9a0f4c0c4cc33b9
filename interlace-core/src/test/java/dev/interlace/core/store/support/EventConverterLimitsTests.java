package dev.interlace.core.store.support;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.interlace.core.FieldType;
import dev.interlace.core.InvalidEventException;
import dev.interlace.core.SchemaLimits;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.annotation.Stream;
import dev.interlace.core.engine.StreamRecords;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * How {@link EventConverter} bounds the columns a publish may add, with the default limits.
 */
class EventConverterLimitsTests {

	private static final StreamDefinition OPEN = StreamDefinition.builder("clicks").build();

	@Test
	void eventWithMoreKeysThanTheLimitIsRejectedNamingTheLimit() {
		Map<String, Object> wide = keys("k", 5_000);
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> EventConverter.convert(OPEN, ColumnSet.empty(), List.of(Map.of("a", 1), wide)))
			.satisfies((ex) -> {
				assertThat(ex.getRowIndex()).isEqualTo(1);
				assertThat(ex.getField()).isNull();
				assertThat(ex.getMessage()).contains("5000 keys", "max-keys-per-event", "1000");
			});
	}

	@Test
	void eventWithAsManyKeysAsTheLimitIsAcceptedWhenItsColumnsExist() {
		Map<String, FieldType> columns = new LinkedHashMap<>();
		for (int i = 0; i < 1_000; i++) {
			columns.put("k" + i, FieldType.INT64);
		}
		ConvertedBatch batch = EventConverter.convert(OPEN, ColumnSet.of(columns), List.of(keys("k", 1_000)));
		assertThat(batch.added()).isEmpty();
		assertThat(batch.rows()[0]).hasSize(1_000);
	}

	@Test
	void publishAddingMoreNewColumnsThanTheLimitIsRejectedAtTheFirstKeyOverIt() {
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> EventConverter.convert(OPEN, ColumnSet.empty(), List.of(keys("k", 65))))
			.satisfies((ex) -> {
				assertThat(ex.getRowIndex()).isZero();
				assertThat(ex.getField()).isEqualTo("k64");
				assertThat(ex.getMessage()).contains("max-new-columns-per-publish", "64");
			});
	}

	@Test
	void newColumnsAreCountedAcrossTheEventsOfAPublish() {
		List<Map<String, Object>> events = new ArrayList<>();
		for (int i = 0; i < 20_000; i++) {
			events.add(Map.of("key_" + i, i));
		}
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> EventConverter.convert(OPEN, ColumnSet.empty(), events))
			.satisfies((ex) -> {
				assertThat(ex.getRowIndex()).isEqualTo(64);
				assertThat(ex.getField()).isEqualTo("key_64");
				assertThat(ex.getMessage()).contains("max-new-columns-per-publish", "64");
			});
	}

	@Test
	void publishAddingAsManyNewColumnsAsTheLimitIsAccepted() {
		List<Map<String, Object>> events = new ArrayList<>();
		for (int i = 0; i < 20_000; i++) {
			events.add(Map.of("key_" + (i % 64), i));
		}
		ConvertedBatch batch = EventConverter.convert(OPEN, ColumnSet.empty(), events);
		assertThat(batch.added()).hasSize(64);
		assertThat(batch.rows()).hasNumberOfRows(20_000);
	}

	@Test
	void keyOfAnExistingColumnIsNoNewColumn() {
		Map<String, FieldType> columns = new LinkedHashMap<>();
		for (int i = 0; i < 100; i++) {
			columns.put("k" + i, FieldType.INT64);
		}
		ConvertedBatch batch = EventConverter.convert(OPEN, ColumnSet.of(columns), List.of(keys("k", 100)));
		assertThat(batch.added()).isEmpty();
	}

	@Test
	void publishGrowingAStreamBeyondItsColumnLimitIsRejectedNamingTheLimit() {
		Map<String, FieldType> columns = new LinkedHashMap<>();
		for (int i = 0; i < 999; i++) {
			columns.put("c" + i, FieldType.STRING);
		}
		ConvertedBatch atLimit = EventConverter.convert(OPEN, ColumnSet.of(columns), List.of(Map.of("last", 1)));
		assertThat(atLimit.columns().size()).isEqualTo(1_000);
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> EventConverter.convert(OPEN, atLimit.columns(), List.of(Map.of("c0", "x", "one_more", 1))))
			.satisfies((ex) -> {
				assertThat(ex.getRowIndex()).isZero();
				assertThat(ex.getField()).isEqualTo("one_more");
				assertThat(ex.getMessage()).contains("max-columns-per-stream", "1000");
			});
	}

	@Test
	void keysDifferingOnlyInCaseAcrossEventsStillClash() {
		List<Map<String, Object>> events = List.of(Map.of("Page", "a"), Map.of("page", "b"));
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> EventConverter.convert(OPEN, ColumnSet.empty(), events))
			.satisfies((ex) -> {
				assertThat(ex.getRowIndex()).isEqualTo(1);
				assertThat(ex.getField()).isEqualTo("page");
				assertThat(ex.getMessage()).contains("clashes with field 'Page'");
			});
	}

	@Test
	void newKeyWithOnlyNullValuesAddsNoColumnAndCountsAgainstNoLimit() {
		List<Map<String, Object>> events = new ArrayList<>();
		for (int i = 0; i < 200; i++) {
			Map<String, Object> event = new LinkedHashMap<>();
			event.put("nothing_" + i, null);
			events.add(event);
		}
		assertThat(EventConverter.convert(OPEN, ColumnSet.empty(), events).added()).isEmpty();
	}

	@Test
	void limitsOfTheDefinitionReplaceTheDefaults() {
		StreamDefinition narrow = StreamDefinition.builder("narrow").schemaLimits(new SchemaLimits(2, 3, 4)).build();
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> EventConverter.convert(narrow, ColumnSet.empty(), List.of(keys("k", 5))))
			.withMessageContaining("more than the limit max-keys-per-event of 4");
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> EventConverter.convert(narrow, ColumnSet.empty(), List.of(keys("k", 3))))
			.withMessageContaining("more than the limit max-new-columns-per-publish of 2")
			.satisfies((ex) -> assertThat(ex.getField()).isEqualTo("k2"));
		ColumnSet two = EventConverter.convert(narrow, ColumnSet.empty(), List.of(keys("k", 2))).columns();
		assertThat(EventConverter.convert(narrow, two, List.of(Map.of("third", 1))).columns().size()).isEqualTo(3);
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> EventConverter.convert(narrow, two, List.of(Map.of("third", 1, "fourth", 2))))
			.withMessageContaining("more than the limit max-columns-per-stream of 3");
	}

	@Test
	void columnsPerStreamCannotBeConfiguredBeyondWhatPostgresqlHolds() {
		assertThat(new SchemaLimits(64, SchemaLimits.MAX_FIELD_COLUMNS, 1_000).maxColumnsPerStream()).isEqualTo(1_597);
		assertThatIllegalArgumentException().isThrownBy(() -> new SchemaLimits(64, 1_598, 1_000))
			.withMessageContaining("max-columns-per-stream must be between 1 and 1597");
		assertThatIllegalArgumentException().isThrownBy(() -> new SchemaLimits(0, 1_000, 1_000))
			.withMessageContaining("max-new-columns-per-publish");
		assertThatIllegalArgumentException().isThrownBy(() -> new SchemaLimits(64, 1_000, 0))
			.withMessageContaining("max-keys-per-event");
	}

	@Test
	void withSchemaEvolutionOffAnUnknownKeyIsRejectedNamingTheField() {
		StreamDefinition frozen = StreamDefinition.builder("frozen")
			.field("page", FieldType.STRING)
			.field("ms", FieldType.INT64)
			.schemaEvolution(false)
			.build();
		ColumnSet columns = ColumnSet.of(frozen.fields());
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> EventConverter.convert(frozen, columns,
					List.of(Map.of("page", "/"), Map.of("page", "/a", "referrer", "x"))))
			.satisfies((ex) -> {
				assertThat(ex.getRowIndex()).isEqualTo(1);
				assertThat(ex.getField()).isEqualTo("referrer");
				assertThat(ex.getMessage()).contains("schema evolution is off");
			});
	}

	@Test
	void withSchemaEvolutionOffDeclaredFieldsStayOptionalAndValuesAreStillConverted() {
		StreamDefinition frozen = StreamDefinition.builder("frozen")
			.field("page", FieldType.STRING)
			.field("ms", FieldType.INT64)
			.schemaEvolution(false)
			.build();
		ConvertedBatch batch = EventConverter.convert(frozen, ColumnSet.of(frozen.fields()),
				List.of(Map.of("page", "/"), Map.of("ms", "42"), Map.of()));
		assertThat(batch.added()).isEmpty();
		assertThat(batch.rows()[0]).containsExactly("/", null);
		assertThat(batch.rows()[1]).containsExactly(null, 42L);
		assertThat(batch.rows()[2]).containsExactly(null, null);
	}

	@Test
	void withSchemaEvolutionOffColumnsTheTableGainedEarlierAreKnown() {
		StreamDefinition frozen = StreamDefinition.builder("frozen").schemaEvolution(false).build();
		ColumnSet evolved = ColumnSet.of(Map.of("page", FieldType.STRING));
		assertThat(EventConverter.convert(frozen, evolved, List.of(Map.of("page", "/"))).rows()[0])
			.containsExactly("/");
	}

	@Test
	void validateSchemaImpliesNoSchemaEvolution() {
		StreamDefinition strict = StreamDefinition.builder("strict")
			.field("page", FieldType.STRING)
			.validateSchema(true)
			.build();
		assertThat(strict.schemaEvolution()).isFalse();
		assertThat(StreamDefinition.builder("open").build().schemaEvolution()).isTrue();
	}

	@Test
	void streamAnnotationTurnsSchemaEvolutionOff() {
		assertThat(StreamRecords.definition(FrozenClick.class, (value) -> value).schemaEvolution()).isFalse();
		assertThat(StreamRecords.definition(OpenClick.class, (value) -> value).schemaEvolution()).isTrue();
	}

	@Stream(schemaEvolution = false)
	record FrozenClick(String page) {
	}

	@Stream
	record OpenClick(String page) {
	}

	private static Map<String, Object> keys(String prefix, int count) {
		Map<String, Object> event = new LinkedHashMap<>();
		for (int i = 0; i < count; i++) {
			event.put(prefix + i, i);
		}
		return event;
	}

}
