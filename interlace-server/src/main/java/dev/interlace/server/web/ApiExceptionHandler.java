package dev.interlace.server.web;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.netty.handler.timeout.ReadTimeoutException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerResponse;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.ErrorResponse;
import org.springframework.web.reactive.resource.NoResourceFoundException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import org.springframework.web.util.DisconnectedClientHelper;

import dev.interlace.core.DataRejectedException;
import dev.interlace.core.InvalidEventException;
import dev.interlace.core.InvalidRequestException;
import dev.interlace.core.ReplayLimitException;
import dev.interlace.core.StoreException;
import dev.interlace.core.StreamNotFoundException;

/**
 * Answers every failure of a request, wherever it was raised (controllers, web filters, the framework's own routing
 * and content negotiation), with an RFC 9457 {@code application/problem+json} document: {@code type},
 * {@code title}, {@code status}, {@code detail}, {@code instance}, the extension members {@code code} (an
 * {@link ErrorCode}) and {@code request_id}, plus the members of the failure ({@code field} and {@code row_index}
 * of an invalid event, {@code retry_after} of a rate limit).
 * <p>
 * Ordered before Boot's {@code ErrorWebExceptionHandler}. Server errors are logged with their stack trace under the
 * request id; their response says only that something failed.
 *
 * @since 0.1.0
 */
public final class ApiExceptionHandler implements WebExceptionHandler, Ordered {

	/** Before Boot's error handler, which is at -1. */
	public static final int ORDER = -2;

	/** Seconds a client is asked to wait after a storage failure. */
	static final int STORE_RETRY_AFTER_SECONDS = 1;

	/** Seconds a subscriber is asked to wait when too many replays run. */
	static final int REPLAY_RETRY_AFTER_SECONDS = 1;

	private static final Log logger = LogFactory.getLog(ApiExceptionHandler.class);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final int storeRetryAfterSeconds;

	/**
	 * Creates the handler, asking clients to wait {@value #STORE_RETRY_AFTER_SECONDS} second after a storage failure.
	 */
	public ApiExceptionHandler() {
		this(Duration.ofSeconds(STORE_RETRY_AFTER_SECONDS));
	}

	/**
	 * Creates the handler.
	 * @param storeRetryAfter how long a client is asked to wait after a storage failure (such as the circuit
	 * breaker's open duration), rounded up to whole seconds, at least one
	 */
	public ApiExceptionHandler(Duration storeRetryAfter) {
		long millis = Math.max(storeRetryAfter.toMillis(), 1);
		this.storeRetryAfterSeconds = (int) Math.min((millis + 999) / 1000, Integer.MAX_VALUE);
	}

