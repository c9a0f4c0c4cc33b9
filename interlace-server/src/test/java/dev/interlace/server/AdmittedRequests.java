package dev.interlace.server;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import reactor.core.publisher.Mono;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import dev.interlace.server.web.StreamAccessFilter;

/**
 * Records every request that got past {@link StreamAccessFilter}, so that a test can show a refused request never
 * reached a handler (no replay, no subscription, nothing stored).
 */
final class AdmittedRequests implements WebFilter, Ordered {

	private final List<String> admitted = new CopyOnWriteArrayList<>();

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		this.admitted.add(exchange.getRequest().getMethod() + " " + exchange.getRequest().getPath().value());
		return chain.filter(exchange);
	}

	@Override
	public int getOrder() {
		return StreamAccessFilter.ORDER + 1;
	}

	/** Requests admitted whose path contains the text given. */
	List<String> to(String path) {
		return this.admitted.stream().filter((request) -> request.contains(path)).toList();
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class Configuration {

		@Bean
		AdmittedRequests admittedRequests() {
			return new AdmittedRequests();
		}

	}

}
