package dev.interlace.server.web;

import io.github.resilience4j.ratelimiter.RateLimiterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.reactor.netty.autoconfigure.NettyServerProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

import dev.interlace.autoconfigure.InterlaceProperties;
import dev.interlace.core.Streams;
import dev.interlace.server.InterlaceServerProperties;

/**
 * What every endpoint of the HTTP API shares: request ids, access control (per stream and the admin role) and rate
 * limits, body limits, read timeouts, and the problem-details error handler.
 *
 * @since 0.1.0
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(InterlaceServerProperties.class)
public class WebConfiguration {

	@Bean
	RequestIdFilter requestIdFilter() {
		return new RequestIdFilter();
	}

	@Bean
	@ConditionalOnMissingBean
	RateLimiterRegistry rateLimiterRegistry() {
		return RateLimiterRegistry.ofDefaults();
	}

	@Bean
	StreamAccessFilter streamAccessFilter(Streams streams, RateLimiterRegistry rateLimiters,
			InterlaceServerProperties properties, Environment environment) {
		return new StreamAccessFilter(streams, rateLimiters, properties,
				environment.getProperty("management.endpoints.web.base-path", "/actuator"));
	}

	@Bean
	RequestBodies requestBodies(InterlaceServerProperties properties) {
		return new RequestBodies(properties);
	}

	@Bean
	RequestReadTimeoutCustomizer requestReadTimeoutCustomizer(InterlaceServerProperties properties,
			ObjectProvider<NettyServerProperties> netty) {
		NettyServerProperties nettyProperties = netty.getIfAvailable();
		return new RequestReadTimeoutCustomizer(properties.readTimeout(),
				(nettyProperties != null) ? nettyProperties.getIdleTimeout() : null);
	}

	@Bean
	ApiExceptionHandler apiExceptionHandler(InterlaceProperties interlace) {
		// Clients come back when the breaker lets a trial call through, not before.
		return new ApiExceptionHandler(new ApiProblems(interlace.resilience().circuitBreaker().openDuration()));
	}

}
