package dev.interlace.server.web;

import java.io.IOException;
import java.io.InputStream;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.server.reactive.ServerHttpRequest;

import dev.interlace.core.store.support.EventConverter;
import dev.interlace.server.InterlaceServerProperties;

/**
 * Reads JSON request bodies within the configured limits: at most {@code interlace.server.max-body-size} bytes (else
 * 413, refused from {@code Content-Length} before reading when the client sends one) and at most
 * {@code interlace.server.max-nesting-depth} levels of nesting (else 400), and numbers of at most
 * {@value EventConverter#MAX_JSON_NUMBER_LENGTH} characters as written (else 400), so that no body can exhaust memory
 * or the stack. A short number of huge magnitude ({@code 1e2147483640}) is read as a {@code BigDecimal} at no cost; the
 * converter then checks it against its column before any work grows with its exponent. Parsing is strict: duplicate
 * keys and trailing content are rejected.
 * <p>
 * Values come back as Jackson reads untyped JSON: {@code Map}, {@code List}, {@code String}, {@code Boolean},
 * whole numbers as {@code Integer}, {@code Long} or {@code BigInteger}, other numbers as {@code BigDecimal} (exactly
 * as written), {@code null}.
 *
 * @since 0.1.0
 */
public final class RequestBodies {

	/** Body chunks requested from Netty at a time. */
	private static final int BODY_PREFETCH = 64;

	private final int maxBytes;

	private final int maxNestingDepth;

	private final JsonMapper mapper;

	/**
	 * Creates a reader with the server's limits.
	 * @param properties the server settings
	 */
	public RequestBodies(InterlaceServerProperties properties) {
		this.maxBytes = (int) Math.min(Integer.MAX_VALUE - 8, properties.maxBodySize().toBytes());
		this.maxNestingDepth = properties.maxNestingDepth();
		JsonFactory factory = JsonFactory.builder()
			// Numbers are kept to the length the converter writes out and PostgreSQL reads back; longer ones are
			// refused while parsing, before any work grows with them.
			.streamReadConstraints(StreamReadConstraints.builder()
				.maxNestingDepth(this.maxNestingDepth)
				.maxNumberLength(EventConverter.MAX_JSON_NUMBER_LENGTH)
				.build())
			.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
			.build();
		this.mapper = JsonMapper.builder(factory)
			.enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
			.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
			.build();
	}

	/**
	 * Reads and parses the request's body.
	 * @param request the request
	 * @return the parsed body; fails with an {@link ApiException} when the body is empty, too large or not JSON
	 */
	public Mono<Object> readJson(ServerHttpRequest request) {
		long declared = request.getHeaders().getContentLength();
		if (declared > this.maxBytes) {
			return Mono.error(tooLarge(this.maxBytes));
		}
		// One byte more than the limit is read, then the rest is left to Netty to discard. (A join whose limit fails
		// in the middle of the body made Netty release some buffers twice and break the connection.) Demand is bounded
		// because with unbounded demand Reactor Netty signals a read timeout to the body's reader twice, and logs the
		// second one as an error ("onErrorDropped").
		Flux<DataBuffer> body = request.getBody().limitRate(BODY_PREFETCH);
		return DataBufferUtils.join(DataBufferUtils.takeUntilByteCount(body, this.maxBytes + 1L))
			.map((buffer) -> {
				if (buffer.readableByteCount() > this.maxBytes) {
					DataBufferUtils.release(buffer);
					throw tooLarge(this.maxBytes);
				}
				return parse(buffer);
			})
			.switchIfEmpty(Mono.error(() -> new ApiException(ErrorCode.INVALID_REQUEST,
					"Request body is empty; expected JSON")));
	}

	private Object parse(DataBuffer buffer) {
		if (buffer.readableByteCount() == 0) {
			DataBufferUtils.release(buffer);
			throw new ApiException(ErrorCode.INVALID_REQUEST, "Request body is empty; expected JSON");
		}
		try (InputStream input = buffer.asInputStream(true)) {
			Object value = this.mapper.readValue(input, Object.class);
			if (value == null) {
				throw new ApiException(ErrorCode.INVALID_REQUEST, "Request body is JSON null; expected JSON object");
			}
			return value;
		}
		catch (JacksonException ex) {
			throw invalidJson(ex);
		}
		catch (NumberFormatException | ArithmeticException ex) {
			// Jackson lets these through for numbers it reads but Java cannot hold, such as 1e999999999999.
			throw new ApiException(ErrorCode.INVALID_REQUEST, "Request body has a number that cannot be read", ex);
		}
		catch (IOException ex) {
			throw new ApiException(ErrorCode.INVALID_REQUEST, "Request body could not be read", ex);
		}
	}

	private ApiException invalidJson(JacksonException ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof StreamConstraintsException) {
				if (cause.getMessage() != null && cause.getMessage().contains("nesting depth")) {
					return new ApiException(ErrorCode.INVALID_REQUEST,
							"Request body nests JSON deeper than " + this.maxNestingDepth + " levels", ex);
				}
				return new ApiException(ErrorCode.INVALID_REQUEST,
						"Request body exceeds a JSON limit: " + ((StreamConstraintsException) cause).getOriginalMessage(),
						ex);
			}
		}
		StringBuilder detail = new StringBuilder("Request body is not valid JSON: ").append(ex.getOriginalMessage());
		TokenStreamLocation location = ex.getLocation();
		if (location != null && location.getLineNr() > 0) {
			detail.append(" (line ").append(location.getLineNr()).append(", column ").append(location.getColumnNr())
				.append(')');
		}
		return new ApiException(ErrorCode.INVALID_REQUEST, detail.toString(), ex);
	}

	/**
	 * Returns the problem of a body over the limit.
	 * @param maxBytes the limit
	 * @return the problem
	 */
	static ApiException tooLarge(long maxBytes) {
		return new ApiException(ErrorCode.PAYLOAD_TOO_LARGE,
				"Request body exceeds the limit of " + maxBytes + " bytes (interlace.server.max-body-size)");
	}

}
