package dev.interlace.server.streams;

import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Names the kind of a parsed JSON value, for the detail of a request body of the wrong shape.
 */
final class JsonKind {

	private JsonKind() {
	}

	static String of(@Nullable Object value) {
		if (value == null) {
			return "null";
		}
		if (value instanceof Map<?, ?>) {
			return "an object";
		}
		if (value instanceof List<?>) {
			return "an array";
		}
		if (value instanceof String) {
			return "a string";
		}
		if (value instanceof Boolean) {
			return "a boolean";
		}
		return "a number";
	}

}
