package dev.interlace.core.store;

import java.util.Map;

import dev.interlace.core.FieldType;

/**
 * A publish converted to a table's columns, ready to append.
 *
 * @param base the columns the conversion was made against
 * @param columns {@code base} plus the columns this batch adds
 * @param added the columns this batch adds, in order
 * @param rows one array per event, one value per column of {@code columns}: canonical Java values (see
 * {@link EventConverter}) or {@code null}
 * @since 0.1.0
 */
public record ConvertedBatch(ColumnSet base, ColumnSet columns, Map<String, FieldType> added, Object[][] rows) {

	/**
	 * A JSON field's value: the text stored, and the value live subscribers see.
	 *
	 * @param text the JSON text
	 * @param value the value as given
	 */
	public record JsonValue(String text, Object value) {
	}

}
