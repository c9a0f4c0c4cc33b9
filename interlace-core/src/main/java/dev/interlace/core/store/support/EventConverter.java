package dev.interlace.core.store.support;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import dev.interlace.core.FieldType;
import dev.interlace.core.InvalidEventException;
import dev.interlace.core.InvalidRequestException;
import dev.interlace.core.SchemaLimits;
import dev.interlace.core.StreamDefinition;

/**
 * Turns published events into rows of a stream table, shared by every store so that all backends accept and reject
 * the same events.
 * <p>
 * Canonical values per type: string {@link String}, int32 {@link Integer}, int64 {@link Long}, float32
 * {@link Float}, float64 {@link Double}, boolean {@link Boolean}, timestamp {@link Instant} (microseconds), date
 * {@link LocalDate}, decimal {@link BigDecimal} (at most {@value FieldType#DECIMAL_SCALE} decimal places), json
 * {@link ConvertedBatch.JsonValue}.
 * <p>
 * Without {@code validate-schema}, keys without a column become new nullable columns typed from their values, and
 * values are converted where the conversion loses nothing ({@code "42"} into int64, {@code 7} into string). With it,
 * every declared field is required, undeclared keys are rejected and values must already have the field's JSON type
 * (timestamps, dates and decimals may be strings, as JSON has no such types). With schema evolution off, keys without
 * a column are rejected while declared fields stay optional.
 * <p>
 * Evolution stays within the stream's {@link SchemaLimits}. Numbers are checked against a column by their precision
 * and scale before any conversion, so an exponent such as {@code 1e100000000} costs nothing: beyond what the column
 * holds (or, for text and JSON, longer than {@value #MAX_JSON_NUMBER_LENGTH} characters written out) it is rejected.
 *
 * @since 0.1.0
 */
public final class EventConverter {

	/** Shared JSON mapper for json fields. */
	public static final JsonMapper JSON = JsonMapper.builder().build();

	/**
	 * Earliest timestamp (and date) accepted: 4713 BC, the start of PostgreSQL's range. Values outside the range that
	 * every store keeps would fail at commit or be stored as something else ({@code -infinity}).
	 */
	public static final Instant MIN_TIMESTAMP = Instant.parse("-4712-01-01T00:00:00Z");

	/** Latest timestamp (and date) accepted: DuckDB counts microseconds since 1970 in 64 bits, up to 294247. */
	public static final Instant MAX_TIMESTAMP = Instant.parse("+294246-12-31T23:59:59.999999Z");

	/**
	 * Longest a number in a json value may be once written out in full ({@code 1e999} but not {@code 1e1000}): as
	 * PostgreSQL writes {@code jsonb} numbers out, and as Jackson reads at most 1,000 characters of a number.
	 */
	public static final int MAX_JSON_NUMBER_LENGTH = 1_000;

	private static final LocalDate MIN_DATE = LocalDate.ofInstant(MIN_TIMESTAMP, ZoneOffset.UTC);

	private static final LocalDate MAX_DATE = LocalDate.ofInstant(MAX_TIMESTAMP, ZoneOffset.UTC);

	private static final BigDecimal MAX_DECIMAL = BigDecimal.TEN.pow(FieldType.DECIMAL_PRECISION - FieldType.DECIMAL_SCALE);

	private EventConverter() {
	}

