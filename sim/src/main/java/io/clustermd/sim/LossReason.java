package io.clustermd.sim;

/** Why the simulated network lost a message. Artery delivers at most once; these are the ways it doesn't. */
public enum LossReason {
    /** The two nodes were on different sides of a partition (blackhole) at send or at arrival. */
    PARTITIONED,
    /** The pair's connection dropped while the message was in flight. */
    CONNECTION_DROPPED,
    /** Sent while the pair's connection was down (before it healed). */
    CONNECTION_DOWN,
    /** The sender incarnation had crashed, been downed or left by the time the message arrived. */
    SENDER_DEAD,
    /** The addressed incarnation is dead or was replaced by a newer incarnation. */
    RECEIVER_DEAD
}
