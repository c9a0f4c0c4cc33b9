package dev.interlace.server;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.util.unit.DataSize;

import dev.interlace.core.store.support.EventConverter;
import dev.interlace.server.web.ApiException;
import dev.interlace.server.web.ErrorCode;
import dev.interlace.server.web.RequestBodies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * How {@link RequestBodies} reads numbers of extreme length or magnitude: short ones whatever their exponent as exact
 * decimals (the converter checks them against their column), longer ones than the converter accepts refused.
 */
class RequestBodiesNumbersTests {

	private final RequestBodies bodies = new RequestBodies(
			new InterlaceServerProperties(DataSize.ofKilobytes(64), 8, Duration.ofSeconds(15), Duration.ofSeconds(30), null,
					new InterlaceServerProperties.AuthFailureLimit(10, Duration.ofMinutes(1)), 10_000));

	@Test
	void numberOfHugeOrTinyMagnitudeIsReadAsAnExactDecimal() {
		assertThat(read("{\"v\":1e2147483640}")).isEqualTo(Map.of("v", new BigDecimal("1e2147483640")));
		assertThat(read("{\"v\":1e-2147483640}")).isEqualTo(Map.of("v", new BigDecimal("1e-2147483640")));
		assertThat(read("{\"v\":-1e3080}")).isEqualTo(Map.of("v", new BigDecimal("-1e3080")));
	}

	@Test
	void numberAsLongAsTheConverterAcceptsIsRead() {
		String digits = "9".repeat(EventConverter.MAX_JSON_NUMBER_LENGTH);
		assertThat(read("{\"v\":" + digits + "}")).isEqualTo(Map.of("v", new java.math.BigInteger(digits)));
	}

	@Test
	void numberLongerThanTheConverterAcceptsIsAnInvalidRequest() {
		String digits = "9".repeat(EventConverter.MAX_JSON_NUMBER_LENGTH + 1);
		assertThatExceptionOfType(ApiException.class).isThrownBy(() -> read("{\"v\":" + digits + "}"))
			.satisfies((ex) -> assertThat(ex.getCode()).isEqualTo(ErrorCode.INVALID_REQUEST))
			.withMessageContaining("Number value length");
	}

	@Test
	void exponentBeyondWhatJavaHoldsIsAnInvalidRequest() {
		assertThatExceptionOfType(ApiException.class).isThrownBy(() -> read("{\"v\":1e99999999999}"))
			.satisfies((ex) -> assertThat(ex.getCode()).isEqualTo(ErrorCode.INVALID_REQUEST));
	}

	private Object read(String json) {
		return this.bodies.readJson(MockServerHttpRequest.post("/").body(json)).block();
	}

}
