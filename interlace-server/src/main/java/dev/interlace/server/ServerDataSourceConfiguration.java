package dev.interlace.server;

import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.StringUtils;

/**
 * Boot's DataSource auto-configuration, only when {@code spring.datasource.url} is set: then the server keeps its
 * streams in that database (PostgreSQL, or DuckDB). Without a URL, Boot's auto-configuration would fail the start-up
 * ("'url' attribute is not specified", as HikariCP is on the class path and no embedded database it knows is),
 * while the server is meant to start on its embedded DuckDB file with nothing set. The application therefore
 * excludes the auto-configuration and imports it here.
 *
 * @since 0.1.0
 */
@Configuration(proxyBeanMethods = false)
@Conditional(ServerDataSourceConfiguration.OnDataSourceUrlCondition.class)
@Import(DataSourceAutoConfiguration.class)
public class ServerDataSourceConfiguration {

	static final String URL_PROPERTY = "spring.datasource.url";

	/**
	 * Matches when {@code spring.datasource.url} has text.
	 */
	static class OnDataSourceUrlCondition extends SpringBootCondition {

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			ConditionMessage.Builder message = ConditionMessage.forCondition("Server DataSource");
			if (StringUtils.hasText(context.getEnvironment().getProperty(URL_PROPERTY))) {
				return ConditionOutcome.match(message.found("property").items(URL_PROPERTY));
			}
			return ConditionOutcome.noMatch(message.didNotFind("property").items(URL_PROPERTY));
		}

	}

}
