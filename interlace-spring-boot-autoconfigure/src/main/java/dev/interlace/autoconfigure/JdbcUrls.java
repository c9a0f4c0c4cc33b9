package dev.interlace.autoconfigure;

/**
 * JDBC URLs as shown in messages and logs: without the parts that may carry credentials.
 */
final class JdbcUrls {

	static final String DUCKDB_PREFIX = "jdbc:duckdb:";

	static final String POSTGRESQL_PREFIX = "jdbc:postgresql:";

	private JdbcUrls() {
	}

	/**
	 * Cuts the parameters (after {@code ?} or {@code ;}) and any {@code user:password@} of a URL.
	 * @param url the URL
	 * @return the URL, safe to show
	 */
	static String redact(String url) {
		String shown = withoutParameters(url);
		int authority = shown.indexOf("//");
		int at = shown.lastIndexOf('@');
		if (authority >= 0 && at > authority) {
			shown = shown.substring(0, authority + 2) + shown.substring(at + 1);
		}
		return shown;
	}

	/**
	 * Cuts the parameters of a URL.
	 * @param url the URL
	 * @return the URL up to its first {@code ?} or {@code ;}
	 */
	static String withoutParameters(String url) {
		int end = url.length();
		for (char separator : new char[] { '?', ';' }) {
			int index = url.indexOf(separator);
			if (index >= 0 && index < end) {
				end = index;
			}
		}
		return url.substring(0, end);
	}

}
