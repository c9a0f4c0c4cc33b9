package dev.interlace.benchmarks;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.config.EnableWebFlux;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.adapter.WebHttpHandlerBuilder;

/**
 * The floor under the server's single-event publish throughput: an HTTP server that answers
 * {@code POST /api/v1/streams/{name}} as the server does (reads the JSON body, answers 202 with a small JSON document)
 * but stores nothing. Whatever this answers per second on a machine, the server cannot beat with the same stack.
 * <p>
 * Usage: {@code java -cp benchmarks.jar dev.interlace.benchmarks.HttpFloor <stack> [port]}, then the same wrk load as
 * {@code benchmarks/load/run.sh single} against it. Stacks, each adding a layer of the server's:
 * <ul>
 * <li>{@code netty}: Reactor Netty alone, the body read as bytes and not parsed;</li>
 * <li>{@code functional}: Spring WebFlux with a router function (how the server maps publishes), Jackson both
 * ways;</li>
 * <li>{@code annotated}: Spring WebFlux with an annotated controller (how the server maps its other endpoints);</li>
 * <li>{@code functional-observed} and {@code annotated-observed}: the same with the Micrometer observation of every
 * request that Spring Boot's actuator installs (the {@code http.server.requests} timer).</li>
 * </ul>
 */
public final class HttpFloor {

	private static final String PATH = "/api/v1/streams/{name}";

	private HttpFloor() {
	}

	public static void main(String[] args) {
		String stack = (args.length > 0) ? args[0] : "functional";
		int port = (args.length > 1) ? Integer.parseInt(args[1]) : 18090;
		DisposableServer server = switch (stack) {
			case "netty" -> netty(port);
			case "functional" -> webFlux(port, FunctionalEndpoint.class, false);
			case "functional-observed" -> webFlux(port, FunctionalEndpoint.class, true);
			case "annotated" -> webFlux(port, AnnotatedEndpoint.class, false);
			case "annotated-observed" -> webFlux(port, AnnotatedEndpoint.class, true);
			default -> throw new IllegalArgumentException("Unknown stack '" + stack
					+ "'; one of netty, functional, functional-observed, annotated, annotated-observed");
		};
		System.out.println("HttpFloor (" + stack + ") listening on port " + server.port());
		server.onDispose().block();
	}

	private static DisposableServer netty(int port) {
		return HttpServer.create()
			.port(port)
			.route((routes) -> routes.post(PATH,
					(request, response) -> request.receive()
						.aggregate()
						.then(response.status(202)
							.header("Content-Type", "application/json")
							.sendString(Mono.fromSupplier(() -> "{\"status\":\"accepted\",\"stream\":\""
									+ request.param("name") + "\",\"rows_received\":1,\"publish_id\":\""
									+ UUID.randomUUID() + "\"}"))
							.then())))
			.bindNow();
	}

	private static DisposableServer webFlux(int port, Class<?> endpoint, boolean observed) {
		AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(WebFluxSetup.class,
				endpoint);
		WebHttpHandlerBuilder builder = WebHttpHandlerBuilder.applicationContext(context);
		if (observed) {
			ObservationRegistry observations = ObservationRegistry.create();
			observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(new SimpleMeterRegistry()));
			builder.observationRegistry(observations);
		}
		HttpHandler handler = builder.build();
		return HttpServer.create().port(port).handle(new ReactorHttpHandlerAdapter(handler)).bindNow();
	}

	static Map<String, Object> accepted(String stream) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("status", "accepted");
		body.put("stream", stream);
		body.put("rows_received", 1);
		body.put("publish_id", UUID.randomUUID().toString());
		return body;
	}

	@Configuration(proxyBeanMethods = false)
	@EnableWebFlux
	static class WebFluxSetup {

	}

	@Configuration(proxyBeanMethods = false)
	static class FunctionalEndpoint {

		@Bean
		RouterFunction<ServerResponse> publish() {
			return RouterFunctions.route()
				.POST(PATH, (request) -> request.bodyToMono(Map.class)
					.flatMap((event) -> ServerResponse.status(HttpStatus.ACCEPTED)
						.contentType(MediaType.APPLICATION_JSON)
						.bodyValue(accepted(request.pathVariable("name")))))
				.build();
		}

	}

	@RestController
	static class AnnotatedEndpoint {

		@PostMapping(PATH)
		Mono<ResponseEntity<Map<String, Object>>> publish(@PathVariable("name") String name,
				@RequestBody Mono<Map<String, Object>> event) {
			return event.map((body) -> ResponseEntity.status(HttpStatus.ACCEPTED).body(accepted(name)));
		}

	}

}