	/**
	 * Converts a publish. Linear in the number of keys of the batch, and stops at the first key over a limit of
	 * {@link StreamDefinition#schemaLimits()} ({@link SchemaLimits#DEFAULTS} when the definition sets none), so that a
	 * hostile publish costs no more than a harmless one of its size.
	 * @param definition the stream
	 * @param base the table's columns
	 * @param events the events
	 * @return the rows and any columns to add
	 * @throws InvalidEventException naming the first offending event and field
	 */
	public static ConvertedBatch convert(StreamDefinition definition, ColumnSet base,
			List<? extends @Nullable Map<String, ?>> events) {
		String stream = definition.name();
		boolean strict = definition.validateSchema();
		boolean evolving = definition.schemaEvolution();
		SchemaLimits limits = definition.schemaLimitsOr(SchemaLimits.DEFAULTS);
		Map<String, FieldType> added = new LinkedHashMap<>();
		// Added columns by lower-case name: one lookup per key, where a scan of the added columns would make a batch
		// of distinct keys quadratic.
		Map<String, String> addedByFoldedName = new HashMap<>();
		for (int i = 0; i < events.size(); i++) {
			Map<String, ?> event = events.get(i);
			if (event == null) {
				throw new InvalidEventException(stream, i, null, "is null; expected a JSON object");
			}
			if (event.size() > limits.maxKeysPerEvent()) {
				throw new InvalidEventException(stream, i, null, "has " + event.size() + " keys, more than the limit "
						+ SchemaLimits.MAX_KEYS_PER_EVENT + " of " + limits.maxKeysPerEvent());
			}
			for (Map.Entry<String, ?> entry : event.entrySet()) {
				Object key = entry.getKey();
				if (!(key instanceof String field)) {
					throw new InvalidEventException(stream, i, String.valueOf(key), "is not a string key");
				}
				String folded = ColumnSet.fold(field);
				int index = base.indexOfFolded(folded);
				if (index >= 0) {
					if (!base.name(index).equals(field)) {
						throw new InvalidEventException(stream, i, field,
								"clashes with field '" + base.name(index) + "': field names are case-insensitive");
					}
					continue;
				}
				if (strict) {
					throw new InvalidEventException(stream, i, field,
							"is not declared in the stream's schema (validate-schema is on)");
				}
				if (!evolving) {
					throw new InvalidEventException(stream, i, field,
							"is not a field of the stream, and its schema evolution is off (schema-evolution: false)");
				}
				Object value = entry.getValue();
				String previous = addedByFoldedName.get(folded);
				if (previous != null) {
					if (!previous.equals(field)) {
						throw new InvalidEventException(stream, i, field,
								"clashes with field '" + previous + "': field names are case-insensitive");
					}
					if (value != null) {
						added.put(field, added.get(field).unify(infer(value)));
					}
					continue;
				}
				String problem = StreamDefinition.fieldNameProblem(field);
				if (problem != null) {
					throw new InvalidEventException(stream, i, field, problem);
				}
				if (value == null) {
					continue;
				}
				if (added.size() >= limits.maxNewColumnsPerPublish()) {
					throw new InvalidEventException(stream, i, field, "would be new column " + (added.size() + 1)
							+ " of this publish, more than the limit " + SchemaLimits.MAX_NEW_COLUMNS_PER_PUBLISH
							+ " of " + limits.maxNewColumnsPerPublish());
				}
				if (base.size() + added.size() >= limits.maxColumnsPerStream()) {
					throw new InvalidEventException(stream, i, field, "would be column " + (base.size() + added.size() + 1)
							+ " of the stream, more than the limit " + SchemaLimits.MAX_COLUMNS_PER_STREAM + " of "
							+ limits.maxColumnsPerStream());
				}
				added.put(field, infer(value));
				addedByFoldedName.put(folded, field);
			}
		}
		ColumnSet columns = base.with(added);
		Object[][] rows = new Object[events.size()][];
		for (int i = 0; i < events.size(); i++) {
			Map<String, ?> event = events.get(i);
			Object[] row = new Object[columns.size()];
			for (Map.Entry<String, ?> entry : event.entrySet()) {
				Object value = entry.getValue();
				if (value == null) {
					continue;
				}
				int index = columns.indexOf(entry.getKey());
				FieldType type = columns.type(index);
				try {
					row[index] = coerce(type, value, strict);
				}
				catch (IllegalArgumentException ex) {
					throw new InvalidEventException(stream, i, entry.getKey(),
							"expects " + type.typeName() + " but got " + describe(value) + ex.getMessage());
				}
			}
			if (strict) {
				for (String field : definition.fields().keySet()) {
					int index = columns.indexOf(field);
					if (index < 0 || row[index] == null) {
						throw new InvalidEventException(stream, i, field, "is required (validate-schema is on) but missing");
					}
				}
			}
			rows[i] = row;
		}
		return new ConvertedBatch(base, columns, added, rows);
	}

