package dev.interlace.server.streams;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

import dev.interlace.autoconfigure.InterlaceMetrics;
import dev.interlace.core.Streams;
import dev.interlace.server.web.RequestBodies;

/**
 * The streams API's functional routes: a stream's own path, {@code /api/v1/streams/{name}}, for every method but the
 * {@code GET} and {@code HEAD} that describe the stream ({@link StreamsController}). Publishing is the hot path of the
 * API, and a router function skips the annotated mapping's condition matching, argument resolution and result
 * handling: on this project's 2-core benchmark machine, with the request observation on, an empty router function
 * answered about twice as many requests a second as an empty annotated endpoint. So no annotated mapping publishes,
 * and the route answers a wrong content type, {@code Accept} header or method itself ({@link PublishHandler}).
 *
 * @since 0.1.0
 */
@Configuration(proxyBeanMethods = false)
public class StreamsRoutes {

	/** A stream's own path. */
	static final String STREAM_PATH = StreamsController.BASE_PATH + "/{name}";

	@Bean
	RouterFunction<ServerResponse> publishRoute(Streams streams, RequestBodies bodies,
			ObjectProvider<InterlaceMetrics> metrics) {
		PublishHandler handler = new PublishHandler(streams, bodies, metrics.getIfAvailable());
		return RouterFunctions.route()
			.POST(STREAM_PATH, handler::publish)
			.OPTIONS(STREAM_PATH, handler::options)
			.route(RequestPredicates.path(STREAM_PATH)
				.and(RequestPredicates.methods(HttpMethod.GET, HttpMethod.HEAD).negate()), handler::methodNotAllowed)
			.build();
	}

}
