package dev.interlace.autoconfigure;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import javax.sql.DataSource;

import org.assertj.core.api.AbstractThrowableAssert;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the auto-configuration tests read from a context that failed to start, and from the database it left.
 */
final class StartupFailures {

	private StartupFailures() {
	}

	/**
	 * Checks that the context failed on a property with the value given, and returns the failure for further checks
	 * of its message.
	 * @param context the context
	 * @param property the property's name
	 * @param value the value as bound, {@code "null"} for none
	 * @return the root cause
	 */
	static AbstractThrowableAssert<?, ? extends Throwable> assertInvalidProperty(AssertableApplicationContext context,
			String property, String value) {
		return assertThat(context).getFailure()
			.rootCause()
			.isInstanceOfSatisfying(InvalidConfigurationPropertyValueException.class, (ex) -> {
				assertThat(ex.getName()).isEqualTo(property);
				assertThat(String.valueOf(ex.getValue())).isEqualTo(value);
			});
	}

	/**
	 * Returns the messages of the startup failure and of each of its causes, a line each.
	 * @param context the context
	 * @return the messages
	 */
	static String startupFailureMessages(AssertableApplicationContext context) {
		StringBuilder messages = new StringBuilder();
		for (Throwable ex = context.getStartupFailure(); ex != null; ex = ex.getCause()) {
			messages.append(ex.getMessage()).append('\n');
		}
		return messages.toString();
	}

	/**
	 * Counts the rows of a table.
	 * @param dataSource the database
	 * @param table the table, qualified as needed
	 * @return the number of rows
	 * @throws Exception if the query fails
	 */
	static long count(DataSource dataSource, String table) throws Exception {
		try (Connection connection = dataSource.getConnection();
				Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery("SELECT count(*) FROM " + table)) {
			rows.next();
			return rows.getLong(1);
		}
	}

}
