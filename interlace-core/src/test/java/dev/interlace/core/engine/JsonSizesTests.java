package dev.interlace.core.engine;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.interlace.core.StoredEvent;
import dev.interlace.core.EntryId;
import dev.interlace.core.store.support.EventConverter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link JsonSizes}: estimates against the JSON a default mapper writes.
 */
class JsonSizesTests {

	@Test
	void estimatesAreAtLeastTheSizeOfTheWrittenJson() {
		List<Object> nested = new ArrayList<>(Arrays.asList(1, -2.5e-300, "a\"b\\c", null, true,
				Map.of("deep", List.of(Long.MIN_VALUE, new BigInteger("-123456789012345678901234567890")))));
		List<Object> values = List.of("", "plain ascii", "quotes \" and \\ backslashes", "controls \u0000\u0001\n\t\u001f",
				"umlauts äöü", "cjk 漢字かな", "emoji \ud83c\udf89\ud83d\ude80", Long.MIN_VALUE, Integer.MAX_VALUE,
				-Double.MAX_VALUE, Double.MIN_VALUE, -Float.MAX_VALUE, true, false, new BigDecimal("-1234567.890123"),
				new BigDecimal("1E+40"), new BigDecimal("1E-40"), new BigInteger("-" + "9".repeat(60)),
				Instant.parse("2024-05-01T10:00:00.123456Z"), Instant.MIN, Instant.MAX, LocalDate.MIN, UUID.randomUUID(),
				nested, Map.of("k\u00e9y \"q\"", nested));
		for (Object value : values) {
			Map<String, Object> data = new LinkedHashMap<>();
			data.put("value", value);
			StoredEvent event = new StoredEvent("s", Long.MAX_VALUE, EntryId.MAX, Instant.MAX, UUID.randomUUID(), data);
			assertThat(JsonSizes.of(value)).as("%s", value).isGreaterThanOrEqualTo(written(value));
			// An array of events carries a comma between them: one byte per event besides its row.
			assertThat(JsonSizes.of(event)).as("%s", value).isGreaterThanOrEqualTo(written(event.toRow()) + 1);
		}
	}

	@Test
	void asciiTextIsEstimatedAtItsLength() {
		String text = "o".repeat(10_000);
		StoredEvent event = new StoredEvent("s", 1, new EntryId(1, 0), Instant.now(), UUID.randomUUID(),
				Map.of("order_id", text));
		assertThat(JsonSizes.of(text)).isEqualTo(10_002);
		// The estimate reserves the widest numbers for the metadata and the entry ID text responses add to a row.
		assertThat(JsonSizes.of(event)).isBetween(written(event.toRow()), written(event.toRow()) + 200);
	}

	private static long written(Object value) {
		return EventConverter.JSON.writeValueAsBytes(value).length;
	}

}
