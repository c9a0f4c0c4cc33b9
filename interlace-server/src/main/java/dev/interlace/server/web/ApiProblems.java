package dev.interlace.server.web;

import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import io.netty.handler.timeout.ReadTimeoutException;

import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.ErrorResponse;
import org.springframework.web.reactive.resource.NoResourceFoundException;
import org.springframework.web.server.MethodNotAllowedException;
import org.springframework.web.server.NotAcceptableStatusException;
import org.springframework.web.server.UnsupportedMediaTypeStatusException;

import dev.interlace.core.DataRejectedException;
import dev.interlace.core.IdempotencyKeyReusedException;
import dev.interlace.core.InvalidEventException;
import dev.interlace.core.InvalidRequestException;
import dev.interlace.core.ReplayLimitException;
import dev.interlace.core.StoreException;
import dev.interlace.core.StreamNotFoundException;
import dev.interlace.core.group.GroupExistsException;
import dev.interlace.core.group.GroupNotFoundException;
import dev.interlace.core.entry.EntriesUnsupportedException;
import dev.interlace.core.group.GroupsUnsupportedException;

/**
 * The one mapping of failures to problems: which {@link ErrorCode} (and so which status), detail, extension members
 * and headers each failure is answered with. {@link ApiExceptionHandler} writes what it returns; endpoints that
 * negotiate content themselves raise the problems of {@link #unsupportedMediaType}, {@link #notAcceptable} and
 * {@link #methodNotAllowed}, which are also what the framework's own 415, 406 and 405 turn into, so that every endpoint
 * answers them alike.
 * <p>
 * A detail never carries an exception's class, stack trace or the message of an unexpected failure: server errors
 * say only that something failed, the log holds the rest.
 *
 * @since 0.1.0
 */
public final class ApiProblems {

	/** Seconds a client is asked to wait after a storage failure, unless configured otherwise. */
	static final int STORE_RETRY_AFTER_SECONDS = 1;

	/** Seconds a subscriber is asked to wait when too many replays run. */
	static final int REPLAY_RETRY_AFTER_SECONDS = 1;

