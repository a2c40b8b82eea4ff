package io.clustermd.dlm.wire;

import com.google.protobuf.ByteString;
import io.clustermd.dlm.core.DlmError;
import io.clustermd.dlm.core.DlmStatus;
import io.clustermd.dlm.core.LockFlags;
import io.clustermd.dlm.core.LockId;
import io.clustermd.dlm.core.LockMode;
import io.clustermd.dlm.core.LockResource.LockSnapshot;
import io.clustermd.dlm.core.ResourceName;
import io.clustermd.dlm.core.cluster.DlmMessage;
import io.clustermd.dlm.core.cluster.NodeId;
import io.clustermd.dlm.core.cluster.Slot;
import io.clustermd.dlm.core.link.Frame;
import io.clustermd.proto.dlm.LinkFrame;
import io.clustermd.proto.dlm.Node;
import java.util.ArrayList;
import java.util.List;

/**
 * Maps the core's {@link DlmMessage} records and link {@link Frame}s to their protobuf form
 * ({@code proto/src/main/proto/dlm.proto}) and back. Modes, statuses and errors travel as the
 * kernel's numbers; a lock id 0 and a mode -1 mean "none". A message that cannot be decoded is
 * refused with a {@link WireException} naming the field.
 */
public final class WireCodec {

  private static final int NO_MODE = -1;

  private WireCodec() {}

  // ---- frames ---------------------------------------------------------------------------------

  public static LinkFrame encodeFrame(String lockspace, NodeId sender, Frame<DlmMessage> f) {
    LinkFrame.Builder b =
        LinkFrame.newBuilder()
            .setLockspace(lockspace)
            .setSender(node(sender))
            .setReceiverIncarnation(f.receiverIncarnation())
            .setSeq(f.seq())
            .setAck(f.ack());
    if (f.payload() != null) {
      b.setMessage(encode(f.payload()));
    }
    return b.build();
  }

  public static Frame<DlmMessage> decodeFrame(LinkFrame f) {
    DlmMessage payload = f.hasMessage() ? decode(f.getMessage()) : null;
    try {
      return new Frame<>(f.getSender().getIncarnation(), f.getReceiverIncarnation(), f.getSeq(), f.getAck(), payload);
    } catch (IllegalArgumentException e) {
      throw new WireException("bad link frame from " + f.getSender().getName() + ": " + e.getMessage());
    }
  }

  public static Node node(NodeId n) {
    return Node.newBuilder().setName(n.name()).setIncarnation(n.incarnation()).build();
  }

  public static NodeId node(Node n) {
    if (n.getName().isEmpty()) {
      throw new WireException("node without a name");
    }
    return new NodeId(n.getName(), n.getIncarnation());
  }

  // ---- messages -------------------------------------------------------------------------------

