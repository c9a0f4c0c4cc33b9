package dev.interlace.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.PathContainer;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

import dev.interlace.core.RateLimit;
import dev.interlace.core.StreamAuth;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.Streams;

/**
 * Guards the stream data endpoints ({@code POST /api/v1/streams/{name}}, {@code GET .../subscribe},
 * {@code POST .../consume}, {@code POST .../ack}): an unknown stream is answered with 404, then the stream's
 * credentials are checked (401, with {@code WWW-Authenticate} for bearer tokens), then its rate limit (429 with
 * {@code Retry-After}). Other requests pass untouched.
 * <p>
 * Credentials are compared in constant time, on SHA-256 digests so that not even their length leaks; they are never
 * logged or echoed. Each rate-limited stream has a Resilience4j {@link RateLimiter} named after it, allowing
 * {@code requests-per-second} requests per one-second period and never waiting.
 *
 * @since 0.1.0
 */
public final class StreamAccessFilter implements WebFilter, Ordered {

	/** Runs right after {@link RequestIdFilter}. */
	public static final int ORDER = RequestIdFilter.ORDER + 10;

	/** Realm announced in {@code WWW-Authenticate}. */
	static final String REALM = "interlace";

	private static final String BEARER_PREFIX = "bearer ";

	private static final List<Endpoint> ENDPOINTS;

	static {
		PathPatternParser parser = new PathPatternParser();
		ENDPOINTS = List.of(new Endpoint(HttpMethod.POST, parser.parse(StreamsController.BASE_PATH + "/{name}")),
				new Endpoint(HttpMethod.GET, parser.parse(StreamsController.BASE_PATH + "/{name}/subscribe")),
				new Endpoint(HttpMethod.POST, parser.parse(StreamsController.BASE_PATH + "/{name}/consume")),
				new Endpoint(HttpMethod.POST, parser.parse(StreamsController.BASE_PATH + "/{name}/ack")));
	}

	private final Streams streams;

	private final RateLimiterRegistry rateLimiters;

	private final Map<String, byte[]> digests = new ConcurrentHashMap<>();

	/**
	 * Creates the filter.
	 * @param streams the streams, for their definitions
	 * @param rateLimiters where the per-stream rate limiters live
	 */
	public StreamAccessFilter(Streams streams, RateLimiterRegistry rateLimiters) {
		this.streams = streams;
		this.rateLimiters = rateLimiters;
		for (StreamDefinition definition : streams.definitions()) {
			if (definition.rateLimit() != null) {
				rateLimiter(definition.name(), definition.rateLimit());
			}
		}
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		String stream = streamOf(exchange);
		if (stream == null) {
			return chain.filter(exchange);
		}
		return Mono.defer(() -> {
			StreamDefinition definition = this.streams.definition(stream);
			if (definition.auth() != null) {
				checkCredentials(exchange.getRequest().getHeaders(), definition.name(), definition.auth());
			}
			if (definition.rateLimit() != null) {
				checkRate(rateLimiter(definition.name(), definition.rateLimit()), definition.name());
			}
			return chain.filter(exchange);
		});
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	private static @Nullable String streamOf(ServerWebExchange exchange) {
		HttpMethod method = exchange.getRequest().getMethod();
		PathContainer path = exchange.getRequest().getPath().pathWithinApplication();
		for (Endpoint endpoint : ENDPOINTS) {
			if (endpoint.method.equals(method)) {
				PathPattern.PathMatchInfo match = endpoint.pattern.matchAndExtract(path);
				if (match != null) {
					return match.getUriVariables().get("name");
				}
			}
		}
		return null;
	}

	private void checkCredentials(HttpHeaders headers, String stream, StreamAuth auth) {
		if (auth instanceof StreamAuth.Bearer bearer) {
			String token = bearerToken(headers.getFirst(HttpHeaders.AUTHORIZATION));
			if (token == null || !matches(token, stream, bearer.token())) {
				ApiException problem = new ApiException(ErrorCode.UNAUTHORIZED, (token == null)
						? "Stream '" + stream + "' requires a bearer token: send 'Authorization: Bearer <token>'"
						: "The bearer token is not valid for stream '" + stream + "'");
				problem.getHeaders()
					.set(HttpHeaders.WWW_AUTHENTICATE,
							"Bearer realm=\"" + REALM + "\"" + ((token != null) ? ", error=\"invalid_token\"" : ""));
				throw problem;
			}
		}
		else if (auth instanceof StreamAuth.ApiKey apiKey) {
			String key = headers.getFirst(apiKey.header());
			if (key == null || key.isEmpty()) {
				throw new ApiException(ErrorCode.UNAUTHORIZED,
						"Stream '" + stream + "' requires an API key in header '" + apiKey.header() + "'");
			}
			if (!matches(key, stream, apiKey.key())) {
				throw new ApiException(ErrorCode.UNAUTHORIZED, "The API key is not valid for stream '" + stream + "'");
			}
		}
	}

	private static @Nullable String bearerToken(@Nullable String authorization) {
		if (authorization == null || authorization.length() <= BEARER_PREFIX.length()
				|| !authorization.substring(0, BEARER_PREFIX.length()).toLowerCase(Locale.ROOT).equals(BEARER_PREFIX)) {
			return null;
		}
		String token = authorization.substring(BEARER_PREFIX.length()).trim();
		return token.isEmpty() ? null : token;
	}

	private boolean matches(String given, String stream, String expected) {
		byte[] expectedDigest = this.digests.computeIfAbsent(stream, (key) -> sha256(expected));
		return MessageDigest.isEqual(sha256(given), expectedDigest);
	}

	private static byte[] sha256(String value) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is not available", ex);
		}
	}

	private RateLimiter rateLimiter(String stream, RateLimit limit) {
		return this.rateLimiters.rateLimiter(stream, () -> RateLimiterConfig.custom()
			.limitForPeriod(limit.requestsPerSecond())
			.limitRefreshPeriod(Duration.ofSeconds(1))
			.timeoutDuration(Duration.ZERO)
			.build());
	}

	private static void checkRate(RateLimiter limiter, String stream) {
		if (limiter.acquirePermission()) {
			return;
		}
		long retryAfter = retryAfterSeconds(limiter);
		ApiException problem = new ApiException(ErrorCode.RATE_LIMITED, "Stream '" + stream + "' accepts "
				+ limiter.getRateLimiterConfig().getLimitForPeriod() + " requests per second; retry after "
				+ retryAfter + " s");
		problem.getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter));
		throw problem.with("retry_after", retryAfter);
	}

	private static long retryAfterSeconds(RateLimiter limiter) {
		long nanos = (limiter instanceof AtomicRateLimiter atomic) ? atomic.getDetailedMetrics().getNanosToWait()
				: limiter.getRateLimiterConfig().getLimitRefreshPeriod().toNanos();
		return Math.max(1, (nanos + TimeUnit.SECONDS.toNanos(1) - 1) / TimeUnit.SECONDS.toNanos(1));
	}

	private record Endpoint(HttpMethod method, PathPattern pattern) {
	}

}
