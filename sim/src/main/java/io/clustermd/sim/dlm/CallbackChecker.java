package io.clustermd.sim.dlm;

import io.clustermd.dlm.core.DlmStatus;
import io.clustermd.dlm.core.LockFlag;
import io.clustermd.dlm.core.LockMode;
import io.clustermd.dlm.core.cluster.NodeEffect;
import io.clustermd.sim.Checker;
import io.clustermd.sim.WorldView;
import io.clustermd.sim.dlm.LockRecord.Op;
import io.clustermd.sim.dlm.LockRecord.OpKind;

/**
 * (d) Callbacks of one lock come in order (dlm.md §5.1, §5.3): each completion answers the oldest accepted
 * request or conversion with a status that operation can have, an unlock ends with EUNLOCK (which also
 * ends whatever it overlapped), a cancel yields ECANCEL or nothing, and nothing comes after the lock ended.
 * A blocking callback comes only for a granted lock, for a mode its granted mode blocks. A master never
 * refuses an operation its holder accepted. This class also moves the {@link LockRecord} along.
 */
final class CallbackChecker implements Checker {

    private String violation;
    private long completions;
    private long basts;

    @Override
    public String name() {
        return "dlm-callbacks";
    }

    @Override
    public void afterEvent(WorldView world) {
        Checker.require(violation == null, violation);
    }

    long completions() {
        return completions;
    }

    long basts() {
        return basts;
    }

    void completed(LockRecord r, NodeEffect.Completed c) {
        completions++;
        if (r.ended) {
            fail(r, "completion " + describe(c) + " after the end of the lock");
            return;
        }
        if (c.status() == DlmStatus.EUNLOCK) {
            if (!r.has(OpKind.UNLOCK) || c.mode() != null) {
                fail(r, "EUNLOCK (mode " + c.mode() + ") without an accepted unlock");
            }
            end(r);
            return;
        }
        Op head = r.ops.peekFirst();
        if (r.ending || head == null || head.kind() == OpKind.UNLOCK) {
            fail(r, "completion " + describe(c) + " with no request or conversion in progress"
                    + (r.ending ? " (the lock ended; only EUNLOCK may follow)" : ""));
            return;
        }
        String wrong = wrongStatus(r, head, c);
        if (wrong != null) {
            fail(r, describe(c) + " for " + head + ": " + wrong);
        }
        r.ops.removeFirst();
        r.cancelIssued = false;
        if (c.mode() == null) {
            r.granted = null;
            if (r.has(OpKind.UNLOCK)) {
                r.ending = true; // the promised unlock still completes, with EUNLOCK
            } else {
                end(r);
            }
        } else {
            r.granted = c.mode();
            r.everGranted |= c.status() == DlmStatus.OK;
        }
    }

    /** Why {@code c} cannot complete {@code head} of {@code r}, or null when it can (dlm.md §5.1). */
    private static String wrongStatus(LockRecord r, Op head, NodeEffect.Completed c) {
        LockMode before = r.granted;
        boolean request = head.kind() == OpKind.REQUEST;
        LockMode unchanged = request ? null : before;
        return switch (c.status()) {
            case OK -> c.mode() == head.mode() ? null : "granted another mode";
            case EAGAIN -> !head.flags().has(LockFlag.NOQUEUE) ? "EAGAIN without NOQUEUE"
                    : c.mode() != unchanged ? "EAGAIN changed the mode from " + before : null;
            case EDEADLK -> request ? "EDEADLK for a new request"
                    : c.mode() != before ? "EDEADLK changed the mode from " + before : null;
            case ECANCEL -> {
                boolean demoted = !request && head.flags().has(LockFlag.CONVDEADLK) && c.mode() == LockMode.NL;
                yield !r.cancelIssued ? "ECANCEL without an accepted cancel"
                        : c.mode() != unchanged && !demoted ? "ECANCEL changed the mode from " + before : null;
            }
            case EUNLOCK -> "EUNLOCK is handled above";
        };
    }

    void blocked(LockRecord r, NodeEffect.Blocked b) {
        basts++;
        if (r.ended || r.ending) {
            fail(r, "blocking callback for " + b.mode() + " after the end of the lock");
        } else if (r.granted == null) {
            fail(r, "blocking callback for " + b.mode() + " to a lock that holds nothing");
        } else if (r.granted.compatibleWith(b.mode())) {
            fail(r, "blocking callback for " + b.mode() + ", which its mode " + r.granted + " does not block");
        }
    }

    void failed(LockRecord r, String who, NodeEffect.Failed f) {
        fail(r, who + ": the master refused an operation the holder accepted: " + f.error() + " " + f.reason());
    }

    void violation(String message) {
        if (violation == null) {
            violation = message;
        }
    }

    private static void end(LockRecord r) {
        r.ops.clear();
        r.granted = null;
        r.ending = false;
        r.ended = true;
    }

    private void fail(LockRecord r, String why) {
        if (violation == null) {
            violation = r.node + " lock " + r.id + " on " + r.resource + ": " + why + "; lock " + r;
        }
    }

    private static String describe(NodeEffect.Completed c) {
        return c.status() + "/" + c.mode();
    }
}
