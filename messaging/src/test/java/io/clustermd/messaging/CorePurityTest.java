package io.clustermd.messaging;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.properties.HasName;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * CONVENTIONS.md §1 for this module: {@code io.clustermd.messaging.core} (and the message codec it
 * uses) import no Akka, threads, executors, randomness, and read no clock. bench's
 * ArchitectureTest states the same rule but does not depend on this module.
 */
class CorePurityTest {

  private static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.clustermd.messaging");

  @Test
  @DisplayName("the rule sees the communication core (a rule over no classes would pass vacuously)")
  void seesCore() {
    assertTrue(CLASSES.stream().anyMatch(c -> c.getName().equals("io.clustermd.messaging.core.CommCore")));
  }

  @Test
  @DisplayName("the communication core needs no serialization library: the LVB format is a parameter (the simulator keeps protobuf off its class path)")
  void coreWithoutProtobuf() {
    noClasses()
        .that()
        .resideInAnyPackage("io.clustermd.messaging.core..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("com.google.protobuf..", "io.clustermd.proto..")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("io.clustermd.messaging.message.LvbCodec")
        .check(CLASSES);
  }

  @Test
  @DisplayName("the messaging core and codec import no Akka, NIO channels, threads, executors or randomness, and read no clock")
  void pure() {
    noClasses()
        .that()
        .resideInAnyPackage("io.clustermd.messaging.core..", "io.clustermd.messaging.message..")
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
        .haveFullyQualifiedName("java.time.Clock")
        .orShould()
        .callMethod(System.class, "currentTimeMillis")
        .orShould()
        .callMethod(System.class, "nanoTime")
        .orShould()
        .callMethodWhere(JavaCall.Predicates.target(HasName.Predicates.name("now")))
        .check(CLASSES);
  }
}
