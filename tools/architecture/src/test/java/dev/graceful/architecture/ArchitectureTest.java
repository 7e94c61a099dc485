package dev.graceful.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The dependency rules of docs/architecture.md ("Arrows point one way"), checked on the main classes of every
 * library module. When a rule fails, either the change crossed an arrow or the architecture changed: then
 * docs/architecture.md changes in the same commit as the rule.
 */
class ArchitectureTest {

    /** The library modules, by the packages each one owns. */
    enum LibraryModule {
        CORE("dev.graceful", "dev.graceful.internal..", "dev.graceful.micrometer.."),
        TESTKIT("dev.graceful.testkit.."),
        SERVLET("dev.graceful.servlet.."),
        NETTY("dev.graceful.netty.."),
        GRPC("dev.graceful.grpc.."),
        STARTER("dev.graceful.spring.boot..");

        final String[] packages;

        LibraryModule(String... packages) {
            this.packages = packages;
        }

        static Optional<LibraryModule> of(JavaClass javaClass) {
            return Arrays.stream(values())
                    .filter(module -> resideInAnyPackage(module.packages).test(javaClass))
                    .findFirst();
        }
    }

    private static final String[] SERVER_AND_FRAMEWORK_PACKAGES = {
        "jakarta.servlet..",
        "javax.servlet..",
        "io.netty..",
        "reactor.netty..",
        "io.grpc..",
        "org.springframework..",
        "org.eclipse.jetty..",
        "org.apache.catalina..",
        "org.apache.coyote..",
        "org.apache.tomcat.."
    };

    private static final JavaClasses LIBRARY = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.graceful");

    @Test
    void everyLibraryClassBelongsToAKnownModuleAndEveryModuleIsImported() {
        var unknown = LIBRARY.stream()
                .filter(javaClass -> LibraryModule.of(javaClass).isEmpty())
                .map(JavaClass::getName)
                .collect(Collectors.toList());
        assertThat(unknown)
                .as("classes in no module of " + LibraryModule.class.getName())
                .isEmpty();
        var imported = LIBRARY.stream()
                .map(LibraryModule::of)
                .flatMap(Optional::stream)
                .collect(Collectors.toSet());
        assertThat(imported).containsExactlyInAnyOrder(LibraryModule.values());
    }

    @Test
    void coreDependsOnNoOtherGracefulModule() {
        noClasses()
                .that()
                .resideInAnyPackage(LibraryModule.CORE.packages)
                .should()
                .dependOnClassesThat(
                        resideInAPackage("dev.graceful..").and(not(resideInAnyPackage(LibraryModule.CORE.packages))))
                .because("adapters, the testkit and the starter depend on core, never the other way round")
                .check(LIBRARY);
    }

    @Test
    void coreUsesNoServletNettyGrpcSpringJettyOrTomcatType() {
        noClasses()
                .that()
                .resideInAnyPackage(LibraryModule.CORE.packages)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(SERVER_AND_FRAMEWORK_PACKAGES)
                .because("core runs in any JVM service, whatever server or framework it uses")
                .check(LIBRARY);
    }

    @Test
    void coreNeedsOnlyTheJdkSlf4jAndOptionallyMicrometer() {
        classes()
                .that()
                .resideInAnyPackage(LibraryModule.CORE.packages)
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage(concat(LibraryModule.CORE.packages, new String[] {
                    "java..",
                    // The JDK's HTTP server (HealthServer) and signal API (Signals).
                    "com.sun.net.httpserver..",
                    "sun.misc..",
                    "org.slf4j..",
                    "io.micrometer.."
                }))
                .because("core's one required dependency is slf4j-api")
                .check(LIBRARY);
    }

    @Test
    void micrometerIsUsedOnlyByCoresMicrometerPackageAndTheStarter() {
        noClasses()
                .that()
                .resideOutsideOfPackages("dev.graceful.micrometer..", "dev.graceful.spring.boot..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.micrometer..")
                .because("Micrometer is optional: only dev.graceful.micrometer and the starter's metrics"
                        + " auto-configuration (guarded by @ConditionalOnClass) may load it")
                .check(LIBRARY);
    }

    @Test
    void theServletAndNettyAdaptersDoNotDependOnEachOther() {
        needsNeither(
                LibraryModule.SERVLET,
                LibraryModule.NETTY,
                new String[] {"io.netty.."},
                "an application on a servlet container must not need Netty, nor graceful-netty");
        needsNeither(
                LibraryModule.NETTY,
                LibraryModule.SERVLET,
                new String[] {"jakarta.servlet..", "javax.servlet.."},
                "an application on Netty must not need the servlet API, nor graceful-servlet");
    }

