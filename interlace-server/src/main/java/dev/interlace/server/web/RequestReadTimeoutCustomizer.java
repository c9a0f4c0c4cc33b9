package dev.interlace.server.web;

import java.time.Duration;

import org.jspecify.annotations.Nullable;
import reactor.netty.http.server.HttpServer;

import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.util.Assert;

/**
 * Closes the connection of a client that stops sending its request, so that a slow or stalled client cannot hold a
 * connection and its buffers forever. Reactor Netty covers the two halves of a request with two settings:
 * <ul>
 * <li>the body: its read timeout runs from the end of the headers to the end of the body and restarts with every
 * read, so a body that keeps arriving, however slowly, is never cut off;</li>
 * <li>the headers: its idle timeout runs from the moment the connection is open, or its last response ended, until
 * a request's headers are complete, whether or not bytes of them trickle in.</li>
 * </ul>
 * Neither runs once a request has fully arrived, so responses that stream for hours, such as live event streams, are
 * unaffected. A stalled body is answered with 408 by {@link ApiExceptionHandler} just before the connection closes;
 * stalled headers, with no request to answer, only close it. The idle timeout is left to
 * {@code server.netty.idle-timeout} when that is set; else, as Boot's default waits forever, it is the read timeout,
 * which also closes keep-alive connections idle for that long.
 *
 * @since 0.1.0
 */
public final class RequestReadTimeoutCustomizer implements NettyServerCustomizer {

	private final Duration readTimeout;

	private final boolean idleTimeoutSet;

	/**
	 * Creates a customizer.
	 * @param readTimeout longest pause allowed while a request's headers or body are arriving
	 * @param bootIdleTimeout the value of {@code server.netty.idle-timeout}, or {@code null} when it is not set
	 */
	public RequestReadTimeoutCustomizer(Duration readTimeout, @Nullable Duration bootIdleTimeout) {
		Assert.notNull(readTimeout, "'readTimeout' must not be null");
		this.readTimeout = readTimeout;
		this.idleTimeoutSet = bootIdleTimeout != null;
	}

	@Override
	public HttpServer apply(HttpServer server) {
		HttpServer customized = server.readTimeout(this.readTimeout);
		return this.idleTimeoutSet ? customized : customized.idleTimeout(this.readTimeout);
	}

}
