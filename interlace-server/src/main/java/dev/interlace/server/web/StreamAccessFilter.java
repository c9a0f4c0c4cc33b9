package dev.interlace.server.web;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.PathContainer;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

import dev.interlace.core.RateLimit;
import dev.interlace.core.StreamAuth;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.Streams;
import dev.interlace.server.InterlaceServerProperties;

/**
 * Guards every request, failing closed.
 * <p>
 * Under a stream's path ({@code /api/v1/streams/{name}} and everything below it), whatever the method and before
 * routing decides between a handler, 404 and 405: an unknown stream is answered with 404, then the stream's
 * credentials are checked (401, with {@code WWW-Authenticate} for bearer tokens), then the stream's rate limits (429
 * with {@code Retry-After}), first the client's own, then that of all clients. Describing a stream
 * ({@code GET}/{@code HEAD} on the stream's own path) also accepts the admin token, and needs it for a stream without
 * credentials once an admin token is set. Administering a stream's consumer groups (creating and destroying groups,
 * setting their position, deleting consumers, redriving dead letters) and deleting or trimming its entries need the
 * admin token once one is set, and only it: the stream's own credentials are answered with 403, since they open
 * reading and publishing the stream's data only.
 * <p>
 * A read of several streams ({@value #MULTI_STREAM_READ_PATH}, any method) names its streams in its {@code streams}
 * query parameters: it is guarded as a request under each of them (404, 401, 429 as above, for every stream named,
 * before any is read), so one request's credentials must open every stream it reads; one that names no stream
 * is administrative.
 * <p>
 * Every other path is administrative: with an admin token set it needs {@code Authorization: Bearer <admin-token>}
 * (401 without), except the health endpoint and its liveness and readiness probes. Later administrative endpoints
 * are covered by this rule without being listed. A request bearing the valid admin token is marked as admin: the
 * exchange's principal is set, the attribute {@link #ADMIN_ATTRIBUTE} is {@code true}, and the actuator sees an
 * authenticated security context, so that {@code management.endpoint.health.show-details=when-authorized} shows
 * details to the admin only. Without an admin token every request is marked as admin, which keeps everything open.
 * <p>
 * Credentials are compared in constant time, on SHA-256 digests so that not even their length leaks; they are never
 * logged or echoed. Wrong credentials (sent but not matching; missing ones do not count) are counted per client
 * address: an address over the limit gets 429 with {@code Retry-After} on every request needing credentials until its
 * window ends, even with the right ones. Each stream limited in all has a Resilience4j {@link RateLimiter} named after
 * it, each client of a stream limited per client one of its own, all allowing their requests per one-second period
 * and never waiting. The client is the remote address as the request reports it
 * ({@link ServerHttpRequest#getRemoteAddress()}, which follows forwarded headers only when
 * {@code server.forward-headers-strategy} says so). The state per address is held in caches of bounded size.
 *
 * @since 0.1.0
 */
public final class StreamAccessFilter implements WebFilter, Ordered {

	/** Runs right after {@link RequestIdFilter}. */
	public static final int ORDER = RequestIdFilter.ORDER + 10;

	/** Path under which every stream lives; everything under a stream's own path is guarded as the stream's. */
	public static final String STREAMS_PATH = "/api/v1/streams";

	/** Path of reads of several streams, which name their streams in the {@code streams} query parameter. */
	public static final String MULTI_STREAM_READ_PATH = "/api/v1/entries";

	/** Exchange attribute set to {@code true} on requests made with the admin role. */
	public static final String ADMIN_ATTRIBUTE = StreamAccessFilter.class.getName() + ".admin";

	/** Realm announced in {@code WWW-Authenticate}. */
	static final String REALM = "interlace";

	private static final Logger logger = LoggerFactory.getLogger(StreamAccessFilter.class);

	private static final String BEARER_PREFIX = "bearer ";

	/** Most streams one read of several streams names, as the engine allows. */
	private static final int MAX_STREAMS_PER_READ = dev.interlace.core.entry.StreamEntries.MAX_STREAMS;

	private static final String ADMIN_DIGEST_KEY = "\u0000admin";

	// Authenticated, without authorities: Boot's "when-authorized" needs a principal and no role unless configured.
	private static final Authentication ADMIN = UsernamePasswordAuthenticationToken.authenticated("admin", null,
			AuthorityUtils.NO_AUTHORITIES);

