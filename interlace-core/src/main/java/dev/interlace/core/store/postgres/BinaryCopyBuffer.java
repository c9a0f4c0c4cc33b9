package dev.interlace.core.store.postgres;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.postgresql.util.ByteConverter;

import dev.interlace.core.FieldType;
import dev.interlace.core.store.support.ConvertedBatch;

/**
 * Rows in {@code COPY}'s binary format. The server reads each value as is, rather than parsing text (timestamps,
 * UUIDs and floats most of all), and nothing needs escaping.
 */
final class BinaryCopyBuffer {

	private static final byte[] SIGNATURE = { 'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0 };

	/** Seconds from the Unix epoch to PostgreSQL's, 2000-01-01T00:00:00Z. */
	private static final long POSTGRES_EPOCH_SECONDS = 946_684_800L;

	/** Days from the Unix epoch to PostgreSQL's. */
	private static final long POSTGRES_EPOCH_DAYS = 10_957L;

	private static final byte JSONB_VERSION = 1;

	private byte[] bytes;

	private int length;

	BinaryCopyBuffer(int capacity) {
		this.bytes = new byte[capacity];
	}

	byte[] bytes() {
		return this.bytes;
	}

	int length() {
		return this.length;
	}

	void clear() {
		this.length = 0;
	}

	/** Starts the data: signature, flags and header extension length. */
	void header() {
		ensure(SIGNATURE.length + 8);
		System.arraycopy(SIGNATURE, 0, this.bytes, this.length, SIGNATURE.length);
		this.length += SIGNATURE.length;
		putInt(0);
		putInt(0);
	}

	/** Ends the data. */
	void trailer() {
		ensure(2);
		putShort(-1);
	}

	void startRow(int fields) {
		ensure(2);
		putShort(fields);
	}

	void int8(long value) {
		ensure(12);
		putInt(8);
		ByteConverter.int8(this.bytes, this.length, value);
		this.length += 8;
	}

	void timestamp(Instant instant) {
		int8(Math.addExact(Math.multiplyExact(instant.getEpochSecond() - POSTGRES_EPOCH_SECONDS, 1_000_000L),
				instant.getNano() / 1_000));
	}

	void uuid(UUID uuid) {
		ensure(20);
		putInt(16);
		ByteConverter.int8(this.bytes, this.length, uuid.getMostSignificantBits());
		ByteConverter.int8(this.bytes, this.length + 8, uuid.getLeastSignificantBits());
		this.length += 16;
	}

	/**
	 * Writes a canonical value of a field type.
	 * @param type the column type
	 * @param value the value, or {@code null}
	 */
	void value(FieldType type, @Nullable Object value) {
		if (value == null) {
			ensure(4);
			putInt(-1);
			return;
		}
		switch (type) {
			case STRING -> text((String) value);
			case INT32 -> {
				ensure(8);
				putInt(4);
				putInt((Integer) value);
			}
			case INT64 -> int8((Long) value);
			case FLOAT32 -> {
				ensure(8);
				putInt(4);
				putInt(Float.floatToRawIntBits((Float) value));
			}
			case FLOAT64 -> {
				ensure(12);
				putInt(8);
				ByteConverter.float8(this.bytes, this.length, (Double) value);
				this.length += 8;
			}
			case BOOLEAN -> {
				ensure(5);
				putInt(1);
				this.bytes[this.length++] = (byte) (((Boolean) value) ? 1 : 0);
			}
			case TIMESTAMP -> timestamp((Instant) value);
			case DATE -> {
				ensure(8);
				putInt(4);
				putInt(Math.toIntExact(((LocalDate) value).toEpochDay() - POSTGRES_EPOCH_DAYS));
			}
			case DECIMAL -> raw(ByteConverter.numeric((BigDecimal) value));
			case JSON -> {
				byte[] text = ((ConvertedBatch.JsonValue) value).text().getBytes(StandardCharsets.UTF_8);
				ensure(5 + text.length);
				putInt(1 + text.length);
				this.bytes[this.length++] = JSONB_VERSION;
				System.arraycopy(text, 0, this.bytes, this.length, text.length);
				this.length += text.length;
			}
		}
	}

	private void text(String text) {
		raw(text.getBytes(StandardCharsets.UTF_8));
	}

	private void raw(byte[] value) {
		ensure(4 + value.length);
		putInt(value.length);
		System.arraycopy(value, 0, this.bytes, this.length, value.length);
		this.length += value.length;
	}

	private void putShort(int value) {
		ByteConverter.int2(this.bytes, this.length, value);
		this.length += 2;
	}

	private void putInt(int value) {
		ByteConverter.int4(this.bytes, this.length, value);
		this.length += 4;
	}

	private void ensure(int more) {
		if (this.length + more > this.bytes.length) {
			this.bytes = Arrays.copyOf(this.bytes, Math.max(this.bytes.length * 2, this.length + more));
		}
	}

}
