package dev.interlace.core;

/**
 * How clients prove they may use a stream's data endpoints. The secrets never leave the server: {@link #type()} is
 * all that is ever shown.
 *
 * @since 0.1.0
 */
public sealed interface StreamAuth {

	/**
	 * Returns the type name shown in stream descriptions: {@code bearer} or {@code api_key}.
	 * @return the type name
	 */
	String type();

	/**
	 * {@code Authorization: Bearer <token>}.
	 *
	 * @param token the expected token
	 */
	record Bearer(String token) implements StreamAuth {

		public Bearer {
			if (token == null || token.isBlank()) {
				throw new IllegalArgumentException("auth.token must not be blank for type bearer");
			}
		}

		@Override
		public String type() {
			return "bearer";
		}

		@Override
		public String toString() {
			return "Bearer[token=******]";
		}

	}

	/**
	 * A key in a request header, {@code X-API-Key} unless configured otherwise.
	 *
	 * @param header the header carrying the key
	 * @param key the expected key
	 */
	record ApiKey(String header, String key) implements StreamAuth {

		/** Header used when none is configured. */
		public static final String DEFAULT_HEADER = "X-API-Key";

		public ApiKey {
			if (header == null || header.isBlank()) {
				header = DEFAULT_HEADER;
			}
			if (key == null || key.isBlank()) {
				throw new IllegalArgumentException("auth.key must not be blank for type api_key");
			}
		}

		@Override
		public String type() {
			return "api_key";
		}

		@Override
		public String toString() {
			return "ApiKey[header=" + this.header + ", key=******]";
		}

	}

}
