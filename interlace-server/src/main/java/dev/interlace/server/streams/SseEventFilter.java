package dev.interlace.server.streams;

import java.math.BigDecimal;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import dev.interlace.core.InvalidRequestException;
import dev.interlace.core.StoredEvent;

/**
 * The {@code ?filter=field:value} of a subscription: keeps the events whose field's value, as a string, equals the
 * given one. The field may be a metadata column ({@code _interlace_publish_id}); field names match regardless of case,
 * as column names do. Decimals compare by value ({@code 12.5} matches a stored {@code 12.5000000000}); an event without
 * the field never matches.
 *
 * @since 0.1.0
 */
final class SseEventFilter {

	private static final SseEventFilter NONE = new SseEventFilter("", "");

	private final String field;

	private final String value;

	private SseEventFilter(String field, String value) {
		this.field = field;
		this.value = value;
	}

	/**
	 * Parses a filter parameter.
	 * @param filter {@code field:value}, or {@code null} for none
	 * @return the filter
	 * @throws InvalidRequestException when the parameter has no field or no colon
	 */
	static SseEventFilter parse(@Nullable String filter) {
		if (filter == null) {
			return NONE;
		}
		int colon = filter.indexOf(':');
		if (colon < 1) {
			throw new InvalidRequestException("The filter parameter must be field:value, was '" + filter + "'");
		}
		return new SseEventFilter(filter.substring(0, colon).trim(), filter.substring(colon + 1));
	}

	boolean matches(StoredEvent event) {
		if (this == NONE) {
			return true;
		}
		Object actual = find(event.toRow());
		if (actual == null) {
			return false;
		}
		if (actual instanceof BigDecimal decimal) {
			try {
				return decimal.compareTo(new BigDecimal(this.value.trim())) == 0;
			}
			catch (NumberFormatException ex) {
				return false;
			}
		}
		return this.value.equals(actual.toString());
	}

	private @Nullable Object find(Map<String, Object> row) {
		Object value = row.get(this.field);
		if (value != null) {
			return value;
		}
		for (Map.Entry<String, Object> entry : row.entrySet()) {
			if (entry.getKey().equalsIgnoreCase(this.field)) {
				return entry.getValue();
			}
		}
		return null;
	}

}