	private static final List<HttpMethod> METHOD_ORDER = List.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST,
			HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE, HttpMethod.OPTIONS);

	private final int storeRetryAfterSeconds;

	/**
	 * Creates the mapping, asking clients to wait {@value #STORE_RETRY_AFTER_SECONDS} second after a storage failure.
	 */
	public ApiProblems() {
		this(Duration.ofSeconds(STORE_RETRY_AFTER_SECONDS));
	}

	/**
	 * Creates the mapping.
	 * @param storeRetryAfter how long a client is asked to wait after a storage failure (such as the circuit
	 * breaker's open duration), rounded up to whole seconds, at least one
	 */
	public ApiProblems(Duration storeRetryAfter) {
		long millis = Math.max(storeRetryAfter.toMillis(), 1);
		this.storeRetryAfterSeconds = (int) Math.min((millis + 999) / 1000, Integer.MAX_VALUE);
	}

	/**
	 * Turns any failure into a problem.
	 * @param request the request that failed
	 * @param ex the failure
	 * @return the problem
	 */
	public ApiException toProblem(ServerHttpRequest request, Throwable ex) {
		if (ex instanceof ApiException problem) {
			return problem;
		}
		if (ex instanceof StreamNotFoundException) {
			return new ApiException(ErrorCode.RESOURCE_NOT_FOUND, ex.getMessage());
		}
		if (ex instanceof GroupNotFoundException missing) {
			return new ApiException(ErrorCode.GROUP_NOT_FOUND, ex.getMessage()).with("stream", missing.getStream())
				.with("group", missing.getGroup());
		}
		if (ex instanceof GroupExistsException exists) {
			return new ApiException(ErrorCode.GROUP_EXISTS, ex.getMessage()).with("stream", exists.getStream())
				.with("group", exists.getGroup());
		}
		if (ex instanceof GroupsUnsupportedException || ex instanceof EntriesUnsupportedException) {
			return new ApiException(ErrorCode.NOT_IMPLEMENTED, ex.getMessage());
		}
		if (ex instanceof InvalidEventException invalid) {
			return new ApiException(ErrorCode.VALIDATION_ERROR, invalid.getMessage()).with("field", invalid.getField())
				.with("row_index", invalid.getRowIndex());
		}
		if (ex instanceof DataRejectedException rejected) {
			ApiException problem = new ApiException(ErrorCode.DATA_REJECTED, rejected.getMessage());
			return (rejected.getSqlState() != null) ? problem.with("sql_state", rejected.getSqlState()) : problem;
		}
		if (ex instanceof IdempotencyKeyReusedException reused) {
			return new ApiException(ErrorCode.IDEMPOTENCY_KEY_REUSED, reused.getMessage());
		}
		if (ex instanceof InvalidRequestException) {
			return new ApiException(ErrorCode.INVALID_REQUEST, ex.getMessage());
		}
		if (ex instanceof ReplayLimitException) {
			return retryAfter(new ApiException(ErrorCode.TOO_MANY_REPLAYS, ex.getMessage()), REPLAY_RETRY_AFTER_SECONDS);
		}
		if (ex instanceof StoreException) {
			return retryAfter(new ApiException(ErrorCode.SERVICE_UNAVAILABLE,
					"The stream's database is unavailable; retry later", ex), this.storeRetryAfterSeconds);
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
		if (ex instanceof UnsupportedMediaTypeStatusException unsupported) {
			return unsupportedMediaType(request.getHeaders(), unsupported.getSupportedMediaTypes());
		}
		if (ex instanceof NotAcceptableStatusException notAcceptable) {
			return notAcceptable(notAcceptable.getSupportedMediaTypes());
		}
		if (ex instanceof MethodNotAllowedException notAllowed) {
			return methodNotAllowed(request.getMethod(), notAllowed.getSupportedMethods());
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

	/**
	 * Returns the problem of a request body whose {@code Content-Type} the endpoint does not read (415), naming the
	 * types it reads, which the {@code Accept} header of the response lists too.
	 * @param request the request's headers
	 * @param accepted the media types the endpoint reads
	 * @return the problem
	 */
	public static ApiException unsupportedMediaType(HttpHeaders request, List<MediaType> accepted) {
		String contentType = request.getFirst(HttpHeaders.CONTENT_TYPE);
		String problem;
		if (contentType == null) {
			problem = "Request has no Content-Type";
		}
		else {
			try {
				problem = "Content-Type '" + MediaType.parseMediaType(contentType) + "' is not supported";
			}
			catch (IllegalArgumentException ex) {
				problem = "Content-Type cannot be parsed";
			}
		}
		ApiException unsupported = new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
				accepted.isEmpty() ? problem : problem + "; send " + MediaType.toString(accepted));
		if (!accepted.isEmpty()) {
			unsupported.getHeaders().setAccept(accepted);
		}
		return unsupported;
	}

	/**
	 * Returns the problem of a request whose {@code Accept} header admits none of the media types the endpoint
	 * answers with (406), naming them; the {@code Accept} header of the response lists them too.
	 * @param produced the media types the endpoint answers with
	 * @return the problem
	 */
	public static ApiException notAcceptable(List<MediaType> produced) {
		ApiException notAcceptable = new ApiException(ErrorCode.NOT_ACCEPTABLE, produced.isEmpty()
				? "The Accept header admits no representation this endpoint answers with"
				: "This endpoint answers with " + MediaType.toString(produced) + ", which the Accept header does not admit");
		if (!produced.isEmpty()) {
			notAcceptable.getHeaders().setAccept(produced);
		}
		return notAcceptable;
	}

	/**
	 * Returns the problem of a method the path does not answer (405), with the methods it does answer in
	 * {@code Allow} (see {@link #allowed(Collection)}).
	 * @param method the method of the request
	 * @param served the methods the path's endpoints serve
	 * @return the problem
	 */
	public static ApiException methodNotAllowed(HttpMethod method, Collection<HttpMethod> served) {
		Set<HttpMethod> allowed = allowed(served);
		ApiException notAllowed = new ApiException(ErrorCode.METHOD_NOT_ALLOWED, "Method " + method
				+ " is not supported here; allowed: "
				+ allowed.stream().map(HttpMethod::name).collect(Collectors.joining(", ")));
		notAllowed.getHeaders().setAllow(allowed);
		return notAllowed;
	}

	/**
	 * Returns every method a path answers given the methods its endpoints serve: those, {@code HEAD} wherever
	 * {@code GET} is served, and {@code OPTIONS}, which every path answers.
	 * @param served the methods the path's endpoints serve
	 * @return the methods for an {@code Allow} header, in the order of RFC 9110's list and then by name
	 */
	public static Set<HttpMethod> allowed(Collection<HttpMethod> served) {
		Set<HttpMethod> allowed = new HashSet<>(served);
		if (allowed.contains(HttpMethod.GET)) {
			allowed.add(HttpMethod.HEAD);
		}
		allowed.add(HttpMethod.OPTIONS);
		return allowed.stream()
			.sorted(Comparator.comparingInt(ApiProblems::rank).thenComparing(HttpMethod::name))
			.collect(Collectors.toCollection(LinkedHashSet::new));
	}

	private static int rank(HttpMethod method) {
		int rank = METHOD_ORDER.indexOf(method);
		return (rank >= 0) ? rank : METHOD_ORDER.size();
	}

	static String defaultDetail(ErrorCode code) {
		return (code.status().is5xxServerError())
				? "The server failed to handle the request; the log holds the details under the request id"
				: code.status().getReasonPhrase();
	}

	private static ApiException retryAfter(ApiException problem, int seconds) {
		problem.getHeaders().set(HttpHeaders.RETRY_AFTER, Integer.toString(seconds));
		return problem.with("retry_after", seconds);
	}

}
