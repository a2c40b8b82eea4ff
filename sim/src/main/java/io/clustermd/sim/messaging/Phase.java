package io.clustermd.sim.messaging;

/**
 * Where a node is in a broadcast, as its shell sees it at the end of an event: the points at which the
 * scenario's targeted crashes strike (mdcluster.md §3.3, §3.4, §5.1). A crash comes right after the event, at
 * the same instant, so whatever the node sent during that event is lost with it (the network drops messages
 * of a dead sender): a crash in {@link #SEND_MESSAGE_EX} is a crash between the grant of message EX and the
 * LVB write. Down-conversions complete locally within the event that asks for them, so the sender's release
 * (ack EX→CR, message→NL, token→NL) all happens in the event that brings the ack EX grant:
 * {@link #SEND_ACK_EX} crashes before any of it reaches the cluster.
 */
enum Phase {
    /** A local sender waits for token EX (queued at the DLM behind another node). */
    SEND_TOKEN_WAIT,
    /** Holds token EX; message NL→EX in flight (nothing written yet). */
    SEND_TOKEN_EX,
    /** message EX was granted in this event: the crash loses the LVB write and its publication (EX→CW). */
    SEND_MESSAGE_EX,
    /** Published (message CW, LVB written); ack CR→EX in flight: waits for every other node to process. */
    SEND_ACK_WAIT,
    /** ack EX was granted in this event (everyone processed): the crash loses the whole release. */
    SEND_ACK_EX,
    /** Holds token EX between the sends of a multi-step operation (add-disk; maybe claiming no-new-dev). */
    HOLDS_TOKEN,
    /** Read the message (message CR); the handler runs: not processed yet. */
    RECV_PROCESSING,
    /** The handler finished; the ack (receipt, ack CR→NL) is in flight. */
    RECV_PROCESSED,
    /** Acknowledged (ack NL); message CR→PR (the barrier) in flight. */
    RECV_ACKED,
    /** A joining node holds token EX (ack CR is taken under it). */
    JOIN_TOKEN_EX
}
