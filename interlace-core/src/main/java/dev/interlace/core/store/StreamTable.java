package dev.interlace.core.store;

import java.util.Map;

import dev.interlace.core.FieldType;

/**
 * A stream's table as the database holds it.
 *
 * @param stream the stream name
 * @param schema the database schema
 * @param columns the field columns in order, without the metadata columns
 * @param rowCount rows held
 * @param lastRowid the highest rowid ever assigned, 0 when none was
 * @since 0.1.0
 */
public record StreamTable(String stream, String schema, Map<String, FieldType> columns, long rowCount,
		long lastRowid) {

	public StreamTable {
		columns = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(columns));
	}

}
