package io.clustermd.dlm.transport;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clustermd.dlm.core.link.StreamFramer;
import io.clustermd.proto.dlm.LinkFrame;
import io.clustermd.proto.dlm.Node;
import io.clustermd.proto.dlm.TransportFrame;
import io.clustermd.proto.dlm.TransportHello;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link FrameTransport} over real loopback sockets: two transports in this JVM, and raw peers. */
class FrameTransportTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String A = "akka://clustermd@127.0.0.1:1#11";
  private static final String B = "akka://clustermd@127.0.0.1:2#22";
  private static final TransportSettings SETTINGS =
      new TransportSettings(TransportSettings.Kind.TCP, "", 0, 4096, 64 * 1024, 1_000, 300);
  /** Room for a burst of 2,000 frames (about 100 KiB) queued before the connection is up. */
  private static final TransportSettings ROOMY =
      new TransportSettings(TransportSettings.Kind.TCP, "", 0, 4096, 1024 * 1024, 1_000, 300);

  private record Received(String from, LinkFrame frame) {}

  private final List<AutoCloseable> closeAfter = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closeAfter) {
      c.close();
    }
  }

  private FrameTransport start(String self, BlockingQueue<Received> inbox) throws IOException {
    return start(SETTINGS, self, inbox);
  }

  private FrameTransport start(TransportSettings settings, String self, BlockingQueue<Received> inbox)
      throws IOException {
    FrameTransport t = FrameTransport.start(settings, "127.0.0.1", self, (from, f) -> inbox.add(new Received(from, f)));
    closeAfter.add(t);
    return t;
  }

  private static LinkFrame frame(String sender, long seq) {
    return LinkFrame.newBuilder().setLockspace("md0").setSender(Node.newBuilder().setName(sender).setIncarnation(1))
        .setSeq(seq).build();
  }

  private record Pair(FrameTransport a, FrameTransport b, BlockingQueue<Received> atB) {}

  /** a and b, a knowing b's endpoint, and one frame from a already received by b. */
  private Pair connectedPair() throws Exception {
    BlockingQueue<Received> atB = new LinkedBlockingQueue<>();
    FrameTransport a = start(A, new LinkedBlockingQueue<>());
    FrameTransport b = start(B, atB);
    a.learn(B, b.endpoint());
    assertTrue(a.send(B, frame(A, 1)));
    assertEquals(1, next(atB).frame().getSeq());
    return new Pair(a, b, atB);
  }

  private static Received next(BlockingQueue<Received> inbox) throws InterruptedException {
    return inbox.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Test
  @DisplayName("frames reach the peer whole, in order, tagged with the hello's agent; nothing before an endpoint is known")
  void framesInOrder() throws Exception {
    BlockingQueue<Received> atB = new LinkedBlockingQueue<>();
    // The burst below is usually queued before the I/O thread has connected: it must fit the bound.
    FrameTransport a = start(ROOMY, A, new LinkedBlockingQueue<>());
    FrameTransport b = start(B, atB);
    assertFalse(a.send(B, frame(A, 1)), "no endpoint known yet: the caller must use Artery");
    a.learn(B, b.endpoint());
    for (long seq = 1; seq <= 2_000; seq++) {
      assertTrue(a.send(B, frame(A, seq)));
    }
    for (long seq = 1; seq <= 2_000; seq++) {
      Received r = next(atB);
      assertEquals(A, r.from());
      assertEquals(frame(A, seq), r.frame());
    }
    assertEquals(java.util.Set.of(B), a.connectedAgents());
  }

  @Test
  @DisplayName("a peer that does not listen: the attempt fails, and frames go over Artery until the retry interval passed")
  void deadEndpointFallsBack() throws Exception {
    FrameTransport a = start(A, new LinkedBlockingQueue<>());
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    a.learn(B, "127.0.0.1:" + port);
    // The first send starts the attempt; it may already have failed (refused at once on loopback)
    // by the time the frame is offered, so its answer is either. Then the refusal holds.
    a.send(B, frame(A, 1));
    await().atMost(WAIT).until(() -> !a.send(B, frame(A, 2)));
    assertTrue(a.connectedAgents().isEmpty());
  }

  @Test
  @DisplayName("an endpoint that is not host:port is refused with a reason: Artery until a valid one is announced")
  void badEndpoint() throws Exception {
    BlockingQueue<Received> atB = new LinkedBlockingQueue<>();
    FrameTransport a = start(A, new LinkedBlockingQueue<>());
    FrameTransport b = start(B, atB);
    a.learn(B, "no-port-here");
    assertFalse(a.send(B, frame(A, 1)));
    a.learn(B, b.endpoint());
    assertTrue(a.send(B, frame(A, 2)), "a valid announcement later lifts the refusal");
    assertEquals(2, next(atB).frame().getSeq());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> FrameTransport.Endpoint.parse("h:70000"));
    assertTrue(e.getMessage().contains("port 70000 outside 1..65535"), e.getMessage());
    assertEquals(new FrameTransport.Endpoint("::1", 9), FrameTransport.Endpoint.parse("[::1]:9"));
  }

  @Test
  @DisplayName("a removed agent: its connections close, its new hellos are refused, nothing is sent to it")
  void forgetRefuses() throws Exception {
    Pair p = connectedPair();
    FrameTransport a = p.a();
    FrameTransport b = p.b();
    BlockingQueue<Received> atB = p.atB();
    b.forget(A);
    a.forget(B);
    assertFalse(a.send(B, frame(A, 2)), "removed: not through this transport (and Artery quarantined it)");
    try (Socket raw = rawPeer(b, A)) {
      write(raw, TransportFrame.newBuilder().setLink(frame(A, 3)).build());
      assertEquals(-1, readOrEnd(raw), "b closes a connection whose hello names a removed agent");
    }
    assertNull(atB.poll(200, TimeUnit.MILLISECONDS));
  }

  @Test
  @DisplayName("a cut drops frames both ways without falling back; a heal lets them through again")
  void cutAndHeal() throws Exception {
    Pair p = connectedPair();
    FrameTransport a = p.a();
    FrameTransport b = p.b();
    BlockingQueue<Received> atB = p.atB();
    b.cut("akka://clustermd@127.0.0.1:1");
    assertTrue(a.send(B, frame(A, 2)), "sent: a's side is not cut");
    a.cut("akka://clustermd@127.0.0.1:2");
    assertTrue(a.send(B, frame(A, 3)), "dropped as a partition drops it: no Artery fallback");
    assertNull(atB.poll(300, TimeUnit.MILLISECONDS), "b dropped 2 on arrival, 3 never left a");
    a.heal("akka://clustermd@127.0.0.1:2");
    b.heal("akka://clustermd@127.0.0.1:1");
    assertTrue(a.send(B, frame(A, 4)));
    assertEquals(4, next(atB).frame().getSeq());
  }

  @Test
  @DisplayName("a peer that breaks the protocol is disconnected and none of its frames are delivered")
  void protocolViolations() throws Exception {
    BlockingQueue<Received> atB = new LinkedBlockingQueue<>();
    FrameTransport b = start(B, atB);
    // a link frame before any hello
    try (Socket raw = raw(b)) {
      write(raw, TransportFrame.newBuilder().setLink(frame(A, 1)).build());
      assertEquals(-1, readOrEnd(raw));
    }
    // a hello of another version
    try (Socket raw = raw(b)) {
      write(raw, TransportFrame.newBuilder().setHello(TransportHello.newBuilder().setSenderAddress(A).setVersion(2))
          .build());
      assertEquals(-1, readOrEnd(raw));
    }
    // a link frame whose sender is not the agent of the hello
    try (Socket raw = rawPeer(b, A)) {
      write(raw, TransportFrame.newBuilder().setLink(frame(B, 1)).build());
      assertEquals(-1, readOrEnd(raw));
    }
    // a frame longer than max-frame-size
    try (Socket raw = rawPeer(b, A)) {
      raw.getOutputStream().write(ByteBuffer.allocate(4).putInt(SETTINGS.maxFrameBytes() + 1).array());
      assertEquals(-1, readOrEnd(raw));
    }
    // bytes that are not protobuf
    try (Socket raw = raw(b)) {
      raw.getOutputStream().write(new byte[] {0, 0, 0, 3, (byte) 0xff, (byte) 0xff, (byte) 0xff});
      assertEquals(-1, readOrEnd(raw));
    }
    assertNull(atB.poll(200, TimeUnit.MILLISECONDS));
    // and a well-behaved peer is still served
    try (Socket raw = rawPeer(b, A)) {
      write(raw, TransportFrame.newBuilder().setLink(frame(A, 9)).build());
      assertEquals(9, next(atB).frame().getSeq());
    }
  }

  @Test
  @DisplayName("a peer that stops reading: the queue bound drops the connection instead of growing without end")
  void queueBounded() throws Exception {
    FrameTransport a = start(A, new LinkedBlockingQueue<>());
    try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      a.learn(B, "127.0.0.1:" + silent.getLocalPort());
      Socket accepted;
      assertTrue(a.send(B, frame(A, 0)));
      accepted = silent.accept();
      closeAfter.add(accepted);
      await().atMost(WAIT).until(() -> a.connectedAgents().contains(B));
      LinkFrame big = frame(A, 1).toBuilder().setLockspace("x".repeat(3_000)).build();
      int sent = 0;
      while (a.send(B, big)) {
        sent++;
        assertTrue(sent < 100_000, "the sender never gave up on a peer that reads nothing");
      }
      assertTrue(a.connectedAgents().isEmpty());
    }
  }

  // ---- raw peers ------------------------------------------------------------------------------

  private static Socket raw(FrameTransport to) throws IOException {
    FrameTransport.Endpoint e = FrameTransport.Endpoint.parse(to.endpoint());
    Socket s = new Socket(e.host(), e.port());
    s.setSoTimeout((int) WAIT.toMillis());
    return s;
  }

  private static Socket rawPeer(FrameTransport to, String as) throws IOException {
    Socket s = raw(to);
    write(s, TransportFrame.newBuilder()
        .setHello(TransportHello.newBuilder().setSenderAddress(as).setVersion(FrameTransport.VERSION)).build());
    return s;
  }

  private static void write(Socket s, TransportFrame f) throws IOException {
    ByteBuffer b = StreamFramer.encode(f.toByteArray());
    OutputStream out = s.getOutputStream();
    out.write(b.array(), 0, b.limit());
    out.flush();
  }

  /** The transport never writes on an accepted connection: -1 means it closed it. */
  private static int readOrEnd(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    try {
      return in.read();
    } catch (java.net.SocketException reset) {
      return -1;
    }
  }
}
