package io.clustermd.sim.dlm;

import io.clustermd.dlm.core.LockFlags;
import io.clustermd.dlm.core.LockId;
import io.clustermd.dlm.core.LockMode;
import io.clustermd.dlm.core.ResourceName;
import io.clustermd.dlm.core.cluster.DlmMessage;
import io.clustermd.dlm.core.link.Frame;

/**
 * What travels in the dlm scenario: frames of the {@link io.clustermd.dlm.core.link.ReliableLink} between
 * two nodes (what the Akka shell sends over Artery), and the workload's client calls to one node (a local
 * call, no network). Every {@code toString} is deterministic, since the trace hash is built from it.
 */
public sealed interface DlmSimMessage {

    /** A link frame; its payload, if any, is one {@link DlmMessage}. */
    record Wire(Frame<DlmMessage> frame) implements DlmSimMessage {
        @Override
        public String toString() {
            return frame + (frame.isData() ? " " + DlmText.describe(frame.payload()) : "");
        }
    }

    /** A client call made by the workload. */
    sealed interface Call extends DlmSimMessage {}

    /**
     * {@code dlm_lock} of a new lock.
     *
     * @param withBuffer whether the client gives an LVB buffer (zero-filled: "no value")
     */
    record LockCall(ResourceName resource, LockMode mode, LockFlags flags, boolean withBuffer) implements Call {
        @Override
        public String toString() {
            return "lock(" + resource + " " + mode + " " + flags + (withBuffer ? " lvb" : "") + ")";
        }
    }

    /** {@code dlm_lock} with CONVERT; the process decides at the call whether it writes a fresh LVB value. */
    record ConvertCall(LockId lock, LockMode mode, LockFlags flags) implements Call {
        @Override
        public String toString() {
            return "convert(" + lock + " " + mode + " " + flags + ")";
        }
    }

    /** {@code dlm_unlock}; an LVB value is written when the lock may hold PW or EX with VALBLK. */
    record UnlockCall(LockId lock, LockFlags flags) implements Call {
        @Override
        public String toString() {
            return "unlock(" + lock + " " + flags + ")";
        }
    }

    /** {@code dlm_unlock} with CANCEL. */
    record CancelCall(LockId lock) implements Call {
        @Override
        public String toString() {
            return "cancel(" + lock + ")";
        }
    }
}