  public static io.clustermd.proto.dlm.DlmMessage encode(DlmMessage m) {
    var b = io.clustermd.proto.dlm.DlmMessage.newBuilder();
    if (m instanceof DlmMessage.Lookup x) {
      b.setLookup(io.clustermd.proto.dlm.Lookup.newBuilder().setName(name(x.name())));
    } else if (m instanceof DlmMessage.LookupReply x) {
      var r = io.clustermd.proto.dlm.LookupReply.newBuilder().setName(name(x.name()));
      if (x.master() != null) {
        r.setMaster(node(x.master()));
      }
      b.setLookupReply(r);
    } else if (m instanceof DlmMessage.Remove x) {
      b.setRemove(io.clustermd.proto.dlm.Remove.newBuilder().setName(name(x.name())));
    } else if (m instanceof DlmMessage.Request x) {
      var r = io.clustermd.proto.dlm.Request.newBuilder()
          .setHolderId(id(x.holderId())).setName(name(x.name())).setMode(mode(x.mode()))
          .setFlags(x.flags()).setWantsBast(x.wantsBast());
      if (x.lvb() != null) {
        r.setLvb(ByteString.copyFrom(x.lvb())).setHasLvb(true);
      }
      b.setRequest(r);
    } else if (m instanceof DlmMessage.Convert x) {
      var r = io.clustermd.proto.dlm.Convert.newBuilder()
          .setMasterId(id(x.masterId())).setHolderId(id(x.holderId())).setName(name(x.name()))
          .setMode(mode(x.mode())).setFlags(x.flags()).setReplyWanted(x.replyWanted());
      if (x.lvb() != null) {
        r.setLvb(ByteString.copyFrom(x.lvb())).setHasLvb(true);
      }
      b.setConvert(r);
    } else if (m instanceof DlmMessage.Unlock x) {
      var r = io.clustermd.proto.dlm.Unlock.newBuilder()
          .setMasterId(id(x.masterId())).setHolderId(id(x.holderId())).setName(name(x.name())).setFlags(x.flags());
      if (x.lvb() != null) {
        r.setLvb(ByteString.copyFrom(x.lvb())).setHasLvb(true);
      }
      b.setUnlock(r);
    } else if (m instanceof DlmMessage.Cancel x) {
      b.setCancel(io.clustermd.proto.dlm.Cancel.newBuilder()
          .setMasterId(id(x.masterId())).setHolderId(id(x.holderId())).setName(name(x.name())));
    } else if (m instanceof DlmMessage.Reply x) {
      var r = io.clustermd.proto.dlm.Reply.newBuilder()
          .setOperationValue(x.operation().ordinal())
          .setHolderId(id(x.holderId())).setMasterId(id(x.masterId())).setName(name(x.name()))
          .setOutcomeValue(x.outcome().ordinal())
          .setStatus(x.status() == null ? 0 : x.status().errno())
          .setMode(mode(x.mode())).setSbFlags(x.sbFlags()).setLvbSequence(x.lvbSequence())
          .setError(x.error() == null ? 0 : x.error().errno());
      if (x.status() == null) {
        r.setStatus(1); // "no status": 0 is OK
      }
      if (x.lvb() != null) {
        r.setLvb(ByteString.copyFrom(x.lvb())).setHasLvb(true);
      }
      if (x.reason() != null) {
        r.setReason(x.reason());
      }
      b.setReply(r);
    } else if (m instanceof DlmMessage.Grant x) {
      var r = io.clustermd.proto.dlm.Grant.newBuilder()
          .setHolderId(id(x.holderId())).setName(name(x.name())).setStatus(x.status().errno())
          .setMode(mode(x.mode())).setSbFlags(x.sbFlags()).setLvbSequence(x.lvbSequence());
      if (x.lvb() != null) {
        r.setLvb(ByteString.copyFrom(x.lvb())).setHasLvb(true);
      }
      b.setGrant(r);
    } else if (m instanceof DlmMessage.Bast x) {
      b.setBast(io.clustermd.proto.dlm.Bast.newBuilder()
          .setHolderId(id(x.holderId())).setName(name(x.name())).setMode(mode(x.mode())));
    } else {
      encodeRecovery((DlmMessage.Recovery) m, b);
    }
    return b.build();
  }

