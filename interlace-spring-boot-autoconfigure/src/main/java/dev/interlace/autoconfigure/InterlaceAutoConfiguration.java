package dev.interlace.autoconfigure;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

import reactor.core.scheduler.Schedulers;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ResourceLoader;

import dev.interlace.core.SchemaLimits;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.Streams;
import dev.interlace.core.group.ConsumerGroups;
import dev.interlace.core.engine.DefaultConsumerGroups;
import dev.interlace.core.engine.DefaultStreamEntries;
import dev.interlace.core.entry.StreamEntries;
import dev.interlace.core.engine.DefaultStreams;
import dev.interlace.core.engine.RetentionTask;
import dev.interlace.core.store.StreamStore;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} of Interlace: the streams
 * declared in {@code interlace.streams.*} and by {@link dev.interlace.core.annotation.Stream @Stream} classes, the
 * stores of {@code interlace.connections.*}, the {@link Streams} API over them, and the {@link ConsumerGroups} API
 * when the stores keep consumer groups, with the groups of {@code interlace.streams.<name>.groups.*} created, and the
 * {@link StreamEntries} API of entries by ID.
 * <p>
 * Runs after the DataSource auto-configuration because the application's {@link DataSource}, when it is DuckDB or
 * PostgreSQL, is the default connection.
 *
 * @since 0.1.0
 */
@AutoConfiguration(afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@ConditionalOnClass(DefaultStreams.class)
@EnableConfigurationProperties(InterlaceProperties.class)
public final class InterlaceAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	StreamDefinitions interlaceStreamDefinitions(InterlaceProperties properties, BeanFactory beanFactory,
			Environment environment, ResourceLoader resourceLoader) {
		List<StreamDefinitions.Declaration> declarations = new ArrayList<>(
				PropertiesStreamDefinitions.declarations(properties));
		declarations.addAll(new StreamRecordScanner(beanFactory, environment, resourceLoader).declarations());
		return new StreamDefinitions(declarations);
	}

	// An application's own Streams needs none of Interlace's stores: open no database for it.
	@Bean
	@ConditionalOnMissingBean({ InterlaceStores.class, Streams.class })
	InterlaceStores interlaceStores(InterlaceProperties properties, ObjectProvider<StreamStore> applicationStore,
			ObjectProvider<DataSource> dataSource, ResourceLoader resourceLoader) {
		StreamStore store = applicationStore.getIfAvailable();
		return InterlaceStoresFactory.create(properties, store, (store != null) ? null : dataSource.getIfUnique(),
				resourceLoader.getClassLoader());
	}

	// Bean type Streams, not DefaultStreams: any application Streams, whatever its class, replaces this one.
	@Bean
	@ConditionalOnMissingBean(Streams.class)
	DefaultStreams interlaceStreams(InterlaceProperties properties, StreamDefinitions definitions,
			InterlaceStores stores) {
		if (properties.subscriberBufferSize() < 1) {
			throw new InvalidConfigurationPropertyValueException("interlace.subscriber-buffer-size",
					properties.subscriberBufferSize(), "must be positive");
		}
		for (StreamDefinitions.Declaration declaration : definitions.declarations()) {
			requireConnection(declaration, stores);
		}
		SchemaLimits limits = properties.limits().schemaLimits();
		List<StreamDefinition> limited = definitions.definitions()
			.stream()
			.map((definition) -> (definition.schemaLimits() != null) ? definition
					: definition.toBuilder().schemaLimits(limits).build())
			.toList();
		DefaultStreams streams = new DefaultStreams(limited, stores.asMap(), properties.subscriberBufferSize(),
				Schedulers.boundedElastic(), properties.resilience().readRetry(), properties.consume().byteBudget(),
				properties.replay().concurrencyLimit(), properties.consume().consumerLimit());
		configureIdempotency(properties, streams);
		return streams;
	}

	private static void configureIdempotency(InterlaceProperties properties, DefaultStreams streams) {
		properties.streams().forEach((name, stream) -> {
			Duration window = (stream.idempotency() != null) ? stream.idempotency().window() : null;
			if (window == null) {
				return;
			}
			if (window.isNegative() || window.isZero()) {
				throw new InvalidConfigurationPropertyValueException(
						PropertiesStreamDefinitions.PREFIX + name + ".idempotency.window", window, "must be positive");
			}
			streams.idempotencyWindow(name, window);
		});
	}

	// Created with the streams, so that groups declared in configuration exist before anything reads them.
	@Bean
	@ConditionalOnMissingBean(ConsumerGroups.class)
	@ConditionalOnBean(DefaultStreams.class)
	@Conditional(OnConsumerGroupStoreCondition.class)
	DefaultConsumerGroups interlaceConsumerGroups(InterlaceProperties properties, DefaultStreams streams) {
		DefaultConsumerGroups groups = new DefaultConsumerGroups(streams);
		for (PropertiesConsumerGroups.Declaration declaration : PropertiesConsumerGroups.declarations(properties)) {
			if (!groups.streamsWithGroups().contains(declaration.stream())) {
				throw new InvalidConfigurationPropertyValueException(declaration.property(), declaration.group(),
						"stream '" + declaration.stream() + "' is held by a store that keeps no consumer groups");
			}
			groups.blocking()
				.createGroupIfMissing(declaration.stream(), declaration.group(), declaration.start(),
						declaration.settings());
		}
		return groups;
	}

	@Bean
	@ConditionalOnMissingBean(StreamEntries.class)
	@ConditionalOnBean(DefaultStreams.class)
	DefaultStreamEntries interlaceStreamEntries(DefaultStreams streams) {
		return new DefaultStreamEntries(streams);
	}

	// Runs on a daemon thread of its own, never on an event loop; closed (stopped) with the context.
	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = "interlace.retention.enabled", matchIfMissing = true)
	@ConditionalOnBean(DefaultStreams.class)
	RetentionTask interlaceRetentionTask(InterlaceProperties properties, DefaultStreams streams) {
		InterlaceProperties.RetentionSchedule schedule = properties.retention();
		if (schedule.batchSize() < 1) {
			throw new InvalidConfigurationPropertyValueException("interlace.retention.batch-size",
					schedule.batchSize(), "must be positive");
		}
		if (schedule.interval().isNegative() || schedule.interval().isZero()) {
			throw new InvalidConfigurationPropertyValueException("interlace.retention.interval",
					schedule.interval(), "must be positive");
		}
		return new RetentionTask(streams.definitions(), streams::store, schedule.batchSize(), Clock.systemUTC())
			.deleteExpiredIdempotencyKeysOf(streams)
			.start(schedule.interval());
	}

	private static void requireConnection(StreamDefinitions.Declaration declaration, InterlaceStores stores) {
		StreamDefinition definition = declaration.definition();
		if (stores.get(definition.connection()) != null) {
			return;
		}
		String reason = "no connection '" + definition.connection() + "' is configured (configured: "
				+ stores.asMap().keySet() + "); set " + InterlaceStoresFactory.PREFIX + definition.connection()
				+ ".url (PostgreSQL) or .path (DuckDB)";
		if (declaration.source().startsWith("property ")) {
			throw new InvalidConfigurationPropertyValueException(
					PropertiesStreamDefinitions.PREFIX + definition.name() + ".connection", definition.connection(),
					reason);
		}
		throw new IllegalStateException(
				"Stream '" + definition.name() + "' declared by " + declaration.source() + " names " + reason);
	}

}
