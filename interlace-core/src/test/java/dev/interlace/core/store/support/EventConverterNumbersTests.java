package dev.interlace.core.store.support;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.interlace.core.FieldType;
import dev.interlace.core.InvalidEventException;
import dev.interlace.core.StreamDefinition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * How {@link EventConverter} treats numbers of extreme magnitude or length: each is answered with an
 * {@link InvalidEventException} naming the field and row before any work proportional to its magnitude is done, never
 * with another exception and never stored as something else.
 */
class EventConverterNumbersTests {

	private static final String HUGE = "1e2147483640";

	private static final String TINY = "1e-2147483640";

	private static final String LONG_PLAIN = "1e20000000";

	private static final String SLOW_INTEGER = "1e100000000";

	private static final String NEGATIVE_HUGE = "-1e3080";

	@ParameterizedTest
	@ValueSource(strings = { HUGE, TINY, LONG_PLAIN, SLOW_INTEGER, NEGATIVE_HUGE, "1e1000", "1e-999" })
	void numberTooLongWrittenOutIsRejectedFromAStringColumn(String number) {
		assertRejected(FieldType.STRING, number, "characters");
	}

	@Test
	void numberOfBoundedLengthIsWrittenOutIntoAStringColumn() {
		assertThat(convert(FieldType.STRING, "1e3")).isEqualTo("1000");
		assertThat(convert(FieldType.STRING, "12.5e-3")).isEqualTo("0.0125");
		String longest = "1" + "0".repeat(EventConverter.MAX_JSON_NUMBER_LENGTH - 1);
		assertThat(convert(FieldType.STRING, "1e" + (EventConverter.MAX_JSON_NUMBER_LENGTH - 1))).isEqualTo(longest);
	}

	@ParameterizedTest
	@ValueSource(strings = { HUGE, LONG_PLAIN, SLOW_INTEGER, NEGATIVE_HUGE, "1e19", "-1e19" })
	void numberBeyondInt64IsRejectedAsOutOfRange(String number) {
		assertRejected(FieldType.INT64, number, "out of range");
		assertRejected(FieldType.INT32, number, "out of range");
	}

	@ParameterizedTest
	@ValueSource(strings = { TINY, "1e-1", "12345e-5" })
	void numberWithAFractionIsRejectedFromIntegerColumns(String number) {
		assertRejected(FieldType.INT64, number, "not a whole number");
		assertRejected(FieldType.INT32, number, "not a whole number");
	}

	@Test
	void wholeNumbersWrittenWithExponentsFitIntegerColumns() {
		assertThat(convert(FieldType.INT64, "9.223372036854775807e18")).isEqualTo(Long.MAX_VALUE);
		assertThat(convert(FieldType.INT64, "100e-2")).isEqualTo(1L);
		assertThat(convert(FieldType.INT32, "-2.147483648e9")).isEqualTo(Integer.MIN_VALUE);
		assertThat(convert(FieldType.INT64, "0e-2147483640")).isEqualTo(0L);
		assertThat(convert(FieldType.INT64, "0e2147483640")).isEqualTo(0L);
	}

	@ParameterizedTest
	@ValueSource(strings = { HUGE, LONG_PLAIN, SLOW_INTEGER, NEGATIVE_HUGE, "1e309", "-1.8e308" })
	void numberBeyondFloat64IsRejectedRatherThanStoredAsInfinity(String number) {
		assertRejected(FieldType.FLOAT64, number, "out of float64 range");
		assertRejected(FieldType.FLOAT32, number, "out of float");
	}

	@Test
	void numberBeyondFloat32IsRejectedFromFloat32Columns() {
		assertRejected(FieldType.FLOAT32, "3.5e38", "out of float32 range");
		assertThat(convert(FieldType.FLOAT64, "3.5e38")).isEqualTo(3.5e38);
	}

	@ParameterizedTest
	@ValueSource(strings = { TINY, "1e-400" })
	void nonZeroNumberTooSmallForFloatsIsRejectedRatherThanStoredAsZero(String number) {
		assertRejected(FieldType.FLOAT64, number, "too small");
		assertRejected(FieldType.FLOAT32, number, "too small");
	}

