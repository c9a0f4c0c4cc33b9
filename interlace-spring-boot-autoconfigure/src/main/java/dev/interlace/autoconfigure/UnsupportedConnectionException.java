package dev.interlace.autoconfigure;

/**
 * Thrown at start-up when a connection points at a database Interlace cannot hold streams in, or when the class path
 * lacks what its database needs (such as the PostgreSQL driver).
 *
 * @since 0.1.0
 */
public class UnsupportedConnectionException extends RuntimeException {

	private final String description;

	private final String action;

	/**
	 * Creates the exception.
	 * @param description what is unsupported
	 * @param action how to fix it
	 */
	public UnsupportedConnectionException(String description, String action) {
		super(description + " " + action);
		this.description = description;
		this.action = action;
	}

	/**
	 * Returns what is unsupported.
	 * @return the description
	 */
	public String getDescription() {
		return this.description;
	}

	/**
	 * Returns how to fix it.
	 * @return the action
	 */
	public String getAction() {
		return this.action;
	}

}