	private static final PathPattern STREAM;

	private static final PathPattern UNDER_STREAM;

	/** Group administration: the paths and methods that need the admin role besides the stream's credentials. */
	private static final Map<PathPattern, HttpMethod> GROUP_ADMINISTRATION;

	private static final PathPattern MULTI_STREAM_READ;

	static {
		PathPatternParser parser = new PathPatternParser();
		STREAM = parser.parse(STREAMS_PATH + "/{name}");
		UNDER_STREAM = parser.parse(STREAMS_PATH + "/{name}/**");
		String groups = STREAMS_PATH + "/{name}/groups";
		String entries = STREAMS_PATH + "/{name}/entries";
		GROUP_ADMINISTRATION = Map.of(parser.parse(groups), HttpMethod.POST, parser.parse(groups + "/{group}"),
				HttpMethod.DELETE, parser.parse(groups + "/{group}/position"), HttpMethod.PUT,
				parser.parse(groups + "/{group}/consumers/{consumer}"), HttpMethod.DELETE,
				parser.parse(groups + "/{group}/dead-letters/redrive"), HttpMethod.POST, parser.parse(entries),
				HttpMethod.DELETE, parser.parse(entries + "/delete"), HttpMethod.POST, parser.parse(entries + "/trim"),
				HttpMethod.POST);
		MULTI_STREAM_READ = parser.parse(MULTI_STREAM_READ_PATH);
	}

	private final Streams streams;

	private final RateLimiterRegistry rateLimiters;

	private final @Nullable String adminToken;

	private final List<PathPattern> openPaths;

	private final PathPattern management;

	private final int maxFailures;

	private final long failureWindowNanos;

	private final Cache<String, Failures> failures;

	private final Cache<String, RateLimiter> clientLimiters;

	private final Map<String, byte[]> digests = new ConcurrentHashMap<>();

