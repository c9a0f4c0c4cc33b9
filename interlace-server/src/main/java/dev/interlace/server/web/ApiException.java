package dev.interlace.server.web;

import org.jspecify.annotations.Nullable;

import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * A failure the API answers with a problem of a known {@link ErrorCode}. Raise it from controllers, router functions
 * or filters; {@link ApiExceptionHandler} writes it as {@code application/problem+json}. {@link ApiProblems} turns
 * every other failure into one. Extra members go in {@link #with(String, Object)}, extra response headers in
 * {@link #getHeaders()}.
 *
 * @since 0.1.0
 */
public class ApiException extends ErrorResponseException {

	private final ErrorCode code;

	/**
	 * Creates a problem.
	 * @param code the code, which also gives the status
	 * @param detail what went wrong, for the client: never secrets nor internals
	 */
	public ApiException(ErrorCode code, String detail) {
		this(code, detail, null);
	}

	/**
	 * Creates a problem with a cause, which is logged at most, never shown.
	 * @param code the code, which also gives the status
	 * @param detail what went wrong, for the client: never secrets nor internals
	 * @param cause the cause
	 */
	public ApiException(ErrorCode code, String detail, @Nullable Throwable cause) {
		super(code.status(), ProblemDetail.forStatusAndDetail(code.status(), detail), cause);
		this.code = code;
	}

	/**
	 * Adds an extension member to the problem.
	 * @param name the member name, snake_case
	 * @param value the value
	 * @return this exception
	 */
	public ApiException with(String name, @Nullable Object value) {
		getBody().setProperty(name, value);
		return this;
	}

	/**
	 * Returns the problem's code.
	 * @return the code
	 */
	public ErrorCode getCode() {
		return this.code;
	}

	@Override
	public String getMessage() {
		return this.code + ": " + getBody().getDetail();
	}

}
