package dev.interlace.core.store.postgres;

import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import dev.interlace.core.FieldType;
import dev.interlace.core.StoredEvent;
import dev.interlace.core.EntryId;
import dev.interlace.core.store.support.ConvertedBatch;
import dev.interlace.core.store.support.EventConverter;
import dev.interlace.core.store.support.MetadataColumns;

/**
 * How field values travel to and from PostgreSQL: column types, bound parameters and result sets (binary
 * {@code COPY} is {@link BinaryCopyBuffer}'s). Values read back have the Java types {@link EventConverter} produces,
 * as with every store.
 */
final class PostgresTypes {

	private PostgresTypes() {
	}

	/**
	 * Returns the column type of a field type.
	 * @param type the field type
	 * @return the SQL type
	 */
	static String sqlType(FieldType type) {
		return switch (type) {
			case STRING -> "text";
			case INT32 -> "integer";
			case INT64 -> "bigint";
			case FLOAT32 -> "real";
			case FLOAT64 -> "double precision";
			case BOOLEAN -> "boolean";
			case TIMESTAMP -> "timestamptz";
			case DATE -> "date";
			case JSON -> "jsonb";
			case DECIMAL -> "numeric(" + FieldType.DECIMAL_PRECISION + "," + FieldType.DECIMAL_SCALE + ")";
		};
	}

	/**
	 * Returns the field type of a column, by its type's name in {@code pg_type}.
	 * @param typeName e.g. {@code int8}
	 * @return the field type; text for types Interlace does not create
	 */
	static FieldType fieldType(String typeName) {
		return switch (typeName.toLowerCase(Locale.ROOT)) {
			case "int2", "int4" -> FieldType.INT32;
			case "int8" -> FieldType.INT64;
			case "float4" -> FieldType.FLOAT32;
			case "float8" -> FieldType.FLOAT64;
			case "bool" -> FieldType.BOOLEAN;
			case "timestamptz", "timestamp" -> FieldType.TIMESTAMP;
			case "date" -> FieldType.DATE;
			case "jsonb", "json" -> FieldType.JSON;
			case "numeric" -> FieldType.DECIMAL;
			default -> FieldType.STRING;
		};
	}

	/**
	 * Binds a canonical value.
	 * @param statement the statement
	 * @param index the parameter index
	 * @param type the column type
	 * @param value the value, or {@code null}
	 * @throws SQLException when the driver refuses it
	 */
	static void bind(PreparedStatement statement, int index, FieldType type, @Nullable Object value)
			throws SQLException {
		if (value == null) {
			statement.setNull(index, sqlTypeCode(type));
			return;
		}
		switch (type) {
			case STRING -> statement.setString(index, (String) value);
			case INT32 -> statement.setInt(index, (Integer) value);
			case INT64 -> statement.setLong(index, (Long) value);
			case FLOAT32 -> statement.setFloat(index, (Float) value);
			case FLOAT64 -> statement.setDouble(index, (Double) value);
			case BOOLEAN -> statement.setBoolean(index, (Boolean) value);
			case TIMESTAMP -> statement.setObject(index, ((Instant) value).atOffset(ZoneOffset.UTC));
			case DATE -> statement.setObject(index, value);
			case DECIMAL -> statement.setBigDecimal(index, (BigDecimal) value);
			case JSON -> statement.setString(index, ((ConvertedBatch.JsonValue) value).text());
		}
	}

	private static int sqlTypeCode(FieldType type) {
		return switch (type) {
			case STRING, JSON -> Types.VARCHAR;
			case INT32 -> Types.INTEGER;
			case INT64 -> Types.BIGINT;
			case FLOAT32 -> Types.REAL;
			case FLOAT64 -> Types.DOUBLE;
			case BOOLEAN -> Types.BOOLEAN;
			case TIMESTAMP -> Types.TIMESTAMP_WITH_TIMEZONE;
			case DATE -> Types.DATE;
			case DECIMAL -> Types.NUMERIC;
		};
	}

	/**
	 * Reads a result of {@code SELECT *} on a stream table into events, the metadata columns found by name (a
	 * migrated table has its entry ID columns last).
	 * @param stream the stream
	 * @param rs the rows
	 * @return the events
	 * @throws SQLException when reading fails
	 */
	static List<StoredEvent> readEvents(String stream, ResultSet rs) throws SQLException {
		ResultSetMetaData meta = rs.getMetaData();
		MetadataColumns metadata = MetadataColumns.of(meta);
		int[] fields = metadata.fields();
		FieldType[] types = new FieldType[fields.length];
		for (int i = 0; i < fields.length; i++) {
			types[i] = fieldType(meta.getColumnTypeName(fields[i]));
		}
		List<StoredEvent> events = new ArrayList<>();
		while (rs.next()) {
			long rowid = rs.getLong(metadata.rowid());
			Instant publishedAt = rs.getObject(metadata.publishedAt(), OffsetDateTime.class).toInstant();
			UUID publishId = rs.getObject(metadata.publishId(), UUID.class);
			EntryId id = new EntryId(rs.getLong(metadata.idMs()), rs.getLong(metadata.idSeq()));
			Map<String, Object> data = new LinkedHashMap<>();
			for (int i = 0; i < fields.length; i++) {
				Object value = readValue(rs, fields[i], types[i]);
				if (value != null) {
					data.put(metadata.name(fields[i]), value);
				}
			}
			events.add(new StoredEvent(stream, rowid, id, publishedAt, publishId, data));
		}
		return events;
	}

	private static @Nullable Object readValue(ResultSet rs, int index, FieldType type) throws SQLException {
		Object value = switch (type) {
			case STRING -> rs.getString(index);
			case INT32 -> rs.getInt(index);
			case INT64 -> rs.getLong(index);
			case FLOAT32 -> rs.getFloat(index);
			case FLOAT64 -> rs.getDouble(index);
			case BOOLEAN -> rs.getBoolean(index);
			case TIMESTAMP -> {
				OffsetDateTime timestamp = rs.getObject(index, OffsetDateTime.class);
				yield (timestamp != null) ? timestamp.toInstant() : null;
			}
			case DATE -> rs.getObject(index, LocalDate.class);
			case DECIMAL -> {
				BigDecimal decimal = rs.getBigDecimal(index);
				yield (decimal != null) ? EventConverter.canonicalDecimal(decimal) : null;
			}
			case JSON -> {
				String text = rs.getString(index);
				yield (text != null) ? EventConverter.JSON.readValue(text, Object.class) : null;
			}
		};
		return rs.wasNull() ? null : value;
	}

}
