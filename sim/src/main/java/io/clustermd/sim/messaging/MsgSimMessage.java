package io.clustermd.sim.messaging;

import io.clustermd.dlm.core.cluster.DlmMessage;
import io.clustermd.dlm.core.link.Frame;
import io.clustermd.messaging.message.Message;

/**
 * What travels in the messaging scenario: DLM link frames between nodes (what the Akka shell sends over
 * Artery), and the workload's calls to one node's communication (a local call, no network). Every
 * {@code toString} is deterministic, since the trace hash is built from it.
 */
public sealed interface MsgSimMessage {

    /** A link frame; its payload, if any, is one {@link DlmMessage}. */
    record Wire(Frame<DlmMessage> frame) implements MsgSimMessage {
        @Override
        public String toString() {
            return frame + (frame.isData() ? " " + SimText.describe(frame.payload()) : "");
        }
    }

    /** A client call made by the workload. */
    sealed interface Call extends MsgSimMessage {}

    /**
     * One broadcast (the kernel's {@code sendmsg}); {@code id} names it in the model and travels in the LVB.
     */
    record SendCall(long id, Message message) implements Call {
        @Override
        public String toString() {
            return "send m" + id + " " + message.type();
        }
    }

    /**
     * The add-disk sequence under one held token (mdcluster.md §5.6, §3.5 "send locked already"): lock the
     * token, send NEWDISK, claim no-new-dev EX NOQUEUE, send METADATA_UPDATED, unlock the token.
     */
    record AddDiskCall(long newDiskId, Message newDisk, long metadataId, Message metadata) implements Call {
        @Override
        public String toString() {
            return "add-disk m" + newDiskId + " NEWDISK, m" + metadataId + " METADATA_UPDATED";
        }
    }
}
