package dev.interlace.server.streams;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The streams API's functional routes: publishing, the hot path (see {@link StreamsController#publishRoute()}).
 *
 * @since 0.1.0
 */
@Configuration(proxyBeanMethods = false)
public class StreamsRoutes {

	@Bean
	RouterFunction<ServerResponse> publishRoute(StreamsController controller) {
		return controller.publishRoute();
	}

}
