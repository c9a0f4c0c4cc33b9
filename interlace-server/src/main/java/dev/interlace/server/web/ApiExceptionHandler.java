package dev.interlace.server.web;

import java.util.LinkedHashMap;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerResponse;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import org.springframework.web.util.DisconnectedClientHelper;

/**
 * Answers every failure of a request, wherever it was raised (controllers, router functions, web filters, the
 * framework's own routing and content negotiation), with an RFC 9457 {@code application/problem+json} document, as
 * {@link ApiProblems} maps the failure: {@code type}, {@code title}, {@code status}, {@code detail}, {@code instance},
 * the extension members {@code code} (an {@link ErrorCode}) and {@code request_id}, plus the members of the failure
 * ({@code field} and {@code row_index} of an invalid event, {@code retry_after} of a rate limit).
 * <p>
 * Ordered before Boot's {@code ErrorWebExceptionHandler}. Server errors are logged with their stack trace under the
 * request id; their response says only that something failed.
 *
 * @since 0.1.0
 */
public final class ApiExceptionHandler implements WebExceptionHandler, Ordered {

	/** Before Boot's error handler, which is at -1. */
	public static final int ORDER = -2;

	private static final Logger logger = LoggerFactory.getLogger(ApiExceptionHandler.class);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final ApiProblems problems;

	/**
	 * Creates the handler with the default {@link ApiProblems}.
	 */
	public ApiExceptionHandler() {
		this(new ApiProblems());
	}

	/**
	 * Creates the handler.
	 * @param problems the mapping of failures to problems
	 */
	public ApiExceptionHandler(ApiProblems problems) {
		this.problems = problems;
	}

	@Override
	public Mono<Void> handle(ServerWebExchange exchange, Throwable ex) {
		ServerHttpResponse response = exchange.getResponse();
		// Nobody to answer when the client left mid-request (passed on, the web handler would log it as a 500), nor
		// when Netty already answered a request it could not decode, such as a malformed chunk, with 400.
		boolean clientLeft = DisconnectedClientHelper.isClientDisconnectedException(ex);
		if (clientLeft || answeredByCodec(response)) {
			logger.debug("Request {} not answered: {} ({})", RequestIdFilter.requestId(exchange),
					clientLeft ? "the client left" : "the HTTP codec answered it", ex.toString());
			return Mono.empty();
		}
		if (response.isCommitted()) {
			return Mono.error(ex);
		}
		String requestId = RequestIdFilter.requestId(exchange);
		ApiException problem = this.problems.toProblem(exchange.getRequest(), ex);
		log(exchange.getRequest(), requestId, problem, ex);
		return write(response, requestId, exchange.getRequest().getPath().value(), problem);
	}

	@Override
	public int getOrder() {
		return ORDER;
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

	private static void log(ServerHttpRequest request, String requestId, ApiException problem, Throwable ex) {
		HttpStatus status = problem.getCode().status();
		if (status.is5xxServerError()) {
			if (problem.getCode() == ErrorCode.SERVICE_UNAVAILABLE || problem.getCode() == ErrorCode.TOO_MANY_REPLAYS) {
				// Expected under load or outage: one line, no stack trace.
				logger.warn("Request {} ({} {}) failed with {}: {}", requestId, request.getMethod(),
						request.getPath().value(), status.value(), ex.toString());
			}
			else {
				logger.error("Request {} ({} {}) failed with {}", requestId, request.getMethod(),
						request.getPath().value(), status.value(), ex);
			}
		}
		else {
			logger.debug("Request {} answered with {} {}", requestId, status.value(), problem.getCode());
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
