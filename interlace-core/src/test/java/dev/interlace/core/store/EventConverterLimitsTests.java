package dev.interlace.core.store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.interlace.core.FieldType;
import dev.interlace.core.InvalidEventException;
import dev.interlace.core.StreamDefinition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

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

	private static Map<String, Object> keys(String prefix, int count) {
		Map<String, Object> event = new LinkedHashMap<>();
		for (int i = 0; i < count; i++) {
			event.put(prefix + i, i);
		}
		return event;
	}

}
