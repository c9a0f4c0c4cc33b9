package dev.interlace.server;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import dev.interlace.core.store.duckdb.DuckDbStreamStore;
import dev.interlace.core.store.postgres.PostgresStreamStore;

/**
 * The package structure seen from the server: no cycles among Interlace's packages (core, auto-configuration,
 * server), and the server reaches a backend through its store facade alone.
 */
@AnalyzeClasses(packages = "dev.interlace", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTests {

	@ArchTest
	static final ArchRule interlacePackagesHaveNoCycles = slices().matching("dev.interlace.(**)")
		.should()
		.beFreeOfCycles();

	@ArchTest
	static final ArchRule serverReachesBackendsThroughTheirStoreFacadesOnly = noClasses().that()
		.resideInAPackage("dev.interlace.server..")
		.should()
		.dependOnClassesThat(resideInAnyPackage("dev.interlace.core.store.duckdb..", "dev.interlace.core.store.postgres..")
			.and(not(belongToAnyOf(DuckDbStreamStore.class, PostgresStreamStore.class))))
		.because("a backend's internals change with it; its store class is what applications configure");

}