	/**
	 * Creates the filter.
	 * @param streams the streams, for their definitions
	 * @param rateLimiters where the per-stream rate limiters live
	 * @param properties the server's settings: admin token, limit of failed credentials, tracked clients
	 * @param managementBasePath base path of the actuator's web endpoints
	 */
	public StreamAccessFilter(Streams streams, RateLimiterRegistry rateLimiters, InterlaceServerProperties properties,
			String managementBasePath) {
		this.streams = streams;
		this.rateLimiters = rateLimiters;
		this.adminToken = properties.adminToken();
		PathPatternParser parser = new PathPatternParser();
		String base = managementBasePath.endsWith("/")
				? managementBasePath.substring(0, managementBasePath.length() - 1) : managementBasePath;
		this.openPaths = List.of(parser.parse(base + "/health"), parser.parse(base + "/health/liveness"),
				parser.parse(base + "/health/readiness"), parser.parse("/livez"), parser.parse("/readyz"));
		this.management = parser.parse(base.isEmpty() ? "/**" : base + "/**");
		this.maxFailures = properties.authFailureLimit().maxFailures();
		Duration window = properties.authFailureLimit().window();
		this.failureWindowNanos = window.toNanos();
		this.failures = Caffeine.newBuilder()
			.maximumSize(properties.maxTrackedClients())
			.expireAfterWrite(window)
			.build();
		// A limiter idle for longer than its one-second period is full again: dropping it then loses nothing.
		this.clientLimiters = Caffeine.newBuilder()
			.maximumSize(properties.maxTrackedClients())
			.expireAfterAccess(Duration.ofSeconds(10))
			.build();
		for (StreamDefinition definition : streams.definitions()) {
			if (definition.rateLimit() != null && definition.rateLimit().limitsAllClients()) {
				rateLimiter(definition.name(), definition.rateLimit());
			}
		}
		if (this.adminToken == null) {
			List<String> protectedStreams = streams.definitions()
				.stream()
				.filter((definition) -> definition.auth() != null)
				.map(StreamDefinition::name)
				.toList();
			if (!protectedStreams.isEmpty()) {
				logger.warn("interlace.server.admin-token is not set: listing streams, metrics (which name the "
						+ "consumers of protected streams) and health details are open to anyone, although streams {} "
						+ "require credentials", protectedStreams);
			}
		}
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		PathContainer path = exchange.getRequest().getPath().pathWithinApplication();
		PathPattern.PathMatchInfo stream = STREAM.matchAndExtract(path);
		boolean describe = stream != null && isRead(exchange.getRequest().getMethod());
		if (stream == null) {
			stream = UNDER_STREAM.matchAndExtract(path);
		}
		if (stream != null) {
			String name = stream.getUriVariables().get("name");
			boolean administer = isGroupAdministration(exchange.getRequest().getMethod(), path);
			return Mono.defer(() -> streamRequest(exchange, chain, name, describe, administer));
		}
		if (MULTI_STREAM_READ.matches(path) && namesStreams(exchange)) {
			return Mono.defer(() -> multiStreamRequest(exchange, chain));
		}
		if (this.adminToken == null) {
			return this.management.matches(path) ? admitted(exchange, chain) : chain.filter(exchange);
		}
		return Mono.defer(() -> {
			boolean open = this.openPaths.stream().anyMatch((pattern) -> pattern.matches(path));
			String authorization = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
			if (open && authorization == null) {
				return chain.filter(exchange);
			}
			requireAdmin(exchange);
			return admitted(exchange, chain);
		});
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	/**
	 * Guards a read of several streams as a request under each of them: every stream named (in any number of
	 * {@code streams} parameters, comma-separated) must exist, be opened by the request's credentials and be within
	 * its rate limits, checked before the first byte of any is read. A request that names none is guarded as an
	 * administrative one (and then refused by the endpoint), so that nothing on this path is ever unguarded.
	 */
	private Mono<Void> multiStreamRequest(ServerWebExchange exchange, WebFilterChain chain) {
		List<String> values = exchange.getRequest().getQueryParams().get("streams");
		Set<String> names = new LinkedHashSet<>();
		if (values != null) {
			for (String value : values) {
				for (String name : value.split(",", -1)) {
					names.add(name.trim());
				}
			}
		}
		names.remove("");
		if (names.size() > MAX_STREAMS_PER_READ) {
			throw new ApiException(ErrorCode.INVALID_REQUEST,
					"A read names at most " + MAX_STREAMS_PER_READ + " streams, was given " + names.size());
		}
		for (String name : names) {
			this.streams.definition(name);
		}
		for (String name : names) {
			checkStream(exchange, name, false, false);
		}
		return chain.filter(exchange);
	}

	private static boolean namesStreams(ServerWebExchange exchange) {
		List<String> values = exchange.getRequest().getQueryParams().get("streams");
		return values != null && values.stream().anyMatch((value) -> !value.replace(",", "").isBlank());
	}

	private Mono<Void> streamRequest(ServerWebExchange exchange, WebFilterChain chain, String name, boolean describe,
			boolean administer) {
		return checkStream(exchange, name, describe, administer) ? admitted(exchange, chain) : chain.filter(exchange);
	}

	/** Checks a request's access to a stream; returns whether it was made with the admin role. */
	private boolean checkStream(ServerWebExchange exchange, String name, boolean describe, boolean administer) {
		StreamDefinition definition = this.streams.definition(name);
		StreamAuth auth = definition.auth();
		boolean admin = false;
		if (administer && this.adminToken != null) {
			requireAdminToAdminister(exchange, definition.name(), auth);
			admin = true;
		}
		if (describe && this.adminToken != null) {
			String token = bearerToken(exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION));
			if (token != null && matches(token, ADMIN_DIGEST_KEY, this.adminToken)) {
				checkNotBlocked(clientOf(exchange.getRequest()));
				admin = true;
			}
			else if (auth == null) {
				requireAdmin(exchange);
				admin = true;
			}
		}
		if (!admin && auth != null) {
			String client = clientOf(exchange.getRequest());
			checkNotBlocked(client);
			checkCredentials(exchange.getRequest().getHeaders(), client, definition.name(), auth);
		}
		RateLimit limit = definition.rateLimit();
		if (limit != null) {
			if (limit.limitsEachClient()) {
				checkClientRate(definition.name(), limit, clientOf(exchange.getRequest()));
			}
			if (limit.limitsAllClients()) {
				checkRate(rateLimiter(definition.name(), limit), definition.name());
			}
		}
		return admin;
	}