	@Test
	void zeroWithAnyExponentIsZeroInFloatColumns() {
		assertThat(convert(FieldType.FLOAT64, "0e-2147483640")).isEqualTo(0.0);
		assertThat(convert(FieldType.FLOAT32, "0e2147483640")).isEqualTo(0.0f);
	}

	@ParameterizedTest
	@ValueSource(strings = { HUGE, LONG_PLAIN, SLOW_INTEGER, NEGATIVE_HUGE, "1e28" })
	void numberBeyondTheDecimalPrecisionIsRejectedAsOutOfRange(String number) {
		assertRejected(FieldType.DECIMAL, number, "out of decimal range");
	}

	@Test
	void numberWithMoreDecimalPlacesThanTheScaleIsRejected() {
		assertRejected(FieldType.DECIMAL, TINY, "decimal places");
		assertThat(convert(FieldType.DECIMAL, "1.5e27")).isEqualTo(new BigDecimal("1500000000000000000000000000"));
	}

	@ParameterizedTest
	@ValueSource(strings = { HUGE, TINY, LONG_PLAIN, SLOW_INTEGER, NEGATIVE_HUGE })
	void numberTooLongWrittenOutIsRejectedFromAJsonColumn(String number) {
		assertRejected(FieldType.JSON, number, "characters");
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> EventConverter.convert(stream(FieldType.JSON), columns(FieldType.JSON),
					List.of(Map.of("v", Map.of("nested", new BigDecimal(number))))))
			.withMessageContaining("characters");
	}

	@ParameterizedTest
	@ValueSource(strings = { HUGE, TINY, LONG_PLAIN, SLOW_INTEGER, NEGATIVE_HUGE })
	void newColumnInferredFromAnExtremeNumberIsRejectedAndNotAdded(String number) {
		StreamDefinition open = StreamDefinition.builder("inferred").build();
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> EventConverter.convert(open, ColumnSet.empty(),
					List.of(Map.of("v", new BigDecimal(number)))))
			.satisfies((ex) -> {
				assertThat(ex.getField()).isEqualTo("v");
				assertThat(ex.getRowIndex()).isZero();
			});
	}

	@Test
	void wholeNumberOfAThousandDigitsIsRejectedFromIntegerAndDecimalColumns() {
		BigInteger big = BigInteger.TEN.pow(999);
		for (FieldType type : List.of(FieldType.INT64, FieldType.DECIMAL)) {
			assertThatExceptionOfType(InvalidEventException.class).isThrownBy(
					() -> EventConverter.convert(stream(type), columns(type), List.of(Map.of("v", big))))
				.withMessageContaining("out of");
		}
	}

	@Test
	void textTooLongForANumberIsRejectedFromNumericColumnsBeforeParsing() {
		String digits = "9".repeat(1_000_000);
		for (FieldType type : List.of(FieldType.INT64, FieldType.FLOAT64, FieldType.DECIMAL)) {
			assertThatExceptionOfType(InvalidEventException.class).isThrownBy(
					() -> EventConverter.convert(stream(type), columns(type), List.of(Map.of("v", digits))))
				.withMessageContaining("longer than " + EventConverter.MAX_JSON_NUMBER_LENGTH);
		}
	}

	@Test
	void extremeNumberGivenAsTextIsRejectedFromIntegerColumns() {
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> EventConverter.convert(stream(FieldType.INT64), columns(FieldType.INT64),
					List.of(Map.of("v", SLOW_INTEGER))))
			.withMessageContaining("out of range");
	}

	private static Object convert(FieldType type, String number) {
		ConvertedBatch batch = EventConverter.convert(stream(type), columns(type),
				List.of(Map.of("v", new BigDecimal(number))));
		return batch.rows()[0][0];
	}

	private static void assertRejected(FieldType type, String number, String reason) {
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> EventConverter.convert(stream(type), columns(type),
					List.of(Map.of("v", 1), Map.of("v", new BigDecimal(number)))))
			.satisfies((ex) -> {
				assertThat(ex.getField()).isEqualTo("v");
				assertThat(ex.getRowIndex()).isEqualTo(1);
				assertThat(ex.getMessage()).contains(reason);
			});
	}

	private static ColumnSet columns(FieldType type) {
		return ColumnSet.of(Map.of("v", type));
	}

	private static StreamDefinition stream(FieldType type) {
		return StreamDefinition.builder("numbers").field("v", type).build();
	}

}
