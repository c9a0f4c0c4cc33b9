package dev.interlace.core.engine;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;

import org.jspecify.annotations.Nullable;

import dev.interlace.core.FieldType;
import dev.interlace.core.InterlaceException;
import dev.interlace.core.InvalidRequestException;
import dev.interlace.core.RateLimit;
import dev.interlace.core.Retention;
import dev.interlace.core.StoredEvent;
import dev.interlace.core.StreamAuth;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.annotation.Stream;
import dev.interlace.core.store.support.EventConverter;

/**
 * Maps {@link Stream @Stream}-annotated types to stream definitions and their instances to and from events.
 *
 * @since 0.1.0
 */
public final class StreamRecords {

	private StreamRecords() {
	}

	/**
	 * Returns the name of the stream a type declares.
	 * @param type a {@code @Stream}-annotated type
	 * @return the stream name
	 * @throws InvalidRequestException when the type is not annotated
	 */
	public static String streamName(Class<?> type) {
		Stream stream = annotation(type);
		return stream.value().isBlank() ? snakeCase(type.getSimpleName()) : stream.value();
	}

	/**
	 * Builds the definition a type declares.
	 * @param type a {@code @Stream}-annotated type
	 * @param resolver resolves {@code ${...}} placeholders in string attributes
	 * @return the definition
	 */
	public static StreamDefinition definition(Class<?> type, UnaryOperator<String> resolver) {
		Stream stream = annotation(type);
		Map<String, FieldType> fields = new LinkedHashMap<>();
		for (Map.Entry<String, Class<?>> property : properties(type).entrySet()) {
			fields.put(property.getKey(), fieldType(property.getValue()));
		}
		String bearer = resolver.apply(stream.bearerToken());
		String apiKey = resolver.apply(stream.apiKey());
		StreamAuth auth = null;
		if (!bearer.isBlank() && !apiKey.isBlank()) {
			throw new IllegalArgumentException("@Stream on " + type.getName() + " sets both bearerToken and apiKey");
		}
		if (!bearer.isBlank()) {
			auth = new StreamAuth.Bearer(bearer);
		}
		else if (!apiKey.isBlank()) {
			auth = new StreamAuth.ApiKey(resolver.apply(stream.apiKeyHeader()), apiKey);
		}
		return StreamDefinition.builder(streamName(type))
			.schema(blankToNull(resolver.apply(stream.schema())))
			.connection(blankToNull(resolver.apply(stream.connection())))
			.fields(fields)
			.description(resolver.apply(stream.description()))
			.tags(Arrays.stream(stream.tags()).map(resolver).toList())
			.owner(resolver.apply(stream.owner()))
			.validateSchema(stream.validateSchema())
			.schemaEvolution(stream.schemaEvolution())
			.rateLimit((stream.requestsPerSecond() > 0 || stream.perClientRequestsPerSecond() > 0)
					? new RateLimit(Math.max(stream.requestsPerSecond(), RateLimit.NONE),
							Math.max(stream.perClientRequestsPerSecond(), RateLimit.NONE))
					: null)
			.retention((stream.maxAgeDays() > 0 || stream.maxRows() > 0)
					? new Retention((stream.maxAgeDays() > 0) ? stream.maxAgeDays() : null,
							(stream.maxRows() > 0) ? stream.maxRows() : null)
					: null)
			.auth(auth)
			.build();
	}

	/**
	 * Returns an instance's fields as an event, keeping Java values (instants, decimals) as they are.
	 * @param value an instance of a {@code @Stream}-annotated type
	 * @return the event
	 */
	public static Map<String, Object> toEvent(Object value) {
		Class<?> type = value.getClass();
		annotation(type);
		Map<String, Object> event = new LinkedHashMap<>();
		try {
			if (type.isRecord()) {
				for (RecordComponent component : type.getRecordComponents()) {
					component.getAccessor().setAccessible(true);
					event.put(component.getName(), component.getAccessor().invoke(value));
				}
			}
			else {
				for (Field field : instanceFields(type)) {
					field.setAccessible(true);
					event.put(field.getName(), field.get(value));
				}
			}
		}
		catch (ReflectiveOperationException ex) {
			throw new InterlaceException("Cannot read the fields of " + type.getName(), ex);
		}
		return event;
	}

	/**
	 * Converts a stored event to an instance of a type.
	 * @param <T> the type
	 * @param event the event
	 * @param type the type
	 * @return the instance
	 */
	public static <T> T fromEvent(StoredEvent event, Class<T> type) {
		return EventConverter.JSON.convertValue(event.data(), type);
	}

	private static Stream annotation(Class<?> type) {
		Stream stream = type.getAnnotation(Stream.class);
		if (stream == null) {
			throw new InvalidRequestException(type.getName() + " is not annotated with @Stream");
		}
		return stream;
	}

	private static Map<String, Class<?>> properties(Class<?> type) {
		Map<String, Class<?>> properties = new LinkedHashMap<>();
		if (type.isRecord()) {
			for (RecordComponent component : type.getRecordComponents()) {
				properties.put(component.getName(), component.getType());
			}
		}
		else {
			for (Field field : instanceFields(type)) {
				properties.put(field.getName(), field.getType());
			}
		}
		return properties;
	}

	private static List<Field> instanceFields(Class<?> type) {
		List<Field> fields = new ArrayList<>();
		for (Field field : type.getDeclaredFields()) {
			if (!Modifier.isStatic(field.getModifiers()) && !field.isSynthetic()) {
				fields.add(field);
			}
		}
		return fields;
	}

	static FieldType fieldType(Class<?> type) {
		if (type == String.class || type == Character.class || type == char.class || type.isEnum()
				|| type == UUID.class) {
			return FieldType.STRING;
		}
		if (type == int.class || type == Integer.class || type == short.class || type == Short.class
				|| type == byte.class || type == Byte.class) {
			return FieldType.INT32;
		}
		if (type == long.class || type == Long.class) {
			return FieldType.INT64;
		}
		if (type == float.class || type == Float.class) {
			return FieldType.FLOAT32;
		}
		if (type == double.class || type == Double.class) {
			return FieldType.FLOAT64;
		}
		if (type == boolean.class || type == Boolean.class) {
			return FieldType.BOOLEAN;
		}
		if (type == Instant.class || type == OffsetDateTime.class || type == ZonedDateTime.class
				|| type == LocalDateTime.class || type == java.util.Date.class) {
			return FieldType.TIMESTAMP;
		}
		if (type == LocalDate.class) {
			return FieldType.DATE;
		}
		if (type == BigDecimal.class) {
			return FieldType.DECIMAL;
		}
		return FieldType.JSON;
	}

	static String snakeCase(String name) {
		return name.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
	}

	private static @Nullable String blankToNull(String value) {
		return value.isBlank() ? null : value;
	}

}
