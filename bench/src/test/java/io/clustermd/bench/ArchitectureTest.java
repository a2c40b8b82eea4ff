package io.clustermd.bench;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * CONVENTIONS.md §1: packages named {@code core} (and bitmap-store's {@code format}) are pure. They
 * take {@code now} and randomness as inputs and return effects, so that the simulator can drive the
 * very same classes deterministically. This module depends on every other module, so its test
 * class path sees every production class.
 */
class ArchitectureTest {

  private static final String[] PURE_PACKAGES = {"io.clustermd..core..", "io.clustermd..format.."};

  private static JavaClasses classes;

  @BeforeAll
  static void importProductionClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            // The other modules arrive as jars in a reactor build: import them, limited to our packages.
            .importPackages("io.clustermd");
  }

  @Test
  @DisplayName("the rule sees the DLM core (a rule over no classes would pass vacuously)")
  void ruleSeesCoreClasses() {
    org.junit.jupiter.api.Assertions.assertTrue(
        classes.stream().anyMatch(c -> c.getPackageName().equals("io.clustermd.dlm.core")),
        "io.clustermd.dlm.core was not imported");
  }

  @Test
  @DisplayName("cores import no Akka, NIO channels, threads, executors or randomness")
  void coresImportNothingImpure() {
    ArchRule rule =
        noClasses()
            .that()
            .resideInAnyPackage(PURE_PACKAGES)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("akka..", "java.nio.channels..", "java.util.concurrent..")
            .orShould()
            .dependOnClassesThat()
            .areAssignableTo(Thread.class)
            .orShould()
            .dependOnClassesThat()
            .haveFullyQualifiedName("java.util.Random")
            .orShould()
            .dependOnClassesThat()
            .haveFullyQualifiedName("java.security.SecureRandom")
            .because("cores are pure state machines driven by shells and by the simulator");
    rule.check(classes);
  }

  @Test
  @DisplayName("cores never read a clock: time is an input")
  void coresReadNoClock() {
    ArchRule rule =
        noClasses()
            .that()
            .resideInAnyPackage(PURE_PACKAGES)
            .should()
            .callMethod(System.class, "currentTimeMillis")
            .orShould()
            .callMethod(System.class, "nanoTime")
            .orShould()
            .dependOnClassesThat()
            .haveFullyQualifiedName("java.time.Clock")
            .orShould()
            .callMethodWhere(
                com.tngtech.archunit.core.domain.JavaCall.Predicates.target(
                    com.tngtech.archunit.core.domain.properties.HasName.Predicates.name("now")))
            .because("a core step takes `now` as a parameter (CONVENTIONS.md §9)");
    rule.check(classes);
  }
}
