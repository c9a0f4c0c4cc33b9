package dev.interlace.core.store.duckdb;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import org.duckdb.DuckDBAppender;
import org.jspecify.annotations.Nullable;

import dev.interlace.core.FieldType;
import dev.interlace.core.StoredEvent;
import dev.interlace.core.EntryId;
import dev.interlace.core.store.support.MetadataColumns;
import dev.interlace.core.store.support.ColumnSet;
import dev.interlace.core.store.support.ConvertedBatch;
import dev.interlace.core.store.support.EventConverter;

/**
 * How field values travel to and from DuckDB: column types, appended values and result sets. Values read back have
 * the Java types {@link EventConverter} produces, as with every store.
 */
final class DuckDbTypes {

	private DuckDbTypes() {
	}

	/**
	 * Returns the column type of a field type.
	 * @param type the field type
	 * @return the SQL type
	 */
	static String sqlType(FieldType type) {
		return switch (type) {
			case STRING -> "VARCHAR";
			case INT32 -> "INTEGER";
			case INT64 -> "BIGINT";
			case FLOAT32 -> "FLOAT";
			case FLOAT64 -> "DOUBLE";
			case BOOLEAN -> "BOOLEAN";
			case TIMESTAMP -> "TIMESTAMPTZ";
			case DATE -> "DATE";
			case JSON -> "JSON";
			case DECIMAL -> "DECIMAL(" + FieldType.DECIMAL_PRECISION + "," + FieldType.DECIMAL_SCALE + ")";
		};
	}

	/**
	 * Returns the field type of a column, by its type as {@code information_schema.columns} names it.
	 * @param sqlType e.g. {@code BIGINT}
	 * @return the field type; text for types Interlace does not create
	 */
	static FieldType fieldType(String sqlType) {
		String type = sqlType.toUpperCase(Locale.ROOT);
		if (type.startsWith("DECIMAL")) {
			return FieldType.DECIMAL;
		}
		return switch (type) {
			case "INTEGER" -> FieldType.INT32;
			case "BIGINT" -> FieldType.INT64;
			case "FLOAT" -> FieldType.FLOAT32;
			case "DOUBLE" -> FieldType.FLOAT64;
			case "BOOLEAN" -> FieldType.BOOLEAN;
			case "TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ" -> FieldType.TIMESTAMP;
			case "DATE" -> FieldType.DATE;
			case "JSON" -> FieldType.JSON;
			default -> FieldType.STRING;
		};
	}

	/**
	 * Appends the rows of one publish, numbered from {@code firstRowid} and {@code firstId}: the metadata columns,
	 * then a value for each of {@code columns} (null where a row, converted before the table gained columns, is
	 * shorter), with the entry ID's two columns where the table has them.
	 * @param appender the appender, its row closed
	 * @param columns the columns the table is written with
	 * @param idColumnsAt how many of {@code columns} precede the entry ID columns in the table
	 * @param rows the rows, canonical values
	 * @param publishId the publish id
	 * @param firstRowid the rowid of the first row
	 * @param firstId the entry ID of the first row; the others follow it within its millisecond
	 * @param publishedAtMicros the commit time, in {@link #epochMicros microseconds since the epoch}
	 * @throws SQLException when the appender refuses a value
	 */
	static void appendRows(DuckDBAppender appender, ColumnSet columns, int idColumnsAt, Object[][] rows,
			UUID publishId, long firstRowid, EntryId firstId, long publishedAtMicros) throws SQLException {
		long rowid = firstRowid;
		long seq = firstId.seq();
		for (Object[] row : rows) {
			appender.beginRow();
			appender.append(rowid++);
			appender.appendEpochMicros(publishedAtMicros);
			appender.append(publishId);
			for (int column = 0; column < columns.size(); column++) {
				if (column == idColumnsAt) {
					appender.append(firstId.ms());
					appender.append(seq);
				}
				appendValue(appender, columns.type(column), (column < row.length) ? row[column] : null);
			}
			if (idColumnsAt >= columns.size()) {
				appender.append(firstId.ms());
				appender.append(seq);
			}
			seq++;
			appender.endRow();
		}
	}

	private static void appendValue(DuckDBAppender appender, FieldType type, @Nullable Object value)
			throws SQLException {
		if (value == null) {
			appender.appendNull();
			return;
		}
		switch (type) {
			case STRING -> appender.append((String) value);
			case INT32 -> appender.append((int) (Integer) value);
			case INT64 -> appender.append((long) (Long) value);
			case FLOAT32 -> appender.append((float) (Float) value);
			case FLOAT64 -> appender.append((double) (Double) value);
			case BOOLEAN -> appender.append((boolean) (Boolean) value);
			case TIMESTAMP -> appender.appendEpochMicros(epochMicros((Instant) value));
			case DATE -> appender.append((LocalDate) value);
			case DECIMAL -> appender.append(((BigDecimal) value).setScale(FieldType.DECIMAL_SCALE, RoundingMode.UNNECESSARY));
			case JSON -> appender.append(((ConvertedBatch.JsonValue) value).text());
		}
	}

	/**
	 * Returns microseconds since the epoch; unlike {@code ChronoUnit.MICROS.between}, no overflow through
	 * nanoseconds.
	 * @param instant the instant
	 * @return the microseconds
	 */
	static long epochMicros(Instant instant) {
		return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
	}

	/**
	 * Reads the events of a query over a stream's table, all of its columns, the metadata columns found by name
	 * (a migrated table has its entry ID columns last).
	 * @param stream the stream
	 * @param rs the result set
	 * @return the events
	 * @throws SQLException when reading fails
	 */
	static List<StoredEvent> readEvents(String stream, ResultSet rs) throws SQLException {
		MetadataColumns metadata = MetadataColumns.of(rs.getMetaData());
		int[] fields = metadata.fields();
		String[] types = new String[fields.length];
		for (int i = 0; i < fields.length; i++) {
			types[i] = rs.getMetaData().getColumnTypeName(fields[i]);
		}
		List<StoredEvent> events = new ArrayList<>();
		while (rs.next()) {
			long rowid = rs.getLong(metadata.rowid());
			Instant publishedAt = rs.getObject(metadata.publishedAt(), OffsetDateTime.class).toInstant();
			UUID publishId = (UUID) rs.getObject(metadata.publishId());
			EntryId id = new EntryId(rs.getLong(metadata.idMs()), rs.getLong(metadata.idSeq()));
			Map<String, Object> data = new LinkedHashMap<>();
			for (int i = 0; i < fields.length; i++) {
				Object value = rs.getObject(fields[i]);
				if (value != null) {
					data.put(metadata.name(fields[i]), readValue(types[i], value));
				}
			}
			events.add(new StoredEvent(stream, rowid, id, publishedAt, publishId, data));
		}
		return events;
	}

	private static Object readValue(String type, Object value) {
		if (type.equals("JSON")) {
			return EventConverter.JSON.readValue(value.toString(), Object.class);
		}
		if (value instanceof OffsetDateTime timestamp) {
			return timestamp.toInstant();
		}
		if (value instanceof BigDecimal decimal) {
			return EventConverter.canonicalDecimal(decimal);
		}
		return value;
	}

}
