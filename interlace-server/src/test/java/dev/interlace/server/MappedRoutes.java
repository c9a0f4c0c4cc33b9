package dev.interlace.server;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import reactor.core.publisher.Mono;

import org.springframework.context.ApplicationContext;
import org.springframework.core.io.Resource;
import org.springframework.http.HttpMethod;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.RequestPredicate;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.support.RouterFunctionMapping;
import org.springframework.web.reactive.result.method.RequestMappingInfo;
import org.springframework.web.reactive.result.method.RequestMappingInfoHandlerMapping;
import org.springframework.web.util.pattern.PathPattern;

/**
 * Every route an application maps, read from its handler mappings: the annotated and actuator mappings' request
 * mapping infos and the router functions' predicates. Walking these rather than a hand-kept list makes tests cover
 * endpoints added later.
 */
final class MappedRoutes {

	/** Every method a client can send that the tests try on each route. */
	static final List<HttpMethod> METHODS = List.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST, HttpMethod.PUT,
			HttpMethod.PATCH, HttpMethod.DELETE, HttpMethod.OPTIONS, HttpMethod.TRACE);

	private MappedRoutes() {
	}

	/**
	 * One mapped path pattern.
	 * @param pattern the path pattern as mapped
	 * @param methods the methods it is mapped for, empty for every method
	 * @param source the mapping that maps it
	 */
	record Route(String pattern, Set<HttpMethod> methods, String source) {

		/**
		 * Returns a concrete path matching the pattern: the stream variable {@code name} replaced by the stream
		 * given, every other variable and wildcard by {@code x}.
		 */
		String path(String stream) {
			return this.pattern.replace("{name}", stream)
				.replaceAll("\\{\\*[^}]+}", "x")
				.replaceAll("\\{[^}]+}", "x")
				.replace("**", "x")
				.replace("*", "x");
		}

		boolean isUnder(String prefix) {
			return this.pattern.equals(prefix) || this.pattern.startsWith(prefix + "/");
		}

		/** The methods to expect success with: the mapped ones, or GET for a route mapped for every method. */
		Set<HttpMethod> mappedMethods() {
			return this.methods.isEmpty() ? Set.of(HttpMethod.GET) : this.methods;
		}

	}

	static List<Route> of(ApplicationContext context) {
		List<Route> routes = new ArrayList<>();
		context.getBeansOfType(RequestMappingInfoHandlerMapping.class).forEach((name, mapping) -> {
			for (RequestMappingInfo info : mapping.getHandlerMethods().keySet()) {
				Set<HttpMethod> methods = new LinkedHashSet<>();
				for (RequestMethod method : info.getMethodsCondition().getMethods()) {
					methods.add(method.asHttpMethod());
				}
				for (PathPattern pattern : info.getPatternsCondition().getPatterns()) {
					routes.add(new Route(pattern.getPatternString(), methods, name));
				}
			}
		});
		context.getBeansOfType(RouterFunctionMapping.class).forEach((name, mapping) -> {
			RouterFunction<?> function = mapping.getRouterFunction();
			if (function != null) {
				function.accept(new RouteCollector(name, routes));
			}
		});
		return routes;
	}

	/** Collects a router function's routes: their paths (nested ones joined) and methods. */
	private static final class RouteCollector implements RouterFunctions.Visitor {

		private final String source;

		private final List<Route> routes;

		private final Deque<String> prefixes = new ArrayDeque<>();

		RouteCollector(String source, List<Route> routes) {
			this.source = source;
			this.routes = routes;
		}

		@Override
		public void startNested(RequestPredicate predicate) {
			PredicateCollector collector = collect(predicate);
			this.prefixes.push(prefix() + ((collector.path != null) ? collector.path : ""));
		}

		@Override
		public void endNested(RequestPredicate predicate) {
			this.prefixes.pop();
		}

		@Override
		public void route(RequestPredicate predicate, HandlerFunction<?> handlerFunction) {
			PredicateCollector collector = collect(predicate);
			if (collector.path == null && this.prefixes.isEmpty()) {
				throw new IllegalStateException("A route of " + this.source + " has no path: " + predicate);
			}
			this.routes.add(new Route(prefix() + ((collector.path != null) ? collector.path : ""), collector.methods,
					this.source));
		}

		@Override
		public void resources(Function<ServerRequest, Mono<Resource>> lookupFunction) {
			throw new IllegalStateException("Resource routes of " + this.source + " are not walked: " + lookupFunction);
		}

		@Override
		public void attributes(Map<String, Object> attributes) {
		}

		@Override
		public void unknown(RouterFunction<?> routerFunction) {
			throw new IllegalStateException("A router function of " + this.source + " cannot be walked: " + routerFunction);
		}

		private String prefix() {
			return this.prefixes.isEmpty() ? "" : this.prefixes.peek();
		}

		private static PredicateCollector collect(RequestPredicate predicate) {
			PredicateCollector collector = new PredicateCollector();
			predicate.accept(collector);
			return collector;
		}

	}

	/** The path and methods of a predicate; predicates on anything else only narrow a route and are skipped. */
	private static final class PredicateCollector implements RequestPredicates.Visitor {

		String path;

		final Set<HttpMethod> methods = new LinkedHashSet<>();

		@Override
		public void method(Set<HttpMethod> methods) {
			this.methods.addAll(methods);
		}

		@Override
		public void path(String pattern) {
			this.path = pattern;
		}

		@Override
		public void pathExtension(String extension) {
		}

		@Override
		public void header(String name, String value) {
		}

		@Override
		public void queryParam(String name, String value) {
		}

		@Override
		public void version(String version) {
		}

		@Override
		public void startAnd() {
		}

		@Override
		public void and() {
		}

		@Override
		public void endAnd() {
		}

		@Override
		public void startOr() {
		}

		@Override
		public void or() {
		}

		@Override
		public void endOr() {
		}

		@Override
		public void startNegate() {
		}

		@Override
		public void endNegate() {
		}

		@Override
		public void unknown(RequestPredicate predicate) {
		}

	}

}
