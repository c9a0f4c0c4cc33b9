package dev.interlace.autoconfigure;

/**
 * Thrown at start-up when a connection points at a database Interlace cannot hold streams in yet.
 *
 * @since 0.1.0
 */
public class UnsupportedConnectionException extends RuntimeException {

	private final String description;

	private final String action;

	/**
	 * Creates the exception.
	 * @param description what is unsupported
	 * @param action how to configure a supported connection instead
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
	 * Returns how to configure a supported connection instead.
	 * @return the action
	 */
	public String getAction() {
		return this.action;
	}

}