	private static boolean isGroupAdministration(HttpMethod method, PathContainer path) {
		for (Map.Entry<PathPattern, HttpMethod> administration : GROUP_ADMINISTRATION.entrySet()) {
			if (administration.getValue().equals(method) && administration.getKey().matches(path)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Admits group administration with the admin token only: the stream's own credentials, which read and write its
	 * data, are answered with 403, anything else with 401.
	 */
	private void requireAdminToAdminister(ServerWebExchange exchange, String stream, @Nullable StreamAuth auth) {
		String adminToken = this.adminToken;
		if (adminToken == null) {
			return;
		}
		HttpHeaders headers = exchange.getRequest().getHeaders();
		String client = clientOf(exchange.getRequest());
		checkNotBlocked(client);
		String token = bearerToken(headers.getFirst(HttpHeaders.AUTHORIZATION));
		if (token != null && matches(token, ADMIN_DIGEST_KEY, adminToken)) {
			return;
		}
		if (auth != null && hasCredentials(headers, stream, auth)) {
			throw new ApiException(ErrorCode.FORBIDDEN, "Administering stream '" + stream
					+ "' (its consumer groups, deleting or trimming its entries) needs the admin token; the stream's "
					+ "credentials give access to reading and publishing its data only");
		}
		if (token != null) {
			failed(client);
		}
		throw unauthorized((token == null)
				? "Administering consumer groups and deleting or trimming entries requires the admin token: send "
						+ "'Authorization: Bearer <admin token>'"
				: "The bearer token is not the admin token", token != null);
	}

	private boolean hasCredentials(HttpHeaders headers, String stream, StreamAuth auth) {
		if (auth instanceof StreamAuth.Bearer bearer) {
			String token = bearerToken(headers.getFirst(HttpHeaders.AUTHORIZATION));
			return token != null && matches(token, stream, bearer.token());
		}
		if (auth instanceof StreamAuth.ApiKey apiKey) {
			String key = headers.getFirst(apiKey.header());
			return key != null && !key.isEmpty() && matches(key, stream, apiKey.key());
		}
		return false;
	}

	private static boolean isRead(HttpMethod method) {
		return HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method);
	}

	private Mono<Void> admitted(ServerWebExchange exchange, WebFilterChain chain) {
		ServerWebExchange admin = exchange.mutate().principal(Mono.just(ADMIN)).build();
		admin.getAttributes().put(ADMIN_ATTRIBUTE, Boolean.TRUE);
		return chain.filter(admin).contextWrite(ReactiveSecurityContextHolder.withAuthentication(ADMIN));
	}

	private void requireAdmin(ServerWebExchange exchange) {
		String adminToken = this.adminToken;
		if (adminToken == null) {
			return;
		}
		String client = clientOf(exchange.getRequest());
		checkNotBlocked(client);
		String token = bearerToken(exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION));
		if (token == null || !matches(token, ADMIN_DIGEST_KEY, adminToken)) {
			if (token != null) {
				failed(client);
			}
			throw unauthorized((token == null)
					? "This endpoint requires the admin token: send 'Authorization: Bearer <admin token>'"
					: "The bearer token is not the admin token", token != null);
		}
	}

	private void checkCredentials(HttpHeaders headers, String client, String stream, StreamAuth auth) {
		if (auth instanceof StreamAuth.Bearer bearer) {
			String token = bearerToken(headers.getFirst(HttpHeaders.AUTHORIZATION));
			if (token == null || !matches(token, stream, bearer.token())) {
				if (token != null) {
					failed(client);
				}
				throw unauthorized((token == null)
						? "Stream '" + stream + "' requires a bearer token: send 'Authorization: Bearer <token>'"
						: "The bearer token is not valid for stream '" + stream + "'", token != null);
			}
		}
		else if (auth instanceof StreamAuth.ApiKey apiKey) {
			String key = headers.getFirst(apiKey.header());
			if (key == null || key.isEmpty()) {
				throw new ApiException(ErrorCode.UNAUTHORIZED,
						"Stream '" + stream + "' requires an API key in header '" + apiKey.header() + "'");
			}
			if (!matches(key, stream, apiKey.key())) {
				failed(client);
				throw new ApiException(ErrorCode.UNAUTHORIZED, "The API key is not valid for stream '" + stream + "'");
			}
		}
	}

	private static ApiException unauthorized(String detail, boolean invalidToken) {
		ApiException problem = new ApiException(ErrorCode.UNAUTHORIZED, detail);
		problem.getHeaders()
			.set(HttpHeaders.WWW_AUTHENTICATE,
					"Bearer realm=\"" + REALM + "\"" + (invalidToken ? ", error=\"invalid_token\"" : ""));
		return problem;
	}

	private static @Nullable String bearerToken(@Nullable String authorization) {
		if (authorization == null || authorization.length() <= BEARER_PREFIX.length()
				|| !authorization.substring(0, BEARER_PREFIX.length()).toLowerCase(Locale.ROOT).equals(BEARER_PREFIX)) {
			return null;
		}
		String token = authorization.substring(BEARER_PREFIX.length()).trim();
		return token.isEmpty() ? null : token;
	}

	private boolean matches(String given, String key, String expected) {
		byte[] expectedDigest = this.digests.computeIfAbsent(key, (name) -> sha256(expected));
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

	/**
	 * Returns the client a request comes from: the remote address as the request reports it.
	 * @param request the request
	 * @return the address, or {@code "unknown"}
	 */
	static String clientOf(ServerHttpRequest request) {
		InetSocketAddress remote = request.getRemoteAddress();
		if (remote == null) {
			return "unknown";
		}
		InetAddress address = remote.getAddress();
		return (address != null) ? address.getHostAddress() : remote.getHostString();
	}

	private void failed(String client) {
		long now = System.nanoTime();
		this.failures.asMap()
			.compute(client, (key, failures) -> (failures == null || failures.endedBy(now, this.failureWindowNanos))
					? new Failures(now, 1) : new Failures(failures.start, failures.count + 1));
	}

	private void checkNotBlocked(String client) {
		Failures failures = this.failures.getIfPresent(client);
		if (failures == null || failures.count < this.maxFailures) {
			return;
		}
		long left = failures.start + this.failureWindowNanos - System.nanoTime();
		if (left <= 0) {
			return;
		}
		long retryAfter = seconds(left);
		ApiException problem = new ApiException(ErrorCode.RATE_LIMITED, "Too many failed credential checks from "
				+ "this address (" + failures.count + "); retry after " + retryAfter + " s");
		problem.getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter));
		throw problem.with("retry_after", retryAfter);
	}

