package dev.interlace.autoconfigure;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

import dev.interlace.core.StreamDefinition;

/**
 * Every stream the application declares, each with the place that declares it: a property such as
 * {@code interlace.streams.orders} or a {@link dev.interlace.core.annotation.Stream @Stream} class.
 *
 * @since 0.1.0
 */
public final class StreamDefinitions {

	private final Map<String, Declaration> declarations;

	/**
	 * Collects declarations, refusing a stream name declared twice.
	 * @param declarations the declarations
	 * @throws IllegalStateException naming both places when a stream is declared twice
	 */
	public StreamDefinitions(Collection<Declaration> declarations) {
		Assert.notNull(declarations, "'declarations' must not be null");
		Map<String, Declaration> byName = new LinkedHashMap<>();
		for (Declaration declaration : declarations) {
			Declaration previous = byName.putIfAbsent(declaration.definition().name(), declaration);
			if (previous != null) {
				throw new IllegalStateException("Stream '" + declaration.definition().name()
						+ "' is declared twice: by " + previous.source() + " and by " + declaration.source());
			}
		}
		this.declarations = Collections.unmodifiableMap(byName);
	}

	/**
	 * Returns the definitions in declaration order: properties first, then {@code @Stream} classes.
	 * @return the definitions
	 */
	public List<StreamDefinition> definitions() {
		return this.declarations.values().stream().map(Declaration::definition).toList();
	}

	/**
	 * Returns the declarations in declaration order.
	 * @return the declarations
	 */
	public Collection<Declaration> declarations() {
		return this.declarations.values();
	}

	/**
	 * Returns the declaration of a stream.
	 * @param stream the stream name
	 * @return the declaration, or {@code null} when no such stream is declared
	 */
	public @Nullable Declaration declaration(String stream) {
		return this.declarations.get(stream);
	}

	/**
	 * A stream definition and where it comes from.
	 *
	 * @param definition the definition
	 * @param source the declaring place, phrased to follow "by", e.g. {@code property interlace.streams.orders} or
	 * {@code @Stream on com.example.OrderPlaced}
	 */
	public record Declaration(StreamDefinition definition, String source) {

		public Declaration {
			Assert.notNull(definition, "'definition' must not be null");
			Assert.hasText(source, "'source' must not be empty");
		}

	}

}
