package dev.interlace.core.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a stream whose rows are described by the annotated record: each record component is a field, typed from
 * its Java type ({@code String} string, {@code int} int32, {@code long} int64, {@code float} float32, {@code double}
 * float64, {@code boolean} boolean, {@code Instant}/{@code OffsetDateTime} timestamp, {@code LocalDate} date,
 * {@code BigDecimal} decimal, anything else json).
 * <p>
 * String attributes may hold {@code ${...}} placeholders, resolved against the environment, so secrets stay out of
 * code.
 *
 * @since 0.1.0
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Stream {

	/**
	 * Stream name; defaults to the class's simple name in snake case ({@code OrderPlaced} -> {@code order_placed}).
	 * @return the name
	 */
	String value() default "";

	/**
	 * Database schema of the stream's table; empty for the default.
	 * @return the schema
	 */
	String schema() default "";

	/**
	 * Named connection holding the stream; empty for the default.
	 * @return the connection
	 */
	String connection() default "";

	/**
	 * Free text shown in listings.
	 * @return the description
	 */
	String description() default "";

	/**
	 * Labels used to filter listings.
	 * @return the tags
	 */
	String[] tags() default {};

	/**
	 * Team or person answering for the stream.
	 * @return the owner
	 */
	String owner() default "";

	/**
	 * Whether events must match the record's components exactly.
	 * @return whether to validate
	 */
	boolean validateSchema() default false;

	/**
	 * Whether keys without a column become new columns. When not, such keys are rejected, while the record's fields
	 * stay optional (unlike {@link #validateSchema()}, which also requires every field and exact JSON types).
	 * @return whether the schema evolves
	 */
	boolean schemaEvolution() default true;

	/**
	 * Rows older than this many days are deleted; 0 keeps them.
	 * @return the maximum age
	 */
	int maxAgeDays() default 0;

	/**
	 * Only the newest this many rows are kept; 0 keeps all.
	 * @return the maximum row count
	 */
	long maxRows() default 0;

	/**
	 * Requests per second accepted on data endpoints; 0 for no limit.
	 * @return the rate
	 */
	int requestsPerSecond() default 0;

	/**
	 * Requests per second accepted on data endpoints from each client (remote address); 0 for no limit.
	 * @return the rate per client
	 */
	int perClientRequestsPerSecond() default 0;

	/**
	 * Bearer token required on data endpoints; empty for none. Use a placeholder such as {@code ${ORDERS_TOKEN}}.
	 * @return the token
	 */
	String bearerToken() default "";

	/**
	 * API key required on data endpoints; empty for none. Use a placeholder.
	 * @return the key
	 */
	String apiKey() default "";

	/**
	 * Header carrying {@link #apiKey()}.
	 * @return the header name
	 */
	String apiKeyHeader() default "X-API-Key";

}
