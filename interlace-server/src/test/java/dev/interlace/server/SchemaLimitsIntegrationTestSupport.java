package dev.interlace.server;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.http.HttpStatus;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Publishes that would grow a stream's table without bound, and numbers of extreme magnitude: each answered 400 with
 * the field and row at fault, nothing stored and no column added. Run on each database by a subclass.
 */
@ActiveProfiles("limits")
@DirtiesContext
abstract class SchemaLimitsIntegrationTestSupport {

	@Autowired
	StreamsApi api;

	@Test
	void eventWithFiveThousandNewKeysIsRejectedNamingTheLimitAndAddsNothing() {
		Map<String, Object> before = describe("lim_open");
		StringBuilder wide = new StringBuilder("{");
		for (int i = 0; i < 5_000; i++) {
			wide.append((i > 0) ? "," : "").append("\"k").append(i).append("\":").append(i);
		}
		Map<String, Object> problem = assertRejected("lim_open", wide.append('}').toString());
		assertThat(problem).containsEntry("row_index", 0);
		assertThat(problem.get("field")).isNull();
		assertThat((String) problem.get("detail")).contains("max-keys-per-event of 1000");
		assertUnchanged("lim_open", before);
	}

	@Test
	void eventWithMoreNewKeysThanAPublishMayAddIsRejectedAtTheFirstKeyOverTheLimit() {
		Map<String, Object> before = describe("lim_open");
		StringBuilder wide = new StringBuilder("{");
		for (int i = 0; i < 500; i++) {
			wide.append((i > 0) ? "," : "").append("\"w").append(i).append("\":").append(i);
		}
		Map<String, Object> problem = assertRejected("lim_open", wide.append('}').toString());
		assertThat(problem).containsEntry("row_index", 0).containsEntry("field", "w64");
		assertThat((String) problem.get("detail")).contains("max-new-columns-per-publish of 64");
		assertUnchanged("lim_open", before);
	}

	@Test
	void batchOfTwentyThousandDistinctKeysIsRejectedNamingTheLimitAndAddsNothing() {
		Map<String, Object> before = describe("lim_open");
		StringBuilder batch = new StringBuilder("[");
		for (int i = 0; i < 20_000; i++) {
			batch.append((i > 0) ? "," : "").append("{\"key_").append(i).append("\":").append(i).append('}');
		}
		Map<String, Object> problem = assertRejected("lim_open", batch.append(']').toString());
		assertThat(problem).containsEntry("row_index", 64).containsEntry("field", "key_64");
		assertThat((String) problem.get("detail")).contains("max-new-columns-per-publish of 64");
		assertUnchanged("lim_open", before);
	}

	@Test
	void batchOfTwentyThousandEventsOverSixtyFourKeysIsAccepted() {
		StringBuilder batch = new StringBuilder("[");
		for (int i = 0; i < 20_000; i++) {
			batch.append((i > 0) ? "," : "").append("{\"rep_").append(i % 64).append("\":").append(i).append('}');
		}
		post("lim_open", batch.append(']').toString()).expectStatus().isAccepted();
		assertThat(fields("lim_open")).containsKeys("rep_0", "rep_63");
	}

	@Test
	void unknownKeyOfAStreamWithSchemaEvolutionOffIsRejectedNamingTheField() {
		Map<String, Object> before = describe("lim_frozen");
		assertThat(before).containsEntry("schema_evolution", false).containsEntry("validate_schema", false);
		Map<String, Object> problem = assertRejected("lim_frozen", "[{\"page\":\"/\"},{\"page\":\"/a\",\"referrer\":\"x\"}]");
		assertThat(problem).containsEntry("row_index", 1).containsEntry("field", "referrer");
		assertThat((String) problem.get("detail")).contains("schema evolution is off");
		assertUnchanged("lim_frozen", before);
		post("lim_frozen", "[{\"page\":\"/\"},{\"ms\":\"42\"},{}]").expectStatus().isAccepted();
		assertThat(rowCount("lim_frozen")).isEqualTo(rowCount(before) + 3);
	}

	@Test
	void describeShowsTheSchemaLimits() {
		assertThat(describe("lim_open")).containsEntry("schema_evolution", true)
			.containsEntry("schema_limits", Map.of("max_new_columns_per_publish", 64, "max_columns_per_stream", 1000,
					"max_keys_per_event", 1000));
	}

	@ParameterizedTest
	@CsvSource({ "order_id,1e2147483640", "order_id,1e-2147483640", "order_id,1e20000000", "quantity,1e100000000",
			"quantity,1e2147483640", "quantity,1e-2147483640", "small,1e100000000", "ratio,1e2147483640",
			"ratio,-1e3080", "ratio,1e-2147483640", "single,1e39", "amount,1e2147483640", "amount,1e-2147483640",
			"amount,1e100000000", "details,1e2147483640", "details,1e20000000", "new_number,1e2147483640",
			"new_number,1e-2147483640", "new_number,-1e3080" })
	void extremeNumberIsRejectedWith400NamingFieldAndRowAndStoresNothing(String field, String number) {
		Map<String, Object> before = describe("lim_numbers");
		Map<String, Object> problem = assertRejected("lim_numbers",
				"[{\"order_id\":\"ok\"},{\"" + field + "\":" + number + "}]");
		assertThat(problem).containsEntry("row_index", 1).containsEntry("field", field);
		assertUnchanged("lim_numbers", before);
	}

	@Test
	void numberLongerThanTheParserAcceptsIsRejectedAs400() {
		Map<String, Object> before = describe("lim_numbers");
		Map<String, Object> problem = ApiIntegrationTestSupport.assertProblem(
				post("lim_numbers", "{\"order_id\":" + "9".repeat(1_001) + "}"), HttpStatus.BAD_REQUEST,
				"INVALID_REQUEST");
		assertThat((String) problem.get("detail")).containsIgnoringCase("number");
		assertUnchanged("lim_numbers", before);
	}

	@Test
	void numbersWithinTheColumnsAreStored() {
		long before = rowCount(describe("lim_numbers"));
		post("lim_numbers", "{\"order_id\":1e3,\"quantity\":1e18,\"ratio\":1e300,\"amount\":1.5e27,\"details\":1e999}")
			.expectStatus()
			.isAccepted();
		assertThat(rowCount(describe("lim_numbers"))).isEqualTo(before + 1);
	}

	private Map<String, Object> assertRejected(String stream, String json) {
		return ApiIntegrationTestSupport.assertProblem(post(stream, json), HttpStatus.BAD_REQUEST, "VALIDATION_ERROR");
	}

	private void assertUnchanged(String stream, Map<String, Object> before) {
		Map<String, Object> after = describe(stream);
		assertThat(after.get("fields")).isEqualTo(before.get("fields"));
		assertThat(rowCount(after)).isEqualTo(rowCount(before));
	}

	WebTestClient.ResponseSpec post(String stream, String json) {
		return this.api.publish(stream, json);
	}

	Map<String, Object> describe(String stream) {
		return this.api.describe(stream);
	}

	@SuppressWarnings("unchecked")
	private Map<String, Object> fields(String stream) {
		return (Map<String, Object>) describe(stream).get("fields");
	}

	private long rowCount(String stream) {
		return rowCount(describe(stream));
	}

	private static long rowCount(Map<String, Object> description) {
		return StreamsApi.rowCount(description);
	}

}
