package dev.interlace.server.web;

import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import dev.interlace.autoconfigure.InterlaceMetrics;

/**
 * Observes every request once its response is committed, which covers answers written by the error handler as well:
 * counts the API requests refused before any work ({@value InterlaceMetrics#REQUESTS_REJECTED}, by reason) and, when
 * enabled, logs one line per request with its id, method, path, status and duration. The line carries them as
 * key-value pairs, so with {@code logging.structured.format.console=ecs} it is one JSON object with those fields. No
 * header, query or body is logged.
 *
 * @since 0.1.0
 */
public final class RequestObservationFilter implements WebFilter, Ordered {

	/** Runs right after {@link RequestIdFilter}, so that every request it sees has an id. */
	public static final int ORDER = RequestIdFilter.ORDER + 5;

	private static final Logger logger = LoggerFactory.getLogger("dev.interlace.server.requests");

	private final @Nullable InterlaceMetrics metrics;

	private final boolean log;

	/**
	 * Creates the filter.
	 * @param metrics where rejections are counted, {@code null} for nowhere
	 * @param log whether to log a line per request
	 */
	public RequestObservationFilter(@Nullable InterlaceMetrics metrics, boolean log) {
		this.metrics = metrics;
		this.log = log;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		long start = System.nanoTime();
		exchange.getResponse().beforeCommit(() -> {
			observe(exchange, System.nanoTime() - start);
			return Mono.empty();
		});
		return chain.filter(exchange);
	}

	private void observe(ServerWebExchange exchange, long nanos) {
		ServerHttpRequest request = exchange.getRequest();
		HttpStatusCode status = exchange.getResponse().getStatusCode();
		int code = (status != null) ? status.value() : 200;
		String path = request.getPath().pathWithinApplication().value();
		String reason = rejection(code);
		if (this.metrics != null && reason != null && path.startsWith(StreamAccessFilter.STREAMS_PATH)) {
			this.metrics.rejected(reason);
		}
		if (this.log && logger.isInfoEnabled()) {
			String method = request.getMethod().name();
			long millis = TimeUnit.NANOSECONDS.toMillis(nanos);
			logger.atInfo()
				.addKeyValue("http.request.id", RequestIdFilter.requestId(exchange))
				.addKeyValue("http.request.method", method)
				.addKeyValue("url.path", path)
				.addKeyValue("http.response.status_code", code)
				.addKeyValue("event.duration", nanos)
				.log("{} {} {} {}ms", method, path, code, millis);
		}
	}

	private static @Nullable String rejection(int status) {
		return switch (status) {
			case 400 -> "validation";
			case 401 -> "auth";
			case 413 -> "size";
			case 429 -> "rate";
			default -> null;
		};
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

}
