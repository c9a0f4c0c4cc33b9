package dev.interlace.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.annotation.AnnotatedBeanDefinition;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfigurationPackages;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ResourceLoader;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.util.ClassUtils;

import dev.interlace.core.InterlaceException;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.annotation.Stream;
import dev.interlace.core.engine.StreamRecords;

/**
 * Finds {@link Stream @Stream} classes in the application's packages and among its beans, and builds their
 * definitions with {@code ${...}} placeholders resolved against the environment.
 */
final class StreamRecordScanner {

	private final BeanFactory beanFactory;

	private final Environment environment;

	private final ResourceLoader resourceLoader;

	StreamRecordScanner(BeanFactory beanFactory, Environment environment, ResourceLoader resourceLoader) {
		this.beanFactory = beanFactory;
		this.environment = environment;
		this.resourceLoader = resourceLoader;
	}

	List<StreamDefinitions.Declaration> declarations() {
		List<StreamDefinitions.Declaration> declarations = new ArrayList<>();
		for (Class<?> type : streamClasses().values()) {
			declarations.add(new StreamDefinitions.Declaration(definition(type), "@Stream on " + type.getName()));
		}
		return declarations;
	}

	/** Sorted by name so start-up, and any conflict message, does not depend on class path order. */
	private Map<String, Class<?>> streamClasses() {
		Map<String, Class<?>> types = new TreeMap<>();
		if (AutoConfigurationPackages.has(this.beanFactory)) {
			ClassPathScanningCandidateComponentProvider scanner = new StreamClassProvider(this.environment);
			scanner.setResourceLoader(this.resourceLoader);
			for (String basePackage : AutoConfigurationPackages.get(this.beanFactory)) {
				for (BeanDefinition candidate : scanner.findCandidateComponents(basePackage)) {
					String className = candidate.getBeanClassName();
					if (className != null) {
						types.put(className, ClassUtils.resolveClassName(className, this.resourceLoader.getClassLoader()));
					}
				}
			}
		}
		if (this.beanFactory instanceof ListableBeanFactory listable) {
			for (String beanName : listable.getBeanDefinitionNames()) {
				Class<?> type = beanType(listable, beanName);
				if (type != null && type.isAnnotationPresent(Stream.class)) {
					types.put(type.getName(), type);
				}
			}
		}
		return types;
	}

	private static @Nullable Class<?> beanType(ListableBeanFactory beanFactory, String beanName) {
		try {
			// No factory bean is initialised just to learn its type.
			Class<?> type = beanFactory.getType(beanName, false);
			return (type != null) ? ClassUtils.getUserClass(type) : null;
		}
		catch (BeansException ex) {
			return null;
		}
	}

	private StreamDefinition definition(Class<?> type) {
		try {
			return StreamRecords.definition(type, this.environment::resolveRequiredPlaceholders);
		}
		catch (IllegalArgumentException | InterlaceException ex) {
			throw new IllegalStateException("Invalid @Stream on " + type.getName() + ": " + ex.getMessage(), ex);
		}
	}

	/**
	 * Accepts any top-level or static nested {@code @Stream} class: records are not components, so the default test
	 * for concrete independent components does not apply.
	 */
	private static final class StreamClassProvider extends ClassPathScanningCandidateComponentProvider {

		StreamClassProvider(Environment environment) {
			super(false, environment);
			// Meta-annotations are not followed: StreamRecords reads @Stream directly from the class.
			addIncludeFilter(new AnnotationTypeFilter(Stream.class, false));
		}

		@Override
		protected boolean isCandidateComponent(AnnotatedBeanDefinition beanDefinition) {
			return beanDefinition.getMetadata().isIndependent() && !beanDefinition.getMetadata().isAnnotation();
		}

	}

}
