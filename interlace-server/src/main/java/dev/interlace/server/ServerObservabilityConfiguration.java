package dev.interlace.server;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.interlace.autoconfigure.InterlaceMetrics;

/**
 * Metrics and request logs of the HTTP API. Request logs are off unless {@code interlace.server.request-log} is
 * {@code true}.
 *
 * @since 0.1.0
 */
@Configuration(proxyBeanMethods = false)
public class ServerObservabilityConfiguration {

	@Bean
	RequestObservationFilter requestObservationFilter(ObjectProvider<InterlaceMetrics> metrics,
			@Value("${interlace.server.request-log:false}") boolean log) {
		return new RequestObservationFilter(metrics.getIfAvailable(), log);
	}

}
