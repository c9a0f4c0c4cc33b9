package dev.interlace.server.web;

import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import dev.interlace.core.store.support.PublishIds;

/**
 * Gives every request an id: the client's {@value #HEADER} when it is sane (1 to 128 letters, digits and
 * {@code . _ : -}), else a random UUID. The id is echoed in the {@value #HEADER} response header, kept in the
 * {@link #ATTRIBUTE} exchange attribute for the error handler and other filters, and quoted in every problem.
 *
 * @since 0.1.0
 */
public final class RequestIdFilter implements WebFilter, Ordered {

	/** Request and response header carrying the id. */
	public static final String HEADER = "X-Request-ID";

	/** Exchange attribute holding the id as a {@link String}. */
	public static final String ATTRIBUTE = RequestIdFilter.class.getName() + ".requestId";

	/** Runs before every other filter, so that their problems carry the id too. */
	public static final int ORDER = Ordered.HIGHEST_PRECEDENCE;

	private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		String requestId = requestId(exchange);
		exchange.getResponse().getHeaders().set(HEADER, requestId);
		return chain.filter(exchange);
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	/**
	 * Returns the exchange's request id, assigning one if this filter has not run yet.
	 * @param exchange the exchange
	 * @return the id
	 */
	public static String requestId(ServerWebExchange exchange) {
		String requestId = exchange.getAttribute(ATTRIBUTE);
		if (requestId == null) {
			requestId = sane(exchange.getRequest().getHeaders().getFirst(HEADER));
			if (requestId == null) {
				// A version 7 UUID: time-ordered, and no lock on a shared secure random source per request.
				requestId = PublishIds.next().toString();
			}
			exchange.getAttributes().put(ATTRIBUTE, requestId);
		}
		return requestId;
	}

	private static @Nullable String sane(@Nullable String candidate) {
		return (candidate != null && SANE.matcher(candidate).matches()) ? candidate : null;
	}

}