  private static void encodeRecovery(DlmMessage.Recovery m, io.clustermd.proto.dlm.DlmMessage.Builder b) {
    if (m instanceof DlmMessage.Status x) {
      b.setStatus(io.clustermd.proto.dlm.Status.newBuilder()
          .addAllMembers(nodes(x.members())).setSlot(x.slot()).setGeneration(x.generation())
          .setLvbLength(x.lvbLength()).setEpoch(x.epoch()));
    } else if (m instanceof DlmMessage.StartDirectory x) {
      b.setStartDirectory(io.clustermd.proto.dlm.StartDirectory.newBuilder()
          .setRun(run(x.run())).addAllSlots(slots(x.slots())).setGeneration(x.generation())
          .addAllEpochNodes(nodes(x.epochNodes())).addAllEpochs(x.epochs()));
    } else if (m instanceof DlmMessage.DirectoryNames x) {
      var r = io.clustermd.proto.dlm.DirectoryNames.newBuilder().setRun(run(x.run()));
      x.names().forEach(n -> r.addNames(name(n)));
      b.setDirectoryNames(r);
    } else if (m instanceof DlmMessage.PhaseDone x) {
      b.setPhaseDone(io.clustermd.proto.dlm.PhaseDone.newBuilder()
          .setRun(run(x.run())).setPhaseValue(x.phase().ordinal()));
    } else if (m instanceof DlmMessage.StartMasters x) {
      b.setStartMasters(io.clustermd.proto.dlm.StartMasters.newBuilder().setRun(run(x.run())));
    } else if (m instanceof DlmMessage.RecoveryLookup x) {
      b.setRecoveryLookup(io.clustermd.proto.dlm.RecoveryLookup.newBuilder()
          .setRun(run(x.run())).setName(name(x.name())));
    } else if (m instanceof DlmMessage.RecoveryLookupReply x) {
      var r = io.clustermd.proto.dlm.RecoveryLookupReply.newBuilder().setRun(run(x.run())).setName(name(x.name()));
      if (x.master() != null) {
        r.setMaster(node(x.master()));
      }
      b.setRecoveryLookupReply(r);
    } else if (m instanceof DlmMessage.RecoverLocks x) {
      var r = io.clustermd.proto.dlm.RecoverLocks.newBuilder().setRun(run(x.run())).setName(name(x.name()));
      x.locks().forEach(s -> r.addLocks(snapshot(s)));
      b.setRecoverLocks(r);
    } else if (m instanceof DlmMessage.RecoverLocksAck x) {
      var r = io.clustermd.proto.dlm.RecoverLocksAck.newBuilder().setRun(run(x.run())).setName(name(x.name()));
      x.holderIds().forEach(i -> r.addHolderIds(id(i)));
      x.masterIds().forEach(i -> r.addMasterIds(id(i)));
      b.setRecoverLocksAck(r);
    } else if (m instanceof DlmMessage.Resume x) {
      b.setResume(io.clustermd.proto.dlm.Resume.newBuilder()
          .setRun(run(x.run())).addAllSlots(slots(x.slots())).setGeneration(x.generation()));
    } else if (m instanceof DlmMessage.JoinRefused x) {
      b.setJoinRefused(io.clustermd.proto.dlm.JoinRefused.newBuilder()
          .addAllMembers(nodes(x.members())).setReason(x.reason()));
    } else {
      throw new WireException("no wire form for " + m.getClass().getSimpleName());
    }
  }