	@Override
	public Mono<Void> handle(ServerWebExchange exchange, Throwable ex) {
		ServerHttpResponse response = exchange.getResponse();
		// Nobody to answer when the client left mid-request (passed on, the web handler would log it as a 500), nor
		// when Netty already answered a request it could not decode, such as a malformed chunk, with 400.
		boolean clientLeft = DisconnectedClientHelper.isClientDisconnectedException(ex);
		if (clientLeft || answeredByCodec(response)) {
			if (logger.isDebugEnabled()) {
				logger.debug("Request " + RequestIdFilter.requestId(exchange) + " not answered: "
						+ (clientLeft ? "the client left" : "the HTTP codec answered it") + " (" + ex + ")");
			}
			return Mono.empty();
		}
		if (response.isCommitted()) {
			return Mono.error(ex);
		}
		String requestId = RequestIdFilter.requestId(exchange);
		ApiException problem = toProblem(exchange.getRequest(), ex);
		if (problem.getCode() == ErrorCode.SERVICE_UNAVAILABLE
				&& problem.getHeaders().containsHeader(HttpHeaders.RETRY_AFTER)
				&& this.storeRetryAfterSeconds != STORE_RETRY_AFTER_SECONDS) {
			problem.getHeaders().set(HttpHeaders.RETRY_AFTER, Integer.toString(this.storeRetryAfterSeconds));
			problem.with("retry_after", this.storeRetryAfterSeconds);
		}
		log(exchange.getRequest(), requestId, problem, ex);
		return write(response, requestId, exchange.getRequest().getPath().value(), problem);
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	/**
	 * Turns any failure into a problem.
	 * @param request the request
	 * @param ex the failure
	 * @return the problem
	 */
	static ApiException toProblem(ServerHttpRequest request, Throwable ex) {
		if (ex instanceof ApiException problem) {
			return problem;
		}
		if (ex instanceof StreamNotFoundException) {
			return new ApiException(ErrorCode.RESOURCE_NOT_FOUND, ex.getMessage());
		}
		if (ex instanceof InvalidEventException invalid) {
			return new ApiException(ErrorCode.VALIDATION_ERROR, invalid.getMessage()).with("field", invalid.getField())
				.with("row_index", invalid.getRowIndex());
		}
		if (ex instanceof DataRejectedException rejected) {
			ApiException problem = new ApiException(ErrorCode.DATA_REJECTED, rejected.getMessage());
			return (rejected.getSqlState() != null) ? problem.with("sql_state", rejected.getSqlState()) : problem;
		}
		if (ex instanceof InvalidRequestException) {
			return new ApiException(ErrorCode.INVALID_REQUEST, ex.getMessage());
		}
		if (ex instanceof ReplayLimitException) {
			ApiException problem = new ApiException(ErrorCode.TOO_MANY_REPLAYS, ex.getMessage());
			problem.getHeaders().set(HttpHeaders.RETRY_AFTER, Integer.toString(REPLAY_RETRY_AFTER_SECONDS));
			return problem.with("retry_after", REPLAY_RETRY_AFTER_SECONDS);
		}
		if (ex instanceof StoreException) {
			ApiException problem = new ApiException(ErrorCode.SERVICE_UNAVAILABLE,
					"The stream's database is unavailable; retry later", ex);
			problem.getHeaders().set(HttpHeaders.RETRY_AFTER, Integer.toString(STORE_RETRY_AFTER_SECONDS));
			return problem.with("retry_after", STORE_RETRY_AFTER_SECONDS);
		}
		if (ex instanceof ReadTimeoutException) {
			// Reactor Netty closes the connection right after; the answer tells a client that is still listening why.
			ApiException problem = new ApiException(ErrorCode.REQUEST_TIMEOUT,
					"Request body stopped arriving for longer than the server's read timeout");
			problem.getHeaders().setConnection("close");
			return problem;
		}
		if (ex instanceof DataBufferLimitException) {
			return new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "Request body is too large");
		}
		if (ex instanceof NoResourceFoundException) {
			return new ApiException(ErrorCode.RESOURCE_NOT_FOUND,
					"No endpoint " + request.getMethod() + " " + request.getPath().value());
		}
		if (ex instanceof ErrorResponse framework) {
			int status = framework.getStatusCode().value();
			ErrorCode code = ErrorCode.forStatus(status);
			String detail = (code == ErrorCode.INTERNAL_ERROR || framework.getBody().getDetail() == null)
					? defaultDetail(code) : framework.getBody().getDetail();
			ApiException problem = new ApiException(code, detail, ex);
			problem.getHeaders().putAll(framework.getHeaders());
			return problem;
		}
		return new ApiException(ErrorCode.INTERNAL_ERROR, defaultDetail(ErrorCode.INTERNAL_ERROR), ex);
	}

	private static boolean answeredByCodec(ServerHttpResponse response) {
		if (response.isCommitted()) {
			return false;
		}
		try {
			Object nativeResponse = ServerHttpResponseDecorator.getNativeResponse(response);
			return nativeResponse instanceof HttpServerResponse netty && netty.hasSentHeaders();
		}
		catch (IllegalArgumentException ex) {
			// Not a server response (a mock, say).
			return false;
		}
	}

	private static String defaultDetail(ErrorCode code) {
		return (code.status().is5xxServerError())
				? "The server failed to handle the request; the log holds the details under the request id"
				: code.status().getReasonPhrase();
	}

	private static void log(ServerHttpRequest request, String requestId, ApiException problem, Throwable ex) {
		HttpStatus status = problem.getCode().status();
		if (status.is5xxServerError()) {
			String message = "Request " + requestId + " (" + request.getMethod() + " " + request.getPath().value()
					+ ") failed with " + status.value();
			if (problem.getCode() == ErrorCode.SERVICE_UNAVAILABLE || problem.getCode() == ErrorCode.TOO_MANY_REPLAYS) {
				logger.warn(message + ": " + ex);
			}
			else {
				logger.error(message, ex);
			}
		}
		else if (logger.isDebugEnabled()) {
			logger.debug("Request " + requestId + " answered with " + status.value() + " " + problem.getCode());
		}
	}

	private static Mono<Void> write(ServerHttpResponse response, String requestId, String path,
			ApiException problem) {
		ProblemDetail detail = problem.getBody();
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("type", (detail.getType() != null) ? detail.getType().toString() : "about:blank");
		body.put("title", problem.getCode().status().getReasonPhrase());
		body.put("status", problem.getCode().status().value());
		body.put("detail", detail.getDetail());
		body.put("instance", path);
		body.put("code", problem.getCode().name());
		if (detail.getProperties() != null) {
			body.putAll(detail.getProperties());
		}
		body.put("request_id", requestId);
		byte[] bytes = JSON.writeValueAsBytes(body);
		response.setStatusCode(problem.getCode().status());
		HttpHeaders headers = response.getHeaders();
		headers.putAll(problem.getHeaders());
		headers.remove(HttpHeaders.CONTENT_LENGTH);
		headers.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
		headers.set(RequestIdFilter.HEADER, requestId);
		DataBuffer buffer = response.bufferFactory().wrap(bytes);
		return response.writeWith(Mono.just(buffer));
	}

}
