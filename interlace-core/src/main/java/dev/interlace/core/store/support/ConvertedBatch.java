package dev.interlace.core.store.support;

import java.util.LinkedHashMap;
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
	 * Returns a row's fields as live subscribers see them: in column order, nulls left out, JSON values as given.
	 * @param index the row
	 * @return a new map
	 */
	public Map<String, Object> data(int index) {
		Object[] row = this.rows[index];
		Map<String, Object> data = new LinkedHashMap<>();
		for (int column = 0; column < row.length; column++) {
			Object value = row[column];
			if (value != null) {
				data.put(this.columns.name(column), (value instanceof JsonValue json) ? json.value() : value);
			}
		}
		return data;
	}

	/**
	 * A JSON field's value: the text stored, and the value live subscribers see.
	 *
	 * @param text the JSON text
	 * @param value the value as given
	 */
	public record JsonValue(String text, Object value) {
	}

}