  public static DlmMessage decode(io.clustermd.proto.dlm.DlmMessage m) {
    return switch (m.getKindCase()) {
      case LOOKUP -> new DlmMessage.Lookup(name(m.getLookup().getName()));
      case LOOKUP_REPLY -> new DlmMessage.LookupReply(
          name(m.getLookupReply().getName()),
          m.getLookupReply().hasMaster() ? node(m.getLookupReply().getMaster()) : null);
      case REMOVE -> new DlmMessage.Remove(name(m.getRemove().getName()));
      case REQUEST -> {
        var x = m.getRequest();
        yield new DlmMessage.Request(id(x.getHolderId()), name(x.getName()), mode(x.getMode()), x.getFlags(),
            x.getHasLvb() ? x.getLvb().toByteArray() : null, x.getWantsBast());
      }
      case CONVERT -> {
        var x = m.getConvert();
        yield new DlmMessage.Convert(id(x.getMasterId()), id(x.getHolderId()), name(x.getName()), mode(x.getMode()),
            x.getFlags(), x.getHasLvb() ? x.getLvb().toByteArray() : null, x.getReplyWanted());
      }
      case UNLOCK -> {
        var x = m.getUnlock();
        yield new DlmMessage.Unlock(id(x.getMasterId()), id(x.getHolderId()), name(x.getName()), x.getFlags(),
            x.getHasLvb() ? x.getLvb().toByteArray() : null);
      }
      case CANCEL -> {
        var x = m.getCancel();
        yield new DlmMessage.Cancel(id(x.getMasterId()), id(x.getHolderId()), name(x.getName()));
      }
      case REPLY -> reply(m.getReply());
      case GRANT -> {
        var x = m.getGrant();
        yield new DlmMessage.Grant(id(x.getHolderId()), name(x.getName()), status(x.getStatus()), mode(x.getMode()),
            x.getSbFlags(), x.getHasLvb() ? x.getLvb().toByteArray() : null, x.getLvbSequence());
      }
      case BAST -> new DlmMessage.Bast(id(m.getBast().getHolderId()), name(m.getBast().getName()), mode(m.getBast().getMode()));
      case STATUS -> {
        var x = m.getStatus();
        yield new DlmMessage.Status(nodes(x.getMembersList(), true), x.getSlot(), x.getGeneration(), x.getLvbLength(), x.getEpoch());
      }
      case START_DIRECTORY -> {
        var x = m.getStartDirectory();
        yield new DlmMessage.StartDirectory(run(x.getRun()), slotsOf(x.getSlotsList()), x.getGeneration(),
            nodes(x.getEpochNodesList(), false), List.copyOf(x.getEpochsList()));
      }
      case DIRECTORY_NAMES -> {
        var x = m.getDirectoryNames();
        List<ResourceName> names = new ArrayList<>(x.getNamesCount());
        x.getNamesList().forEach(n -> names.add(name(n)));
        yield new DlmMessage.DirectoryNames(run(x.getRun()), names);
      }
      case PHASE_DONE -> new DlmMessage.PhaseDone(run(m.getPhaseDone().getRun()),
          enumValue(DlmMessage.Phase.values(), m.getPhaseDone().getPhaseValue(), "phase"));
      case START_MASTERS -> new DlmMessage.StartMasters(run(m.getStartMasters().getRun()));
      case RECOVERY_LOOKUP -> new DlmMessage.RecoveryLookup(run(m.getRecoveryLookup().getRun()),
          name(m.getRecoveryLookup().getName()));
      case RECOVERY_LOOKUP_REPLY -> {
        var x = m.getRecoveryLookupReply();
        yield new DlmMessage.RecoveryLookupReply(run(x.getRun()), name(x.getName()),
            x.hasMaster() ? node(x.getMaster()) : null);
      }
      case RECOVER_LOCKS -> {
        var x = m.getRecoverLocks();
        List<LockSnapshot> locks = new ArrayList<>(x.getLocksCount());
        x.getLocksList().forEach(s -> locks.add(snapshot(s)));
        yield new DlmMessage.RecoverLocks(run(x.getRun()), name(x.getName()), locks);
      }
      case RECOVER_LOCKS_ACK -> {
        var x = m.getRecoverLocksAck();
        if (x.getHolderIdsCount() != x.getMasterIdsCount()) {
          throw new WireException("RecoverLocksAck for " + name(x.getName()) + " pairs " + x.getHolderIdsCount()
              + " holder ids with " + x.getMasterIdsCount() + " master ids");
        }
        List<LockId> holders = new ArrayList<>();
        List<LockId> masters = new ArrayList<>();
        x.getHolderIdsList().forEach(i -> holders.add(id(i)));
        x.getMasterIdsList().forEach(i -> masters.add(id(i)));
        yield new DlmMessage.RecoverLocksAck(run(x.getRun()), name(x.getName()), holders, masters);
      }
      case RESUME -> {
        var x = m.getResume();
        yield new DlmMessage.Resume(run(x.getRun()), slotsOf(x.getSlotsList()), x.getGeneration());
      }
      case JOIN_REFUSED -> new DlmMessage.JoinRefused(nodes(m.getJoinRefused().getMembersList(), true),
          m.getJoinRefused().getReason());
      case KIND_NOT_SET -> throw new WireException("DLM message without a kind (sent by a newer version?)");
    };
  }

  private static DlmMessage.Reply reply(io.clustermd.proto.dlm.Reply x) {
    return new DlmMessage.Reply(
        enumValue(DlmMessage.Operation.values(), x.getOperationValue(), "reply operation"),
        id(x.getHolderId()), id(x.getMasterId()), name(x.getName()),
        enumValue(DlmMessage.Outcome.values(), x.getOutcomeValue(), "reply outcome"),
        x.getStatus() == 1 ? null : status(x.getStatus()),
        mode(x.getMode()), x.getSbFlags(), x.getHasLvb() ? x.getLvb().toByteArray() : null, x.getLvbSequence(),
        x.getError() == 0 ? null : error(x.getError()), x.getReason().isEmpty() ? null : x.getReason());
  }

  // ---- fields ---------------------------------------------------------------------------------

  private static ByteString name(ResourceName n) {
    return ByteString.copyFrom(n.bytes());
  }

  private static ResourceName name(ByteString b) {
    try {
      return ResourceName.of(b.toByteArray());
    } catch (IllegalArgumentException e) {
      throw new WireException("bad resource name: " + e.getMessage());
    }
  }

