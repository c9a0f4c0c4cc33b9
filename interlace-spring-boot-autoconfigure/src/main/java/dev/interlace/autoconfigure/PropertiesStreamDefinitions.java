package dev.interlace.autoconfigure;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

import dev.interlace.core.FieldType;
import dev.interlace.core.RateLimit;
import dev.interlace.core.Retention;
import dev.interlace.core.StreamAuth;
import dev.interlace.core.StreamDefinition;

/**
 * Turns {@code interlace.streams.*} properties into stream definitions. Core's records validate themselves; this
 * class runs each check against the property it came from, so start-up fails naming the property to fix.
 */
final class PropertiesStreamDefinitions {

	static final String PREFIX = "interlace.streams.";

	private PropertiesStreamDefinitions() {
	}

	static List<StreamDefinitions.Declaration> declarations(InterlaceProperties properties) {
		List<StreamDefinitions.Declaration> declarations = new ArrayList<>();
		properties.streams().forEach((name, stream) -> declarations
			.add(new StreamDefinitions.Declaration(definition(name, stream), "property " + PREFIX + name)));
		return declarations;
	}

	static StreamDefinition definition(String name, InterlaceProperties.Stream stream) {
		String prefix = PREFIX + name;
		verify(prefix, name, () -> StreamDefinition.requireName(name, "stream name"));
		if (hasText(stream.schema())) {
			verify(prefix + ".schema", stream.schema(), () -> StreamDefinition.requireName(stream.schema(), "schema"));
		}
		if (hasText(stream.cursor()) && !StreamDefinition.DEFAULT_CURSOR.equals(stream.cursor())) {
			throw new InvalidConfigurationPropertyValueException(prefix + ".cursor", stream.cursor(),
					"only '" + StreamDefinition.DEFAULT_CURSOR + "' is supported");
		}
		Map<String, FieldType> fields = fields(prefix + ".fields.", stream.fields());
		if (stream.validateSchema() && fields.isEmpty()) {
			throw new InvalidConfigurationPropertyValueException(prefix + ".validate-schema", true,
					"validate-schema needs declared fields: set " + prefix + ".fields");
		}
		StreamDefinition.Builder builder = StreamDefinition.builder(name)
			.schema(stream.schema())
			.connection(stream.connection())
			.fields(fields)
			.description((stream.description() != null) ? stream.description() : "")
			.tags(stream.tags())
			.owner((stream.owner() != null) ? stream.owner() : "")
			.validateSchema(stream.validateSchema())
			.schemaEvolution(stream.schemaEvolution())
			.auth(auth(prefix + ".auth", stream.auth()))
			.rateLimit(rateLimit(prefix + ".rate-limit", stream.rateLimit()))
			.retention(retention(prefix + ".retention", stream.retention()));
		return check(prefix, name, builder::build);
	}

	private static Map<String, FieldType> fields(String prefix, Map<String, String> declared) {
		Map<String, FieldType> fields = new LinkedHashMap<>();
		declared.forEach((field, type) -> {
			String property = prefix + field;
			verify(property, type, () -> StreamDefinition.requireFieldName(field));
			fields.put(field, check(property, type, () -> FieldType.fromName((type != null) ? type : "")));
		});
		return fields;
	}

	private static @Nullable StreamAuth auth(String prefix, InterlaceProperties.@Nullable Auth auth) {
		if (auth == null) {
			return null;
		}
		String type = (auth.type() != null) ? auth.type().trim().toLowerCase(Locale.ROOT).replace('-', '_') : "";
		return switch (type) {
			case "bearer" -> check(prefix + ".token", auth.token(), () -> new StreamAuth.Bearer(auth.token()));
			case "api_key" -> check(prefix + ".key", auth.key(), () -> new StreamAuth.ApiKey(auth.header(), auth.key()));
			case "" -> {
				if (hasText(auth.token()) || hasText(auth.key())) {
					throw new InvalidConfigurationPropertyValueException(prefix + ".type", null,
							"auth needs a type: bearer or api_key");
				}
				yield null;
			}
			default -> throw new InvalidConfigurationPropertyValueException(prefix + ".type", auth.type(),
					"unknown auth type '" + auth.type() + "'; expected bearer or api_key");
		};
	}

	private static @Nullable RateLimit rateLimit(String prefix, InterlaceProperties.@Nullable RateLimit rateLimit) {
		if (rateLimit == null || (rateLimit.requestsPerSecond() == null && rateLimit.perClientRequestsPerSecond() == null)) {
			return null;
		}
		int requestsPerSecond = (rateLimit.requestsPerSecond() != null) ? rateLimit.requestsPerSecond() : RateLimit.NONE;
		int perClient = (rateLimit.perClientRequestsPerSecond() != null) ? rateLimit.perClientRequestsPerSecond()
				: RateLimit.NONE;
		if (rateLimit.requestsPerSecond() != null) {
			check(prefix + ".requests-per-second", requestsPerSecond, () -> new RateLimit(requestsPerSecond, 1));
		}
		if (rateLimit.perClientRequestsPerSecond() != null) {
			check(prefix + ".per-client-requests-per-second", perClient, () -> new RateLimit(1, perClient));
			if (perClient == RateLimit.NONE) {
				throw new InvalidConfigurationPropertyValueException(prefix + ".per-client-requests-per-second", perClient,
						"per-client-requests-per-second must be positive, was 0");
			}
		}
		return check(prefix + ".requests-per-second", requestsPerSecond, () -> new RateLimit(requestsPerSecond, perClient));
	}

	private static @Nullable Retention retention(String prefix, InterlaceProperties.@Nullable Retention retention) {
		if (retention == null || (retention.maxAgeDays() == null && retention.maxRows() == null)) {
			return null;
		}
		check(prefix + ".max-age-days", retention.maxAgeDays(), () -> new Retention(retention.maxAgeDays(), null));
		check(prefix + ".max-rows", retention.maxRows(), () -> new Retention(null, retention.maxRows()));
		return new Retention(retention.maxAgeDays(), retention.maxRows(), retention.keepUnacknowledged());
	}

	private static void verify(String property, @Nullable Object value, Runnable verification) {
		check(property, value, () -> {
			verification.run();
			return Boolean.TRUE;
		});
	}

	private static <T> T check(String property, @Nullable Object value, Supplier<T> action) {
		try {
			return action.get();
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidConfigurationPropertyValueException(property, value, ex.getMessage());
		}
	}

	private static boolean hasText(@Nullable String value) {
		return value != null && !value.isBlank();
	}

}
