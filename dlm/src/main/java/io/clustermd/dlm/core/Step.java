package io.clustermd.dlm.core;

import java.util.List;

/**
 * The result of one operation on a resource: either accepted, with the effects to carry out (an
 * accepted operation always produces exactly one completion for itself, now or later, except a
 * cancel that loses to a grant), or rejected synchronously with nothing changed.
 */
public sealed interface Step {

  /** The operation was accepted; {@code effects} are in the order the shell must carry them out. */
  record Accepted(List<Effect> effects) implements Step {}

  /** The operation was refused before it changed anything (dlm.md §3.1). */
  record Rejected(DlmError error, String reason) implements Step {}
}
