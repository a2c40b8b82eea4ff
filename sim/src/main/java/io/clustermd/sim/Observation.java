package io.clustermd.sim;

/**
 * Something that happened while the simulator ran one event. Checkers read these through
 * {@link WorldView#lastObservations()}; the trace is one line per observation.
 */
public sealed interface Observation {

    /** One trace line (without time and event index). */
    String describe();

    /** A message was handed to the receiver's process. */
    record Delivered(Envelope<?> envelope) implements Observation {
        @Override
        public String describe() {
            return "deliver " + envelope;
        }
    }

    /** The network lost a message. */
    record Lost(Envelope<?> envelope, LossReason reason) implements Observation {
        @Override
        public String describe() {
            return "lost(" + reason + ") " + envelope;
        }
    }

    /** The workload's request was handed to a node's process. */
    record Requested(SimNodeId node, Object request) implements Observation {
        @Override
        public String describe() {
            return "request " + node + " " + request;
        }
    }

    /** A request never reached its node's process, because the node died first. */
    record RequestLost(SimNodeId node, Object request) implements Observation {
        @Override
        public String describe() {
            return "request-lost " + node + " " + request;
        }
    }

    record TimerFired(SimNodeId node, Object token) implements Observation {
        @Override
        public String describe() {
            return "timer " + node + " " + token;
        }
    }

    /** A node applied a membership change to its view. */
    record ViewChanged(SimNodeId node, View view) implements Observation {
        @Override
        public String describe() {
            return "view " + node + " " + view.change().map(Object::toString).orElse("initial") + " -> " + view;
        }
    }

    record NodeStarted(SimNodeId node) implements Observation {
        @Override
        public String describe() {
            return "start " + node;
        }
    }

    record NodeStopped(SimNodeId node, StopCause cause) implements Observation {
        @Override
        public String describe() {
            return "stop " + node + " " + cause;
        }
    }

    record NodePaused(SimNodeId node) implements Observation {
        @Override
        public String describe() {
            return "pause " + node;
        }
    }

    record NodeResumed(SimNodeId node, int heldEvents) implements Observation {
        @Override
        public String describe() {
            return "resume " + node + " (" + heldEvents + " held events)";
        }
    }

    /** A decision of the membership oracle (failure detector, split brain resolver, leader). */
    record MembershipDecision(String what) implements Observation {
        @Override
        public String describe() {
            return "membership " + what;
        }
    }

    /** A fault the nemesis (or a test) injected or ended. */
    record Fault(String what) implements Observation {
        @Override
        public String describe() {
            return "fault " + what;
        }
    }

    /** A line a process or the workload asked to put in the trace. */
    record Note(String who, String text) implements Observation {
        @Override
        public String describe() {
            return "note " + who + " " + text;
        }
    }
}
