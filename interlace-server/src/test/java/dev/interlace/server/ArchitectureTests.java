package dev.interlace.server;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.conditions.ArchConditions;
import org.junit.jupiter.api.Test;

import dev.interlace.core.store.duckdb.DuckDbStreamStore;
import dev.interlace.core.store.postgres.PostgresStreamStore;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The package structure seen from the server: no cycles among Interlace's packages (core, auto-configuration,
 * server), the server reaches a backend through its store facade alone, and all three log through one API.
 */
class ArchitectureTests {

	/** Interlace's main classes, imported once for every rule (the rules run as ordinary tests). */
	private static final JavaClasses CLASSES = new ClassFileImporter()
		.withImportOption(new ImportOption.DoNotIncludeTests())
		// Core's test-jar (its contract suites and test databases) is on this module's class path as a jar, which
		// DoNotIncludeTests does not recognise.
		.withImportOption((location) -> !location.contains("-tests.jar"))
		.importPackages("dev.interlace");

	private static final ArchRule interlacePackagesHaveNoCycles = slices().matching("dev.interlace.(**)")
		.should()
		.beFreeOfCycles();

	private static final ArchRule serverReachesBackendsThroughTheirStoreFacadesOnly = noClasses().that()
		.resideInAPackage("dev.interlace.server..")
		.should()
		.dependOnClassesThat(resideInAnyPackage("dev.interlace.core.store.duckdb..", "dev.interlace.core.store.postgres..")
			.and(not(belongToAnyOf(DuckDbStreamStore.class, PostgresStreamStore.class))))
		.because("a backend's internals change with it; its store class is what applications configure");

	private static final ArchRule interlaceLogsThroughSlf4jOnly = classes().that()
		.resideInAPackage("dev.interlace..")
		.should(ArchConditions.onlyHaveDependenciesWhere(notOnAnotherLoggingApi()))
		.because("one logging API everywhere, SLF4J, leaves the choice of logging backend to the application");

	@Test
	void interlacePackagesHaveNoCycles() {
		interlacePackagesHaveNoCycles.check(CLASSES);
	}

	@Test
	void serverReachesBackendsThroughTheirStoreFacadesOnly() {
		serverReachesBackendsThroughTheirStoreFacadesOnly.check(CLASSES);
	}

	@Test
	void interlaceLogsThroughSlf4jOnly() {
		interlaceLogsThroughSlf4jOnly.check(CLASSES);
	}

	private static DescribedPredicate<Dependency> notOnAnotherLoggingApi() {
		return new DescribedPredicate<>("the target is no logging API but SLF4J") {

			@Override
			public boolean test(Dependency dependency) {
				String target = dependency.getTargetClass().getPackageName();
				boolean logging = target.startsWith("java.util.logging") || target.startsWith("org.apache.commons.logging")
						|| target.startsWith("org.apache.log4j") || target.startsWith("org.apache.logging.log4j")
						|| target.startsWith("ch.qos.logback");
				// javax.sql.DataSource makes every data source answer getParentLogger(); answering it logs nothing.
				boolean dataSourceContract = dependency.getOriginClass().isAssignableTo(javax.sql.DataSource.class)
						&& dependency.getDescription().contains(".getParentLogger()");
				return !logging || dataSourceContract;
			}

		};
	}

}