	/**
	 * Infers the type of a new column from a value.
	 * @param value a non-null value
	 * @return the type
	 */
	public static FieldType infer(Object value) {
		if (value instanceof CharSequence || value instanceof Character || value instanceof Enum<?>
				|| value instanceof UUID) {
			return FieldType.STRING;
		}
		if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
			return FieldType.INT64;
		}
		if (value instanceof BigInteger big) {
			return (big.bitLength() < 64) ? FieldType.INT64 : FieldType.DECIMAL;
		}
		if (value instanceof Number) {
			// Fractions infer float64 however they were parsed (JSON readers may hand exact BigDecimals): an inferred
			// decimal column would reject every later value with more than 10 decimal places. Declare a decimal
			// field to keep values exact.
			return FieldType.FLOAT64;
		}
		if (value instanceof Boolean) {
			return FieldType.BOOLEAN;
		}
		if (value instanceof Instant || value instanceof OffsetDateTime || value instanceof ZonedDateTime
				|| value instanceof LocalDateTime || value instanceof Date) {
			return FieldType.TIMESTAMP;
		}
		if (value instanceof LocalDate) {
			return FieldType.DATE;
		}
		return FieldType.JSON;
	}

	/**
	 * Converts a value to a type's canonical Java value.
	 * @param type the column type
	 * @param value a non-null value
	 * @param strict whether only values already of the type's JSON kind are accepted
	 * @return the canonical value
	 * @throws IllegalArgumentException with a reason (starting with a separator, or empty) when it does not fit
	 */
	public static Object coerce(FieldType type, Object value, boolean strict) {
		return switch (type) {
			case STRING -> toText(value, strict);
			case INT32 -> (int) toLong(value, strict, Integer.MIN_VALUE, Integer.MAX_VALUE);
			case INT64 -> toLong(value, strict, Long.MIN_VALUE, Long.MAX_VALUE);
			case FLOAT32 -> toFloat(value, strict);
			case FLOAT64 -> toDouble(value, strict);
			case BOOLEAN -> toBoolean(value, strict);
			case TIMESTAMP -> toInstant(value);
			case DATE -> toDate(value);
			case DECIMAL -> toDecimal(value);
			case JSON -> toJson(value);
		};
	}

	private static String toText(Object value, boolean strict) {
		if (value instanceof CharSequence || value instanceof Character || value instanceof UUID) {
			String text = value.toString();
			String problem = textProblem(text);
			if (problem != null) {
				throw new IllegalArgumentException(problem);
			}
			return text;
		}
		if (value instanceof Enum<?> constant) {
			return constant.name();
		}
		if (!strict && (value instanceof Number || value instanceof Boolean)) {
			return numberText(value);
		}
		throw new IllegalArgumentException("");
	}

	/**
	 * Writes a number out in full, refusing one longer than {@value #MAX_JSON_NUMBER_LENGTH} characters before
	 * writing it: {@code 1e20000000} would be 20 MB of text, {@code 1e2147483640} more than Java can hold.
	 */
	private static String numberText(Object value) {
		if (value instanceof BigDecimal decimal) {
			if (plainLength(decimal) > MAX_JSON_NUMBER_LENGTH) {
				throw new IllegalArgumentException(": longer than " + MAX_JSON_NUMBER_LENGTH
						+ " characters when written out");
			}
			return decimal.toPlainString();
		}
		if (value instanceof BigInteger integer && integer.bitLength() > MAX_JSON_NUMBER_LENGTH * 10 / 3) {
			throw new IllegalArgumentException(": longer than " + MAX_JSON_NUMBER_LENGTH
					+ " characters when written out");
		}
		return value.toString();
	}

	/**
	 * Returns the length of a decimal written out without an exponent, computed from its precision and scale.
	 * @param value the decimal
	 * @return the length of {@link BigDecimal#toPlainString()}
	 */
	static long plainLength(BigDecimal value) {
		long precision = value.precision();
		long scale = value.scale();
		return ((value.signum() < 0) ? 1 : 0)
				+ ((scale <= 0) ? precision - scale : (scale < precision) ? precision + 1 : scale + 2);
	}

	/**
	 * Returns the digits before the decimal point of a non-zero decimal's magnitude ({@code 1e3} 4, {@code 0.05}
	 * -1): whether it fits a type can be told from this without computing its value.
	 */
	private static long magnitude(BigDecimal value) {
		return (long) value.precision() - value.scale();
	}

	private static long toLong(Object value, boolean strict, long min, long max) {
		if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
			long whole = ((Number) value).longValue();
			if (whole < min || whole > max) {
				throw new IllegalArgumentException(": out of range " + min + ".." + max);
			}
			return whole;
		}
		BigDecimal number = numberOf(value, strict);
		if (number.signum() == 0) {
			return 0;
		}
		// Checked before toBigIntegerExact, whose work grows with the exponent (1e100000000 takes minutes).
		long magnitude = magnitude(number);
		if (magnitude > 19) {
			throw new IllegalArgumentException(": out of range " + min + ".." + max);
		}
		if (magnitude <= 0) {
			throw new IllegalArgumentException(": not a whole number");
		}
		BigInteger integer;
		try {
			integer = number.toBigIntegerExact();
		}
		catch (ArithmeticException ex) {
			throw new IllegalArgumentException(": not a whole number");
		}
		if (integer.compareTo(BigInteger.valueOf(min)) < 0 || integer.compareTo(BigInteger.valueOf(max)) > 0) {
			throw new IllegalArgumentException(": out of range " + min + ".." + max);
		}
		return integer.longValue();
	}

	private static BigDecimal numberOf(Object value, boolean strict) {
		if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
			return BigDecimal.valueOf(((Number) value).longValue());
		}
		if (value instanceof BigDecimal decimal) {
			return decimal;
		}
		if (value instanceof BigInteger integer) {
			return new BigDecimal(integer);
		}
		if (value instanceof Double || value instanceof Float) {
			double d = ((Number) value).doubleValue();
			if (Double.isNaN(d) || Double.isInfinite(d)) {
				throw new IllegalArgumentException(": not a finite number");
			}
			return new BigDecimal(value.toString());
		}
		if (!strict && value instanceof CharSequence text) {
			String trimmed = text.toString().trim();
			if (trimmed.length() > MAX_JSON_NUMBER_LENGTH) {
				// Parsing is superlinear in the length: a megabyte of digits would take seconds.
				throw new IllegalArgumentException(": not a number (longer than " + MAX_JSON_NUMBER_LENGTH
						+ " characters)");
			}
			try {
				return new BigDecimal(trimmed);
			}
			catch (NumberFormatException ex) {
				throw new IllegalArgumentException(": not a number");
			}
		}
		throw new IllegalArgumentException("");
	}

	private static float toFloat(Object value, boolean strict) {
		if (value instanceof Float f) {
			return f;
		}
		double d = toDouble(value, strict);
		float f = (float) d;
		if (Float.isInfinite(f) && !Double.isInfinite(d)) {
			throw new IllegalArgumentException(": out of float32 range");
		}
		if (f == 0 && d != 0) {
			throw new IllegalArgumentException(": too small for float32 (it would be stored as 0)");
		}
		return f;
	}

	private static double toDouble(Object value, boolean strict) {
		if (value instanceof Number number && !(value instanceof BigDecimal) && !(value instanceof BigInteger)) {
			return number.doubleValue();
		}
		BigDecimal number = numberOf(value, strict);
		if (number.signum() == 0) {
			return 0.0;
		}
		long magnitude = magnitude(number);
		// An exact number (from JSON text, say) beyond a double's range: storing infinity or 0 would lose it silently.
		double d = (magnitude > 310) ? Double.POSITIVE_INFINITY : (magnitude < -330) ? 0.0 : number.doubleValue();
		if (Double.isInfinite(d)) {
			throw new IllegalArgumentException(": out of float64 range");
		}
		if (d == 0) {
			throw new IllegalArgumentException(": too small for float64 (it would be stored as 0)");
		}
		return d;
	}

	private static boolean toBoolean(Object value, boolean strict) {
		if (value instanceof Boolean b) {
			return b;
		}
		if (!strict && value instanceof CharSequence text) {
			String s = text.toString().trim().toLowerCase(Locale.ROOT);
			if (s.equals("true") || s.equals("false")) {
				return Boolean.parseBoolean(s);
			}
		}
		throw new IllegalArgumentException("");
	}

	private static Instant toInstant(Object value) {
		Instant instant;
		if (value instanceof Instant i) {
			instant = i;
		}
		else if (value instanceof OffsetDateTime o) {
			instant = o.toInstant();
		}
		else if (value instanceof ZonedDateTime z) {
			instant = z.toInstant();
		}
		else if (value instanceof LocalDateTime l) {
			instant = l.toInstant(ZoneOffset.UTC);
		}
		else if (value instanceof Date d) {
			instant = d.toInstant();
		}
		else if (value instanceof CharSequence text) {
			instant = parseInstant(text.toString().trim());
		}
		else {
			throw new IllegalArgumentException("");
		}
		if (instant.isBefore(MIN_TIMESTAMP) || instant.isAfter(MAX_TIMESTAMP)) {
			throw new IllegalArgumentException(": out of timestamp range " + MIN_TIMESTAMP + " to " + MAX_TIMESTAMP);
		}
		return instant.truncatedTo(ChronoUnit.MICROS);
	}

	private static Instant parseInstant(String text) {
		try {
			return OffsetDateTime.parse(text).toInstant();
		}
		catch (DateTimeParseException ex) {
			try {
				// A timestamp without an offset is taken as UTC, as stored values are.
				return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
			}
			catch (DateTimeParseException ex2) {
				throw new IllegalArgumentException(": not an ISO-8601 timestamp such as 2024-05-01T12:00:00Z");
			}
		}
	}

	private static LocalDate toDate(Object value) {
		LocalDate date;
		if (value instanceof LocalDate local) {
			date = local;
		}
		else if (value instanceof CharSequence text) {
			try {
				date = LocalDate.parse(text.toString().trim());
			}
			catch (DateTimeParseException ex) {
				throw new IllegalArgumentException(": not an ISO-8601 date such as 2024-05-01");
			}
		}
		else {
			throw new IllegalArgumentException("");
		}
		if (date.isBefore(MIN_DATE) || date.isAfter(MAX_DATE)) {
			throw new IllegalArgumentException(": out of date range " + MIN_DATE + " to " + MAX_DATE);
		}
		return date;
	}

	private static BigDecimal toDecimal(Object value) {
		BigDecimal number = numberOf(value, false);
		if (number.signum() == 0) {
			return BigDecimal.ZERO;
		}
		if (magnitude(number) > FieldType.DECIMAL_PRECISION - FieldType.DECIMAL_SCALE) {
			throw new IllegalArgumentException(": out of decimal range");
		}
		BigDecimal stripped = number.stripTrailingZeros();
		if (stripped.scale() > FieldType.DECIMAL_SCALE) {
			throw new IllegalArgumentException(": more than " + FieldType.DECIMAL_SCALE + " decimal places");
		}
		if (stripped.abs().compareTo(MAX_DECIMAL) >= 0) {
			throw new IllegalArgumentException(": out of decimal range");
		}
		return canonicalDecimal(stripped);
	}

	/**
	 * Returns a decimal in canonical form, so that values compare equal however a database returned them: without
	 * trailing zeros, and without a negative scale.
	 * @param decimal a decimal
	 * @return the canonical form
	 */
	public static BigDecimal canonicalDecimal(BigDecimal decimal) {
		BigDecimal stripped = decimal.stripTrailingZeros();
		return (stripped.scale() < 0) ? stripped.setScale(0) : stripped;
	}

	private static ConvertedBatch.JsonValue toJson(Object value) {
		String json;
		try {
			json = JSON.writeValueAsString(value);
		}
		catch (JacksonException ex) {
			throw new IllegalArgumentException(": cannot be written as JSON (" + ex.getOriginalMessage() + ")");
		}
		String problem = jsonProblem(json);
		if (problem != null) {
			throw new IllegalArgumentException(problem);
		}
		return new ConvertedBatch.JsonValue(json, value);
	}

	/**
	 * Says why a text cannot be stored as it is, or returns {@code null}: U+0000, which PostgreSQL keeps in neither
	 * {@code text} nor {@code jsonb}, and lone surrogates, which are not Unicode and so have no UTF-8 form (drivers
	 * would store {@code ?} instead).
	 * @param text the text
	 * @return the reason, phrased to follow a value's description, or {@code null}
	 */
	public static @Nullable String textProblem(String text) {
		for (int i = 0; i < text.length(); i++) {
			String problem = charProblem(text, i);
			if (problem != null) {
				return problem;
			}
			if (Character.isHighSurrogate(text.charAt(i))) {
				i++;
			}
		}
		return null;
	}

	private static @Nullable String charProblem(String text, int i) {
		char c = text.charAt(i);
		if (c == 0) {
			return ": contains U+0000, which cannot be stored";
		}
		if (Character.isSurrogate(c)) {
			boolean paired = Character.isHighSurrogate(c) && i + 1 < text.length()
					&& Character.isLowSurrogate(text.charAt(i + 1));
			if (!paired) {
				return ": contains a lone surrogate U+" + Integer.toHexString(c).toUpperCase(Locale.ROOT)
						+ ", which is not Unicode";
			}
		}
		return null;
	}

	/**
	 * Says why JSON text cannot be stored as it is, or returns {@code null}: a string (or key) with U+0000 or a lone
	 * surrogate (see {@link #textProblem(String)}), or a number longer than {@value #MAX_JSON_NUMBER_LENGTH}
	 * characters once written out in full ({@code 1e999999}: PostgreSQL would reject it, and smaller ones come back
	 * longer than a JSON reader accepts).
	 */
	private static @Nullable String jsonProblem(String json) {
		boolean inString = false;
		for (int i = 0; i < json.length(); i++) {
			char c = json.charAt(i);
			if (inString) {
				if (c == '\\') {
					if (json.startsWith("u0000", i + 1)) {
						return ": contains U+0000, which cannot be stored";
					}
					i++;
				}
				else if (c == '"') {
					inString = false;
				}
				else {
					String problem = charProblem(json, i);
					if (problem != null) {
						return problem;
					}
					if (Character.isHighSurrogate(c)) {
						i++;
					}
				}
			}
			else if (c == '"') {
				inString = true;
			}
			else if (c == '-' || (c >= '0' && c <= '9')) {
				int end = i;
				while (end < json.length() && "+-.eE0123456789".indexOf(json.charAt(end)) >= 0) {
					end++;
				}
				String problem = numberProblem(json.substring(i, end));
				if (problem != null) {
					return problem;
				}
				i = end - 1;
			}
		}
		return null;
	}

	private static @Nullable String numberProblem(String number) {
		int exponentAt = Math.max(number.indexOf('e'), number.indexOf('E'));
		if (exponentAt < 0) {
			// Written out already: as long as the text the parser accepted, or a Java number of bounded length.
			return null;
		}
		BigDecimal value;
		try {
			value = new BigDecimal(number);
		}
		catch (NumberFormatException ex) {
			return ": contains a number that cannot be read back (" + number + ")";
		}
		if (plainLength(value) > MAX_JSON_NUMBER_LENGTH) {
			return ": contains the number " + number + ", longer than " + MAX_JSON_NUMBER_LENGTH
					+ " characters when written out";
		}
		return null;
	}

	/**
	 * Describes a value's JSON kind for error messages, without echoing long input.
	 * @param value the value
	 * @return e.g. {@code string "abc"}
	 */
	static String describe(Object value) {
		if (value instanceof CharSequence text) {
			String s = text.toString();
			// Never cut a surrogate pair in two.
			int end = (s.length() > 40 && Character.isHighSurrogate(s.charAt(39))) ? 39 : 40;
			return "string \"" + ((s.length() > 40) ? s.substring(0, end) + "…" : s) + "\"";
		}
		if (value instanceof Boolean) {
			return "boolean " + value;
		}
		if (value instanceof Number) {
			return "number " + value;
		}
		if (value instanceof Map<?, ?>) {
			return "an object";
		}
		if (value instanceof Collection<?> || value.getClass().isArray()) {
			return "an array";
		}
		return value.getClass().getSimpleName();
	}

	/**
	 * Checks a publish as a whole before conversion.
	 * @param stream the stream
	 * @param events the events
	 * @return the events as a list of maps
	 */
	public static List<? extends Map<String, ?>> requireEvents(String stream,
			@Nullable List<? extends @Nullable Map<String, ?>> events) {
		if (events == null || events.isEmpty()) {
			throw new InvalidRequestException("A publish to '" + stream + "' needs at least one event");
		}
		List<Map<String, ?>> checked = new ArrayList<>(events.size());
		for (int i = 0; i < events.size(); i++) {
			Map<String, ?> event = events.get(i);
			if (event == null) {
				throw new InvalidEventException(stream, i, null, "is null; expected a JSON object");
			}
			checked.add(event);
		}
		return checked;
	}

}