  private static long id(LockId id) {
    return id == null ? 0 : id.value();
  }

  private static LockId id(long v) {
    return v == 0 ? null : new LockId(v);
  }

  private static int mode(LockMode m) {
    return m == null ? NO_MODE : m.value();
  }

  private static LockMode mode(int v) {
    if (v == NO_MODE) {
      return null;
    }
    try {
      return LockMode.ofValue(v);
    } catch (IllegalArgumentException e) {
      throw new WireException("lock mode " + v + " is not one of NL=0..EX=5");
    }
  }

  private static DlmStatus status(int errno) {
    for (DlmStatus s : DlmStatus.values()) {
      if (s.errno() == errno) {
        return s;
      }
    }
    throw new WireException("completion status " + errno + " is none of 0, -11, -35, -65538, -65537");
  }

  private static DlmError error(int errno) {
    for (DlmError e : DlmError.values()) {
      if (e.errno() == errno) {
        return e;
      }
    }
    throw new WireException("error " + errno + " is none of -22, -16, -2");
  }

  private static <E extends Enum<E>> E enumValue(E[] values, int ordinal, String what) {
    if (ordinal < 0 || ordinal >= values.length) {
      throw new WireException(what + " " + ordinal + " is unknown (sent by a newer version?)");
    }
    return values[ordinal];
  }

  private static List<Node> nodes(List<NodeId> nodes) {
    List<Node> out = new ArrayList<>(nodes.size());
    nodes.forEach(n -> out.add(node(n)));
    return out;
  }

  private static List<NodeId> nodes(List<Node> nodes, boolean nonEmpty) {
    if (nonEmpty && nodes.isEmpty()) {
      throw new WireException("member list is empty");
    }
    List<NodeId> out = new ArrayList<>(nodes.size());
    nodes.forEach(n -> out.add(node(n)));
    return out;
  }

  private static io.clustermd.proto.dlm.RunId run(DlmMessage.RunId r) {
    return io.clustermd.proto.dlm.RunId.newBuilder()
        .addAllMembers(nodes(r.members())).setCoordinatorEpoch(r.coordinatorEpoch()).build();
  }

  private static DlmMessage.RunId run(io.clustermd.proto.dlm.RunId r) {
    return new DlmMessage.RunId(nodes(r.getMembersList(), true), r.getCoordinatorEpoch());
  }

  private static List<io.clustermd.proto.dlm.SlotEntry> slots(List<Slot> slots) {
    List<io.clustermd.proto.dlm.SlotEntry> out = new ArrayList<>(slots.size());
    slots.forEach(s -> out.add(io.clustermd.proto.dlm.SlotEntry.newBuilder().setNode(node(s.node())).setSlot(s.slot()).build()));
    return out;
  }

  private static List<Slot> slotsOf(List<io.clustermd.proto.dlm.SlotEntry> slots) {
    List<Slot> out = new ArrayList<>(slots.size());
    for (var s : slots) {
      try {
        out.add(new Slot(node(s.getNode()), s.getSlot()));
      } catch (IllegalArgumentException e) {
        throw new WireException("bad slot entry: " + e.getMessage());
      }
    }
    return out;
  }

  private static io.clustermd.proto.dlm.LockSnapshot snapshot(LockSnapshot s) {
    var b = io.clustermd.proto.dlm.LockSnapshot.newBuilder()
        .setId(id(s.id())).setGrantedMode(mode(s.grantedMode())).setRequestedMode(mode(s.requestedMode()))
        .setFlags(s.flags().bits()).setLvbSequence(s.lvbSequence())
        .setWantsBlockingCallbacks(s.wantsBlockingCallbacks());
    if (s.lvb() != null) {
      b.setLvb(ByteString.copyFrom(s.lvb())).setHasLvb(true);
    }
    return b.build();
  }

  private static LockSnapshot snapshot(io.clustermd.proto.dlm.LockSnapshot s) {
    return new LockSnapshot(id(s.getId()), mode(s.getGrantedMode()), mode(s.getRequestedMode()),
        LockFlags.ofBits(s.getFlags()), s.getHasLvb() ? s.getLvb().toByteArray() : null, s.getLvbSequence(),
        s.getWantsBlockingCallbacks());
  }
}
