package dev.interlace.core.store.support;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.interlace.core.FieldType;
import dev.interlace.core.RateLimit;
import dev.interlace.core.StreamDefinition;

/**
 * The form in which a stream definition is recorded in the registry and shown to clients: every setting except
 * secrets, with snake_case keys.
 *
 * @since 0.1.0
 */
public final class DefinitionDocument {

	private DefinitionDocument() {
	}

	/**
	 * Returns the definition without secrets.
	 * @param definition the definition
	 * @return an ordered map of JSON-friendly values
	 */
	public static Map<String, Object> of(StreamDefinition definition) {
		Map<String, Object> document = new LinkedHashMap<>();
		document.put("name", definition.name());
		document.put("schema", definition.schema());
		document.put("connection", definition.connection());
		document.put("cursor", definition.cursor());
		Map<String, String> fields = new LinkedHashMap<>();
		definition.fields().forEach((field, type) -> fields.put(field, type.typeName()));
		document.put("fields", fields);
		document.put("description", definition.description());
		document.put("tags", definition.tags());
		document.put("owner", definition.owner());
		document.put("validate_schema", definition.validateSchema());
		document.put("auth", (definition.auth() != null) ? Map.of("type", definition.auth().type(), "required", true)
				: null);
		document.put("rate_limit", (definition.rateLimit() != null) ? rateLimit(definition.rateLimit()) : null);
		if (definition.retention() != null) {
			Map<String, Object> retention = new LinkedHashMap<>();
			retention.put("max_age_days", definition.retention().maxAgeDays());
			retention.put("max_rows", definition.retention().maxRows());
			retention.put("keep_unacknowledged", definition.retention().keepUnacknowledged());
			document.put("retention", retention);
		}
		else {
			document.put("retention", null);
		}
		return document;
	}

	/**
	 * Returns field types as type names, for documents.
	 * @param columns the columns
	 * @return name to type name
	 */
	public static Map<String, String> typeNames(Map<String, FieldType> columns) {
		Map<String, String> names = new LinkedHashMap<>();
		columns.forEach((field, type) -> names.put(field, type.typeName()));
		return names;
	}

	private static Map<String, Object> rateLimit(RateLimit limit) {
		// Only the limits set, so that a stream limited in all only keeps the document it always had.
		Map<String, Object> document = new LinkedHashMap<>();
		if (limit.limitsAllClients()) {
			document.put("requests_per_second", limit.requestsPerSecond());
		}
		if (limit.limitsEachClient()) {
			document.put("per_client_requests_per_second", limit.perClientRequestsPerSecond());
		}
		return document;
	}

}