	/**
	 * Number of addresses whose failures are remembered, for tests of its bound.
	 * @return the addresses remembered
	 */
	public long trackedFailures() {
		this.failures.cleanUp();
		return this.failures.estimatedSize();
	}

	/**
	 * Number of per-client rate limiters remembered, for tests of their bound.
	 * @return the limiters remembered
	 */
	public long trackedClientLimiters() {
		this.clientLimiters.cleanUp();
		return this.clientLimiters.estimatedSize();
	}

	private RateLimiter rateLimiter(String stream, RateLimit limit) {
		return this.rateLimiters.rateLimiter(stream, () -> config(limit.requestsPerSecond()));
	}

	private void checkClientRate(String stream, RateLimit limit, String client) {
		// Not in the registry: one limiter per client would grow it, and its metrics, without bound.
		RateLimiter limiter = this.clientLimiters.get(stream + '\u0000' + client,
				(key) -> RateLimiter.of(stream + " per client", config(limit.perClientRequestsPerSecond())));
		if (limiter.acquirePermission()) {
			return;
		}
		long retryAfter = retryAfterSeconds(limiter);
		ApiException problem = new ApiException(ErrorCode.RATE_LIMITED, "Stream '" + stream + "' accepts "
				+ limit.perClientRequestsPerSecond() + " requests per second per client; retry after " + retryAfter
				+ " s");
		problem.getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter));
		throw problem.with("retry_after", retryAfter);
	}

	private static RateLimiterConfig config(int requestsPerSecond) {
		return RateLimiterConfig.custom()
			.limitForPeriod(requestsPerSecond)
			.limitRefreshPeriod(Duration.ofSeconds(1))
			.timeoutDuration(Duration.ZERO)
			.build();
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
		return seconds(nanos);
	}

	private static long seconds(long nanos) {
		return Math.max(1, (nanos + TimeUnit.SECONDS.toNanos(1) - 1) / TimeUnit.SECONDS.toNanos(1));
	}

	/** Failed credential checks of one address in the window that started at {@code start}. */
	private record Failures(long start, int count) {

		boolean endedBy(long now, long windowNanos) {
			return now - this.start >= windowNanos;
		}

	}

}
