package dev.interlace.core;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The types a stream field can have. Each maps to one column type per database.
 *
 * @since 0.1.0
 */
public enum FieldType {

	STRING("string"), INT32("int32"), INT64("int64"), FLOAT32("float32"), FLOAT64("float64"), BOOLEAN("boolean"),
	TIMESTAMP("timestamp"), DATE("date"), JSON("json"), DECIMAL("decimal");

	/** Scale of {@link #DECIMAL} columns: fixed so values compare exactly across backends. */
	public static final int DECIMAL_SCALE = 10;

	/** Precision of {@link #DECIMAL} columns. */
	public static final int DECIMAL_PRECISION = 38;

	private final String typeName;

	FieldType(String typeName) {
		this.typeName = typeName;
	}

	/**
	 * Returns the name used in configuration and in API responses, e.g. {@code int64}.
	 * @return the type name
	 */
	public String typeName() {
		return this.typeName;
	}

	/**
	 * Finds a type by its configuration name, ignoring case.
	 * @param name a name such as {@code string} or {@code int64}
	 * @return the type
	 * @throws IllegalArgumentException naming the accepted types when the name is unknown
	 */
	public static FieldType fromName(String name) {
		String wanted = name.trim().toLowerCase(Locale.ROOT);
		for (FieldType type : values()) {
			if (type.typeName.equals(wanted)) {
				return type;
			}
		}
		throw new IllegalArgumentException("unknown field type '" + name + "'; expected one of " + names());
	}

	/**
	 * Returns the accepted type names, comma separated, for error messages.
	 * @return the names
	 */
	public static String names() {
		return Arrays.stream(values()).map(FieldType::typeName).collect(Collectors.joining(", "));
	}

	/**
	 * Returns the narrowest type that holds values of both types: integers widen to floats, anything else mixed
	 * becomes a string (or JSON when either side is JSON). Used when inferring a new column from several rows.
	 * @param other the other type
	 * @return the unified type
	 */
	public FieldType unify(FieldType other) {
		if (this == other) {
			return this;
		}
		if (this == JSON || other == JSON) {
			return JSON;
		}
		if (isNumeric() && other.isNumeric()) {
			return (this == DECIMAL || other == DECIMAL) ? DECIMAL : FLOAT64;
		}
		return STRING;
	}

	boolean isNumeric() {
		return this == INT32 || this == INT64 || this == FLOAT32 || this == FLOAT64 || this == DECIMAL;
	}

	@Override
	public String toString() {
		return this.typeName;
	}

}
