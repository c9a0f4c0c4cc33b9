package dev.interlace.autoconfigure;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.ConfigurationCondition;
import org.springframework.core.type.AnnotatedTypeMetadata;

import dev.interlace.core.store.ConsumerGroupStore;
import dev.interlace.core.store.StreamStore;
import dev.interlace.core.store.duckdb.DuckDbStreamStore;
import dev.interlace.core.store.postgres.PostgresStreamStore;

/**
 * Matches when the stores Interlace runs on keep consumer groups: an application's own {@link StreamStore} bean when
 * it is a {@link ConsumerGroupStore}, else Interlace's DuckDB and PostgreSQL stores. Decided from types, before any
 * store is opened.
 */
final class OnConsumerGroupStoreCondition extends SpringBootCondition implements ConfigurationCondition {

	@Override
	public ConfigurationPhase getConfigurationPhase() {
		return ConfigurationPhase.REGISTER_BEAN;
	}

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		ConfigurableListableBeanFactory beanFactory = context.getBeanFactory();
		String[] names = (beanFactory != null) ? beanFactory.getBeanNamesForType(StreamStore.class, true, false)
				: new String[0];
		if (names.length == 0) {
			boolean builtIn = ConsumerGroupStore.class.isAssignableFrom(DuckDbStreamStore.class)
					&& ConsumerGroupStore.class.isAssignableFrom(PostgresStreamStore.class);
			return builtIn ? ConditionOutcome.match("Interlace's stores keep consumer groups")
					: ConditionOutcome.noMatch("Interlace's stores keep no consumer groups");
		}
		Class<?> type = beanFactory.getType(names[0], false);
		if (type != null && ConsumerGroupStore.class.isAssignableFrom(type)) {
			return ConditionOutcome.match("StreamStore bean '" + names[0] + "' is a ConsumerGroupStore");
		}
		return ConditionOutcome.noMatch("StreamStore bean '" + names[0] + "' is no ConsumerGroupStore");
	}

}
