package io.clustermd.sim.dlm;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class DlmClasspathTest {

    @Test
    @DisplayName("DESIGN.md §3: the simulator runs the DLM cores without Akka, protobuf or Scala on its classpath")
    void noAkkaOnTheClasspath() {
        assertDoesNotThrow(() -> Class.forName("io.clustermd.dlm.core.cluster.LockspaceNode"),
                "the DLM core must be on the classpath");
        assertThrows(ClassNotFoundException.class, () -> Class.forName("akka.actor.ActorSystem"));
        assertThrows(ClassNotFoundException.class, () -> Class.forName("akka.actor.typed.ActorSystem"));
        assertThrows(ClassNotFoundException.class, () -> Class.forName("com.google.protobuf.Message"));
        assertThrows(ClassNotFoundException.class, () -> Class.forName("scala.Option"));
    }
}
