package dev.interlace.core.engine;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.util.Collection;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import dev.interlace.core.StoredEvent;

/**
 * Estimates of the size of events written as JSON, for the byte budget of a consume.
 * <p>
 * An estimate is an upper bound of the UTF-8 JSON a mapper with default settings writes for
 * {@link StoredEvent#toRow()}, not an exact count: strings count every character at its largest UTF-8 and escaped
 * form, numbers, booleans, UUIDs and timestamps a fixed width at least that of their longest form, objects and arrays
 * their punctuation with a separator after every member. It costs one pass over the event's text and no allocation.
 */
final class JsonSizes {

	// Long.MIN_VALUE has 20 characters; the longest double ("-4.9406564584124654E-324") 24.
	private static final long NUMBER = 24;

	// "+999999999-12-31T23:59:59.999999999-18:00" is 41 characters, quoted 43: java.time's widest ISO forms.
	private static final long TEMPORAL = 48;

	private static final long UUID_TEXT = 38;

	/** An entry ID as text, {@code "<ms>-<seq>"}: two numbers, a dash and quotes. */
	private static final long ENTRY_ID_TEXT = 2 * NUMBER + 3;

	/** The metadata columns, and the entry ID as text that responses show beside them. */
	private static final long METADATA = entry(StoredEvent.ROWID) + NUMBER + entry(StoredEvent.PUBLISHED_AT) + TEMPORAL
			+ entry(StoredEvent.PUBLISH_ID) + UUID_TEXT + entry(StoredEvent.ID_MS) + NUMBER
			+ entry(StoredEvent.ID_SEQ) + NUMBER + entry("id") + ENTRY_ID_TEXT;

	private JsonSizes() {
	}

	/**
	 * Estimates the JSON size of an event's row, with its metadata columns and the separator that follows it in an
	 * array.
	 * @param event the event
	 * @return bytes, at least as many as the JSON takes
	 */
	static long of(StoredEvent event) {
		return object(event.data()) + METADATA + 1;
	}

	/**
	 * Estimates the JSON size of a value as events hold them: text, numbers, booleans, timestamps, dates, UUIDs and
	 * parsed JSON (maps, lists, their scalars and nulls).
	 * @param value the value
	 * @return bytes, at least as many as the JSON takes
	 */
	static long of(@Nullable Object value) {
		if (value == null) {
			return 4;
		}
		if (value instanceof CharSequence text) {
			return text(text);
		}
		if (value instanceof Boolean) {
			return 5;
		}
		if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte
				|| value instanceof Double || value instanceof Float) {
			return NUMBER;
		}
		if (value instanceof BigDecimal decimal) {
			// A mapper may write the plain form, which for a large exponent is longer than toString()'s.
			return Math.max(decimal.toString().length(), (long) decimal.precision() + Math.abs((long) decimal.scale()) + 3);
		}
		if (value instanceof BigInteger integer) {
			// log10(2) < 1/3: a third of the bits bounds the digits.
			return integer.bitLength() / 3 + 2;
		}
		if (value instanceof Instant || value instanceof OffsetDateTime || value instanceof LocalDateTime
				|| value instanceof LocalDate || value instanceof LocalTime || value instanceof OffsetTime) {
			return TEMPORAL;
		}
		if (value instanceof UUID) {
			return UUID_TEXT;
		}
		if (value instanceof Map<?, ?> map) {
			return object(map);
		}
		if (value instanceof Collection<?> items) {
			long size = 2;
			for (Object item : items) {
				size += of(item) + 1;
			}
			return size;
		}
		if (value instanceof Object[] items) {
			long size = 2;
			for (Object item : items) {
				size += of(item) + 1;
			}
			return size;
		}
		if (value instanceof byte[] bytes) {
			return 4L * ((bytes.length + 2) / 3) + 2;
		}
		return text(String.valueOf(value));
	}

	private static long object(Map<?, ?> map) {
		long size = 2;
		for (Map.Entry<?, ?> member : map.entrySet()) {
			size += text(String.valueOf(member.getKey())) + 2 + of(member.getValue());
		}
		return size;
	}

	private static long entry(String key) {
		return text(key) + 2;
	}

	private static long text(CharSequence text) {
		long size = 2;
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c < 0x20) {
				size += 6;
			}
			else if (c == '"' || c == '\\') {
				size += 2;
			}
			else if (c < 0x80) {
				size += 1;
			}
			else if (c < 0x800) {
				size += 2;
			}
			else {
				// Three bytes, or for a surrogate half of a four-byte pair.
				size += 3;
			}
		}
		return size;
	}

}