    @Test
    void theGrpcAdapterAndTheHttpAdaptersDoNotDependOnEachOther() {
        needsNeither(
                LibraryModule.GRPC,
                LibraryModule.NETTY,
                new String[] {"io.netty.."},
                "grpc-java brings its own transport (often Netty-shaded): graceful-grpc must not pull in Netty");
        needsNeither(
                LibraryModule.GRPC,
                LibraryModule.SERVLET,
                new String[] {"jakarta.servlet..", "javax.servlet.."},
                "a gRPC server must not need the servlet API, nor graceful-servlet");
        for (LibraryModule http : new LibraryModule[] {LibraryModule.SERVLET, LibraryModule.NETTY}) {
            needsNeither(
                    http,
                    LibraryModule.GRPC,
                    new String[] {"io.grpc.."},
                    "an HTTP server must not need grpc-java, nor graceful-grpc");
        }
    }

    /** No class of {@code module} depends on {@code other}, nor on the library {@code other} adapts. */
    private static void needsNeither(LibraryModule module, LibraryModule other, String[] library, String because) {
        noClasses()
                .that()
                .resideInAnyPackage(module.packages)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(other.packages)
                .orShould()
                .dependOnClassesThat()
                .resideInAnyPackage(library)
                .because(because)
                .check(LIBRARY);
    }

    @Test
    void theTestkitDependsOnlyOnCoreTheJdkAndItsTestLibraries() {
        classes()
                .that()
                .resideInAnyPackage(LibraryModule.TESTKIT.packages)
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage(concat(LibraryModule.TESTKIT.packages, LibraryModule.CORE.packages, new String[] {
                    "java..",
                    "com.sun.net.httpserver..",
                    // JUnit, AssertJ and Awaitility are the kit's API (see its pom).
                    "org.junit..",
                    "org.opentest4j..",
                    "org.assertj..",
                    "org.awaitility.."
                }))
                .because("the kit speaks HTTP to any server under test, so it cannot lean on one adapter")
                .check(LIBRARY);
    }

    @Test
    void noModuleUsesAnotherModulesInternalPackage() {
        classes()
                .should(useNoInternalPackageOfAnotherModule())
                .because("a module's .internal package is its own; other modules use its public API")
                .check(LIBRARY);
    }

    @Test
    void modulesDependOnlyAlongTheArrowsOfTheArchitecture() {
        layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .layer("core")
                .definedBy(LibraryModule.CORE.packages)
                .layer("testkit")
                .definedBy(LibraryModule.TESTKIT.packages)
                .layer("servlet")
                .definedBy(LibraryModule.SERVLET.packages)
                .layer("netty")
                .definedBy(LibraryModule.NETTY.packages)
                .layer("starter")
                .definedBy(LibraryModule.STARTER.packages)
                .whereLayer("core")
                .mayNotAccessAnyLayer()
                .whereLayer("testkit")
                .mayOnlyAccessLayers("core")
                .whereLayer("servlet")
                .mayOnlyAccessLayers("core")
                .whereLayer("netty")
                .mayOnlyAccessLayers("core")
                .whereLayer("starter")
                .mayOnlyAccessLayers("core", "servlet", "netty")
                .check(LIBRARY);
    }

    @Test
    void packagesHaveNoCycles() {
        slices().matching("(**)")
                .namingSlices("$1")
                .should()
                .beFreeOfCycles()
                // The API's factory (GracefulShutdown.create) must name its implementation; that one
                // edge is allowed, any other from an API package into .internal and back is a cycle.
                .ignoreDependency("dev.graceful.GracefulShutdown", "dev.graceful.internal.DefaultGracefulShutdown")
                .because("packages in a cycle can only be read, tested and changed together")
                .check(LIBRARY);
    }

    private static ArchCondition<JavaClass> useNoInternalPackageOfAnotherModule() {
        return new ArchCondition<>("use no .internal package of another module") {
            @Override
            public void check(JavaClass origin, ConditionEvents events) {
                var originModule = LibraryModule.of(origin);
                for (Dependency dependency : origin.getDirectDependenciesFromSelf()) {
                    JavaClass target = dependency.getTargetClass();
                    var targetModule = LibraryModule.of(target);
                    if (targetModule.isPresent()
                            && !Objects.equals(targetModule, originModule)
                            && isInternal(target.getPackageName())) {
                        events.add(SimpleConditionEvent.violated(dependency, dependency.getDescription()));
                    }
                }
            }
        };
    }

    private static boolean isInternal(String packageName) {
        return packageName.endsWith(".internal") || packageName.contains(".internal.");
    }

    private static String[] concat(String[]... groups) {
        return Arrays.stream(groups).flatMap(Arrays::stream).toArray(String[]::new);
    }
}
