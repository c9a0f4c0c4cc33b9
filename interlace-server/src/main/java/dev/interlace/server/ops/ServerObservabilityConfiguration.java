package dev.interlace.server.ops;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.interlace.autoconfigure.InterlaceMetrics;
import dev.interlace.autoconfigure.InterlaceStores;
import dev.interlace.core.engine.DefaultStreams;
import dev.interlace.server.web.RequestObservationFilter;

/**
 * Health per store connection, and metrics and request logs of the HTTP API. Request logs are off unless
 * {@code interlace.server.request-log} is {@code true}.
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

	// Named so that the health component is "interlace", with one component per connection below it.
	@Bean
	CompositeHealthContributor interlaceHealthContributor(InterlaceStores stores, DefaultStreams streams) {
		return StoreHealthIndicator.perConnection(stores, streams);
	}

}
