package dev.interlace.server.web;

import org.springframework.http.HttpStatus;

/**
 * The {@code code} member of every problem the API answers with, and the HTTP status it goes with.
 *
 * @since 0.1.0
 */
public enum ErrorCode {

	/** No such stream or endpoint. */
	RESOURCE_NOT_FOUND(HttpStatus.NOT_FOUND),

	/** An event of a publish cannot be stored; the problem names the row index and, where one is at fault, the field. */
	VALIDATION_ERROR(HttpStatus.BAD_REQUEST),

	/** The request as a whole is unusable: malformed JSON, a missing or out-of-range member. */
	INVALID_REQUEST(HttpStatus.BAD_REQUEST),

	/** Missing or wrong credentials for a protected stream. */
	UNAUTHORIZED(HttpStatus.UNAUTHORIZED),

	/** Credentials that are valid but do not open this endpoint, such as a stream's on group administration. */
	FORBIDDEN(HttpStatus.FORBIDDEN),

	/** The stream has no consumer group of the name given (Redis' {@code NOGROUP}). */
	GROUP_NOT_FOUND(HttpStatus.NOT_FOUND),

	/** A consumer group of that name exists already (Redis' {@code BUSYGROUP}). */
	GROUP_EXISTS(HttpStatus.CONFLICT),

	/** The stream's store lacks what the endpoint needs, such as consumer groups. */
	NOT_IMPLEMENTED(HttpStatus.NOT_IMPLEMENTED),

	/** The stream's rate limit is exhausted; the problem says when to retry. */
	RATE_LIMITED(HttpStatus.TOO_MANY_REQUESTS),

	/** The request body stopped arriving for longer than {@code interlace.server.read-timeout}. */
	REQUEST_TIMEOUT(HttpStatus.REQUEST_TIMEOUT),

	/** The request body exceeds {@code interlace.server.max-body-size}. */
	PAYLOAD_TOO_LARGE(HttpStatus.CONTENT_TOO_LARGE),

	/** The request body is not JSON. */
	UNSUPPORTED_MEDIA_TYPE(HttpStatus.UNSUPPORTED_MEDIA_TYPE),

	/** The endpoint exists but not with this method. */
	METHOD_NOT_ALLOWED(HttpStatus.METHOD_NOT_ALLOWED),

	/** The client accepts no media type the endpoint produces. */
	NOT_ACCEPTABLE(HttpStatus.NOT_ACCEPTABLE),

	/**
	 * The database refused the request's data although Interlace's checks passed: a constraint added to the table
	 * by hand, a value the column cannot hold, one of the database's own limits such as PostgreSQL's 1,600 columns.
	 * The problem gives the database's reason and {@code sql_state} where the database has one; sending the same
	 * request again fails again.
	 */
	DATA_REJECTED(HttpStatus.UNPROCESSABLE_CONTENT),

	/**
	 * A publish repeated an {@code Idempotency-Key} stored within the stream's window, but with other events: the key
	 * is taken, nothing is stored. Sending the original events again is answered with the original result.
	 */
	IDEMPOTENCY_KEY_REUSED(HttpStatus.UNPROCESSABLE_CONTENT),

	/** The database failed; the request may be retried. */
	SERVICE_UNAVAILABLE(HttpStatus.SERVICE_UNAVAILABLE),

	/**
	 * As many replays as {@code interlace.replay.max-concurrent} allows are running; the subscription may be retried
	 * after {@code Retry-After}.
	 */
	TOO_MANY_REPLAYS(HttpStatus.SERVICE_UNAVAILABLE),

	/** Anything else; details are in the server log under the request id, never in the response. */
	INTERNAL_ERROR(HttpStatus.INTERNAL_SERVER_ERROR);

	private final HttpStatus status;

	ErrorCode(HttpStatus status) {
		this.status = status;
	}

	/**
	 * Returns the HTTP status answered with this code.
	 * @return the status
	 */
	public HttpStatus status() {
		return this.status;
	}

	/**
	 * Returns the code for a status raised by the framework itself.
	 * @param status the status
	 * @return the code
	 */
	public static ErrorCode forStatus(int status) {
		for (ErrorCode code : values()) {
			if (code != VALIDATION_ERROR && code != DATA_REJECTED && code != IDEMPOTENCY_KEY_REUSED
					&& code != TOO_MANY_REPLAYS && code != GROUP_NOT_FOUND && code != GROUP_EXISTS
					&& code.status.value() == status) {
				return code;
			}
		}
		return (status >= 400 && status < 500) ? INVALID_REQUEST : INTERNAL_ERROR;
	}

}
