package io.clustermd.messaging;

import io.clustermd.messaging.message.Envelope;
import java.util.concurrent.CompletionStage;

/**
 * What a node does with a message from another node (mdcluster.md §3.2 "receiver action"): later
 * issues implement it (superblock reload, suspend window, disk events, recovery).
 *
 * <p>Called on the communicator's handler thread, one message at a time, never for this node's
 * own messages. It must not block: slow work completes the returned stage later. Completing
 * normally acknowledges the message; completing exceptionally (or throwing) withholds the ack, so
 * the sender's bounded wait ends with an error naming this node, as in the kernel. A stage that
 * does not complete within {@code processMillisMax} counts as a failure.
 *
 * <p>NEWDISK: complete once the search for the disk has started (the kernel's uevent); the answer
 * comes through {@link Communicator#newDiskAck(boolean)}, and the ack waits for it at most
 * {@code newDiskConfirmMillisMax}.
 */
@FunctionalInterface
public interface MessageHandler {

  CompletionStage<Void> handle(Envelope envelope);
}
