package dev.interlace.server;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.util.unit.DataSize;
import dev.interlace.server.web.ApiException;
import dev.interlace.server.web.ErrorCode;
import dev.interlace.server.web.RequestBodies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class RequestBodiesTests {

	private final RequestBodies bodies = new RequestBodies(
			new InterlaceServerProperties(DataSize.ofBytes(100), 3, Duration.ofSeconds(15), Duration.ofSeconds(30), null,
					new InterlaceServerProperties.AuthFailureLimit(10, Duration.ofMinutes(1)), 10_000));

	@Test
	void numbersKeepTheirExactValue() {
		Object body = read("{\"fraction\":0.1000000000000000055511151231257827,\"big\":123456789012345678901234,\"small\":7}");
		assertThat(body).isEqualTo(Map.of("fraction", new BigDecimal("0.1000000000000000055511151231257827"), "big",
				new BigInteger("123456789012345678901234"), "small", 7));
	}

	@Test
	void nestingUpToTheConfiguredDepthIsAccepted() {
		assertThat(read("[[[1]]]")).isEqualTo(List.of(List.of(List.of(1))));
	}

	@Test
	void nestingDeeperThanTheConfiguredDepthIsAnInvalidRequest() {
		assertThatExceptionOfType(ApiException.class).isThrownBy(() -> read("[[[[1]]]]"))
			.satisfies((ex) -> assertThat(ex.getCode()).isEqualTo(ErrorCode.INVALID_REQUEST))
			.withMessageContaining("deeper than 3 levels");
	}

	@Test
	void declaredContentLengthOverTheLimitIsRefusedWithoutReading() {
		MockServerHttpRequest request = MockServerHttpRequest.post("/")
			.contentLength(101)
			.body(Flux.error(new AssertionError("the body must not be read")));
		assertThatExceptionOfType(ApiException.class).isThrownBy(() -> this.bodies.readJson(request).block())
			.satisfies((ex) -> assertThat(ex.getCode()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE));
	}

	@Test
	void streamedBodyOverTheLimitIsTooLarge() {
		MockServerHttpRequest request = MockServerHttpRequest.post("/")
			.body(Flux.range(0, 11).map((i) -> DefaultDataBufferFactory.sharedInstance.wrap("[1,2,3,4,5]".getBytes())));
		assertThatExceptionOfType(ApiException.class).isThrownBy(() -> this.bodies.readJson(request).block())
			.satisfies((ex) -> assertThat(ex.getCode()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE));
	}

	@Test
	void trailingContentAndDuplicateKeysAreInvalid() {
		assertThatExceptionOfType(ApiException.class).isThrownBy(() -> read("{} []"))
			.withMessageContaining("not valid JSON");
		assertThatExceptionOfType(ApiException.class).isThrownBy(() -> read("{\"a\":1,\"a\":1}"))
			.withMessageContaining("not valid JSON");
	}

	@Test
	void numbersJavaCannotHoldAreAnInvalidRequest() {
		assertThatExceptionOfType(ApiException.class).isThrownBy(() -> read("{\"n\":1e99999999999}"))
			.satisfies((ex) -> assertThat(ex.getCode()).isEqualTo(ErrorCode.INVALID_REQUEST))
			.withMessageContaining("number that cannot be read");
	}

	private Object read(String json) {
		return this.bodies.readJson(MockServerHttpRequest.post("/").body(json)).block();
	}

}
