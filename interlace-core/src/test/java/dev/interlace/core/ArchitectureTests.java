package dev.interlace.core;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The package structure of core: dependencies point one way, from the API and model through the storage SPIs and
 * their shared support to the backends, with the engine over the SPIs alone.
 */
class ArchitectureTests {

	/** Interlace's main classes, imported once for every rule (the rules run as ordinary tests). */
	private static final JavaClasses CLASSES = new ClassFileImporter()
		.withImportOption(new ImportOption.DoNotIncludeTests())
		.importPackages("dev.interlace");

	private static final String API = "dev.interlace.core";

	private static final String ENGINE = "dev.interlace.core.engine..";

	private static final String SPI = "dev.interlace.core.store";

	private static final String SUPPORT = "dev.interlace.core.store.support..";

	private static final String DUCKDB = "dev.interlace.core.store.duckdb..";

	private static final String POSTGRES = "dev.interlace.core.store.postgres..";

	private static final ArchRule packagesOfCoreHaveNoCycles = slices().matching("dev.interlace.core.(**)")
		.should()
		.beFreeOfCycles();

	private static final ArchRule apiAndModelDependOnNoImplementation = noClasses().that()
		.resideInAPackage(API)
		.should()
		.dependOnClassesThat()
		.resideInAnyPackage(ENGINE, SPI, SUPPORT, DUCKDB, POSTGRES);

	private static final ArchRule spiHoldsOnlyInterfacesRecordsEnumsAndExceptions = classes().that()
		.resideInAPackage(SPI)
		.and()
		.areTopLevelClasses()
		.should(beAnInterfaceRecordEnumOrException());

	private static final ArchRule spiDependsOnNoImplementation = noClasses().that()
		.resideInAPackage(SPI)
		.should()
		.dependOnClassesThat()
		.resideInAnyPackage(ENGINE, SUPPORT, DUCKDB, POSTGRES);

	private static final ArchRule supportDependsOnNoBackendNorEngine = noClasses().that()
		.resideInAPackage(SUPPORT)
		.should()
		.dependOnClassesThat()
		.resideInAnyPackage(ENGINE, DUCKDB, POSTGRES);

	private static final ArchRule duckDbDependsOnNeitherPostgresNorEngine = noClasses().that()
		.resideInAPackage(DUCKDB)
		.should()
		.dependOnClassesThat()
		.resideInAnyPackage(ENGINE, POSTGRES);

	private static final ArchRule postgresDependsOnNeitherDuckDbNorEngine = noClasses().that()
		.resideInAPackage(POSTGRES)
		.should()
		.dependOnClassesThat()
		.resideInAnyPackage(ENGINE, DUCKDB);

	@Test
	void packagesOfCoreHaveNoCycles() {
		packagesOfCoreHaveNoCycles.check(CLASSES);
	}

	@Test
	void apiAndModelDependOnNoImplementation() {
		apiAndModelDependOnNoImplementation.check(CLASSES);
	}

	@Test
	void spiHoldsOnlyInterfacesRecordsEnumsAndExceptions() {
		spiHoldsOnlyInterfacesRecordsEnumsAndExceptions.check(CLASSES);
	}

	@Test
	void spiDependsOnNoImplementation() {
		spiDependsOnNoImplementation.check(CLASSES);
	}

	@Test
	void supportDependsOnNoBackendNorEngine() {
		supportDependsOnNoBackendNorEngine.check(CLASSES);
	}

	@Test
	void duckDbDependsOnNeitherPostgresNorEngine() {
		duckDbDependsOnNeitherPostgresNorEngine.check(CLASSES);
	}

	@Test
	void postgresDependsOnNeitherDuckDbNorEngine() {
		postgresDependsOnNeitherDuckDbNorEngine.check(CLASSES);
	}

	private static ArchCondition<JavaClass> beAnInterfaceRecordEnumOrException() {
		return new ArchCondition<>("be an interface, a record, an enum or an exception") {

			@Override
			public void check(JavaClass type, ConditionEvents events) {
				boolean allowed = type.isInterface() || type.isRecord() || type.isEnum()
						|| type.isAssignableTo(Exception.class);
				events.add(new SimpleConditionEvent(type, allowed,
						type.getName() + " is " + (allowed ? "" : "not ") + "an interface, record, enum or exception"));
			}

		};
	}

}
