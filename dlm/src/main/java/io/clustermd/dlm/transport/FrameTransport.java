package io.clustermd.dlm.transport;

import io.clustermd.dlm.core.link.StreamFramer;
import io.clustermd.proto.dlm.LinkFrame;
import io.clustermd.proto.dlm.TransportFrame;
import io.clustermd.proto.dlm.TransportHello;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DLM's own path for link frames: one TCP connection per ordered pair of agents, written only
 * by the agent that opened it (so neither side ever has to choose between two connections).
 *
 * <p>Why not Artery: a frame sent through an actor crosses the sender's actor dispatcher, Artery's
 * outbound stream, the inbound stream and the receiver's dispatcher; on two vCPUs each hop is a
 * thread wake-up, and a round trip costs several times a socket's (reference/perf.md §1.1, §4).
 * Here a frame is written by the thread that produced it (inside the lockspace's monitor, never
 * blocking: what the socket does not take at once is queued and flushed by the I/O thread) and is
 * handled by the receiver's single I/O thread, which calls the lockspace directly.
 *
 * <p>What the reliable link above already gives is not repeated: ordering, acknowledgement,
 * retransmission and duplicate suppression are {@code ReliableLink}'s. So this class may lose
 * frames whenever a connection breaks, and {@link #send} may decline a frame (no endpoint known
 * yet, or the last attempt to connect failed less than {@code retry-interval} ago), in which case
 * the caller sends it over Artery. A frame that arrives by the other path out of order is a gap
 * for the link's go-back-N, which retransmits it.
 *
 * <p>Membership stays Akka's: {@link #forget} (on Akka's MemberRemoved) closes the agent's
 * connections and refuses it from then on, as Artery's quarantine does, so that a removed agent's
 * late frames cannot reach a lockspace that already recovered its locks. {@link #cut} drops
 * everything to and from an address, for partitions in tests (beside Artery's test-mode blackhole).
 */
public final class FrameTransport implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(FrameTransport.class);

  /** The version in our hello; a peer that says another is refused. */
  public static final int VERSION = 1;

  /** Agents refused after their removal; the oldest is forgotten past this (uids never return). */
  private static final int REMOVED_REMEMBERED = 4096;

  private static final long SELECT_MILLIS = 100;

  /** Where received link frames go; called on the transport's I/O thread, one frame at a time. */
  @FunctionalInterface
  public interface Receiver {
    void onFrame(String fromAgent, LinkFrame frame);
  }

  /** An agent's announced listening address. */
  record Endpoint(String host, int port) {
    static Endpoint parse(String hostPort) {
      int colon = hostPort.lastIndexOf(':');
      if (colon <= 0 || colon == hostPort.length() - 1) {
        throw new IllegalArgumentException("endpoint \"" + hostPort + "\" is not host:port");
      }
      String host = hostPort.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      int port;
      try {
        port = Integer.parseInt(hostPort.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("endpoint \"" + hostPort + "\" has no numeric port", e);
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("endpoint \"" + hostPort + "\" has port " + port + " outside 1..65535");
      }
      return new Endpoint(host, port);
    }

    @Override
    public String toString() {
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
  }

  private final TransportSettings settings;
  private final String selfKey;
  private final Receiver receiver;
  private final Selector selector;
  private final ServerSocketChannel server;
  private final Endpoint endpoint;
  private final Thread io;
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();
  private final Map<String, Outbound> outbound = new ConcurrentHashMap<>();
  /** System.nanoTime() before which no new connection to the agent is tried. */
  private final Map<String, Long> retryAfter = new ConcurrentHashMap<>();
  private final Set<String> cutAddresses = ConcurrentHashMap.newKeySet();
  private final Set<String> removed = Collections.synchronizedSet(Collections.newSetFromMap(
      new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
          return size() > REMOVED_REMEMBERED;
        }
      }));
  /** I/O thread only. */
  private final List<Inbound> inbound = new ArrayList<>();
  /** I/O thread only. */
  private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(64 * 1024);
  private volatile boolean closed;

  private FrameTransport(TransportSettings settings, String selfKey, Receiver receiver, Selector selector,
      ServerSocketChannel server, Endpoint endpoint) {
    this.settings = settings;
    this.selfKey = selfKey;
    this.receiver = receiver;
    this.selector = selector;
    this.server = server;
    this.endpoint = endpoint;
    this.io = new Thread(this::run, "clustermd-dlm-transport-" + endpoint.port());
    this.io.setDaemon(true);
  }

  /**
   * Listens on {@code host} (port from the settings, 0 for any free one) and starts the I/O thread.
   * {@code selfKey} is this agent's key, sent in the hello of every connection it opens.
   */
  public static FrameTransport start(TransportSettings settings, String host, String selfKey, Receiver receiver)
      throws IOException {
    Selector selector = Selector.open();
    ServerSocketChannel server = ServerSocketChannel.open();
    try {
      server.bind(new InetSocketAddress(host, settings.port()));
      server.configureBlocking(false);
      server.register(selector, SelectionKey.OP_ACCEPT);
    } catch (IOException | RuntimeException e) {
      server.close();
      selector.close();
      throw new IOException("clustermd DLM transport cannot listen on " + host + ":" + settings.port() + ": "
          + e.getMessage(), e);
    }
    int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
    FrameTransport t = new FrameTransport(settings, selfKey, receiver, selector, server, new Endpoint(host, port));
    t.io.start();
    LOG.info("dlm.transport.listening endpoint={} agent={}", t.endpoint, selfKey);
    return t;
  }

  /** "host:port" where this agent accepts connections: announced to the other agents. */
  public String endpoint() {
    return endpoint.toString();
  }

  /**
   * Learns where {@code agent} listens (from its announcement). An unparsable endpoint is logged and
   * ignored: frames to that agent keep going over Artery.
   */
  public void learn(String agent, String hostPort) {
    if (hostPort.isEmpty() || removed.contains(agent)) {
      return;
    }
    Endpoint e;
    try {
      e = Endpoint.parse(hostPort);
    } catch (IllegalArgumentException bad) {
      if (endpoints.remove(agent) != null || !retryAfter.containsKey(agent)) {
        LOG.warn("dlm.transport.endpoint.refused agent={} reason=\"{}\"; its frames go over Artery", agent,
            bad.getMessage());
      }
      retryAfter.put(agent, Long.MAX_VALUE);
      return;
    }
    // An endpoint refused earlier blocked this agent for good; a valid one lifts that.
    retryAfter.remove(agent, Long.MAX_VALUE);
    Endpoint before = endpoints.put(agent, e);
    if (before != null && !before.equals(e)) {
      Outbound o = outbound.get(agent);
      if (o != null) {
        o.fail("the agent announced a new endpoint " + e);
      }
    }
  }

  /**
   * Sends {@code frame} to {@code agent} over this transport. False when it cannot carry the frame
   * now (no endpoint known, the agent was removed, or a recent connection attempt failed): send it
   * over Artery instead. True means taken (it may still be lost if the connection breaks, as a cut
   * drops it on purpose).
   */
  public boolean send(String agent, LinkFrame frame) {
    if (closed || removed.contains(agent)) {
      return false;
    }
    if (isCut(agent)) {
      return true;
    }
    Outbound o = outbound.get(agent);
    if (o == null) {
      Endpoint e = endpoints.get(agent);
      Long after = retryAfter.get(agent);
      if (e == null || (after != null && System.nanoTime() - after < 0)) {
        return false;
      }
      o = outbound.computeIfAbsent(agent, a -> open(a, e));
    }
    return o.offer(StreamFramer.encode(TransportFrame.newBuilder().setLink(frame).build().toByteArray()));
  }

  /** The agent left the cluster (Akka removed it): close its connections and refuse it from now on. */
  public void forget(String agent) {
    removed.add(agent);
    endpoints.remove(agent);
    retryAfter.remove(agent);
    Outbound o = outbound.get(agent);
    if (o != null) {
      o.fail("the agent was removed from the cluster");
    }
    submit(() -> {
      for (Inbound in : new ArrayList<>(inbound)) {
        if (agent.equals(in.agent)) {
          in.close("the agent was removed from the cluster");
        }
      }
    });
  }

  /** Drops every frame to and from agents at {@code address} (an Akka address), as a partition does. */
  public void cut(String address) {
    cutAddresses.add(address);
  }

  public void heal(String address) {
    cutAddresses.remove(address);
  }

  /** Connections this agent opened that are up, by agent (for status and tests). */
  public Set<String> connectedAgents() {
    Set<String> up = new java.util.TreeSet<>();
    outbound.forEach((agent, o) -> {
      if (o.isConnected()) {
        up.add(agent);
      }
    });
    return up;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    selector.wakeup();
    if (Thread.currentThread() != io) {
      try {
        io.join(TimeUnit.SECONDS.toMillis(2));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private boolean isCut(String agent) {
    if (cutAddresses.isEmpty()) {
      return false;
    }
    int hash = agent.lastIndexOf('#');
    return cutAddresses.contains(hash < 0 ? agent : agent.substring(0, hash));
  }

  private void submit(Runnable task) {
    tasks.add(task);
    selector.wakeup();
  }

  // ---- the I/O thread -------------------------------------------------------------------------

  private void run() {
    try {
      while (!closed) {
        selector.select(SELECT_MILLIS);
        for (Runnable t; (t = tasks.poll()) != null; ) {
          t.run();
        }
        Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        while (keys.hasNext()) {
          SelectionKey k = keys.next();
          keys.remove();
          ready(k);
        }
        expireConnects(System.nanoTime());
      }
    } catch (IOException | RuntimeException e) {
      LOG.error("dlm.transport.stopped endpoint={} reason=\"{}\"; frames go over Artery", endpoint, e.toString(), e);
      closed = true;
    } finally {
      closeAll();
    }
  }

  private void ready(SelectionKey k) {
    try {
      if (!k.isValid()) {
        return;
      }
      if (k.isAcceptable()) {
        accept();
      } else if (k.attachment() instanceof Outbound o) {
        o.ready(k);
      } else if (k.attachment() instanceof Inbound in) {
        in.readAll();
      }
    } catch (CancelledKeyException e) {
      // closed by another thread meanwhile: nothing left to do for it
    }
  }

  private void accept() {
    for (;;) {
      SocketChannel c;
      try {
        c = server.accept();
        if (c == null) {
          return;
        }
        c.configureBlocking(false);
        c.setOption(StandardSocketOptions.TCP_NODELAY, true);
      } catch (IOException e) {
        LOG.warn("dlm.transport.accept.failed endpoint={} reason=\"{}\"", endpoint, e.getMessage());
        return;
      }
      Inbound in = new Inbound(c);
      try {
        c.register(selector, SelectionKey.OP_READ, in);
        inbound.add(in);
      } catch (IOException e) {
        in.close("register failed: " + e.getMessage());
      }
    }
  }

  private void expireConnects(long now) {
    for (Outbound o : outbound.values()) {
      if (!o.isConnected() && now - o.openedNanos > TimeUnit.MILLISECONDS.toNanos(settings.connectTimeoutMillis())) {
        o.fail("no connection within " + settings.connectTimeoutMillis() + " ms");
      }
    }
  }

  private void closeAll() {
    for (Outbound o : new ArrayList<>(outbound.values())) {
      o.fail("the transport is closing");
    }
    for (Inbound in : new ArrayList<>(inbound)) {
      in.close("the transport is closing");
    }
    try {
      server.close();
      selector.close();
    } catch (IOException e) {
      LOG.warn("dlm.transport.close.failed endpoint={} reason=\"{}\"", endpoint, e.getMessage());
    }
  }

  private Outbound open(String agent, Endpoint to) {
    Outbound o = new Outbound(agent, to);
    o.queue(StreamFramer.encode(TransportFrame.newBuilder()
        .setHello(TransportHello.newBuilder().setSenderAddress(selfKey).setVersion(VERSION)).build().toByteArray()));
    submit(o::connect);
    return o;
  }

  /** A connection this agent opened to send frames: written by any thread, flushed by the I/O thread. */
  private final class Outbound {
    final String agent;
    final Endpoint to;
    final long openedNanos = System.nanoTime();
    private final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>();
    private long pendingBytes;
    private SocketChannel channel;
    private SelectionKey key;
    private boolean connected;
    private boolean failed;

    Outbound(String agent, Endpoint to) {
      this.agent = agent;
      this.to = to;
    }

    synchronized boolean isConnected() {
      return connected;
    }

    /** I/O thread: start the connection. */
    void connect() {
      synchronized (this) {
        if (failed) {
          return;
        }
        try {
          channel = SocketChannel.open();
          channel.configureBlocking(false);
          channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
          boolean done = channel.connect(new InetSocketAddress(to.host(), to.port()));
          key = channel.register(selector, done ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, this);
          if (done) {
            connectedNow();
          }
        } catch (IOException | RuntimeException e) {
          fail("connect to " + to + ": " + e);
        }
      }
    }

    /** I/O thread: the channel is ready. */
    void ready(SelectionKey k) {
      synchronized (this) {
        if (failed) {
          return;
        }
        try {
          if (k.isConnectable()) {
            channel.finishConnect();
            connectedNow();
          }
          if (k.isValid() && k.isWritable()) {
            flush();
          }
          if (k.isValid() && k.isReadable()) {
            readBuffer.clear();
            int n = channel.read(readBuffer);
            // the peer never writes on a connection we opened: any byte or the end is a failure
            fail(n < 0 ? "closed by the peer" : "the peer wrote " + n + " bytes on a send-only connection");
          }
        } catch (IOException e) {
          fail(e.toString());
        }
      }
    }

    private void connectedNow() throws IOException {
      connected = true;
      retryAfter.remove(agent);
      LOG.info("dlm.transport.connected agent={} endpoint={}", agent, to);
      flush();
    }

    /** Any thread: takes one encoded frame. */
    synchronized boolean offer(ByteBuffer frame) {
      if (failed) {
        return false;
      }
      if (connected && pending.isEmpty()) {
        try {
          channel.write(frame);
        } catch (IOException e) {
          fail("write: " + e);
          return true;
        }
        if (!frame.hasRemaining()) {
          return true;
        }
      }
      queue(frame);
      if (pendingBytes > settings.queuedBytesMax()) {
        fail(pendingBytes + " bytes queued (the peer does not read; limit " + settings.queuedBytesMax() + ")");
      } else if (connected) {
        key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        selector.wakeup();
      }
      return true;
    }

    synchronized void queue(ByteBuffer frame) {
      pending.add(frame);
      pendingBytes += frame.remaining();
    }

    private void flush() throws IOException {
      while (!pending.isEmpty()) {
        ByteBuffer head = pending.peek();
        pendingBytes -= channel.write(head);
        if (head.hasRemaining()) {
          key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
          return;
        }
        pending.poll();
      }
      key.interestOps(SelectionKey.OP_READ);
    }

    /** Any thread: drop the connection and what it queued; frames go over Artery for a while. */
    synchronized void fail(String reason) {
      if (failed) {
        return;
      }
      failed = true;
      pending.clear();
      pendingBytes = 0;
      outbound.remove(agent, this);
      if (!closed && !removed.contains(agent)) {
        retryAfter.put(agent, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.retryMillis()));
      }
      if (channel != null) {
        try {
          channel.close();
        } catch (IOException e) {
          // closing a broken socket: nothing more to learn
        }
      }
      LOG.info("dlm.transport.down agent={} endpoint={} reason=\"{}\" connected={}", agent, to, reason, connected);
    }
  }

  /** A connection another agent opened to us: read by the I/O thread only. */
  private final class Inbound {
    final SocketChannel channel;
    final StreamFramer framer = new StreamFramer(settings.maxFrameBytes());
    final String remote;
    String agent;

    Inbound(SocketChannel channel) {
      this.channel = channel;
      String r;
      try {
        r = String.valueOf(channel.getRemoteAddress());
      } catch (IOException e) {
        r = "?";
      }
      this.remote = r;
    }

    void readAll() {
      try {
        for (;;) {
          readBuffer.clear();
          int n = channel.read(readBuffer);
          if (n < 0) {
            close("closed by the peer");
            return;
          }
          if (n == 0) {
            return;
          }
          readBuffer.flip();
          for (byte[] bytes : framer.feed(readBuffer)) {
            if (!handle(TransportFrame.parseFrom(bytes))) {
              return;
            }
          }
        }
      } catch (IOException e) {
        close(e.toString());
      } catch (StreamFramer.FramingException e) {
        close("framing: " + e.getMessage());
      }
    }

    /** False when the connection was closed. */
    private boolean handle(TransportFrame f) {
      if (agent == null) {
        if (!f.hasHello()) {
          close("the first frame is " + f.getKindCase() + ", not a hello");
          return false;
        }
        TransportHello h = f.getHello();
        if (h.getVersion() != VERSION) {
          close("hello version " + h.getVersion() + "; this agent speaks " + VERSION);
          return false;
        }
        if (h.getSenderAddress().isEmpty() || removed.contains(h.getSenderAddress())) {
          close("hello from " + (h.getSenderAddress().isEmpty() ? "an unnamed agent" : "removed agent "
              + h.getSenderAddress()));
          return false;
        }
        agent = h.getSenderAddress();
        LOG.info("dlm.transport.accepted agent={} remote={}", agent, remote);
        return true;
      }
      if (!f.hasLink()) {
        close("frame " + f.getKindCase() + " after the hello; only link frames may follow");
        return false;
      }
      LinkFrame link = f.getLink();
      if (!link.getSender().getName().equals(agent)) {
        close("link frame from member " + link.getSender().getName() + " on the connection of agent " + agent);
        return false;
      }
      if (isCut(agent) || removed.contains(agent)) {
        return true;
      }
      try {
        receiver.onFrame(agent, link);
      } catch (RuntimeException e) {
        LOG.error("dlm.transport.receiver.failed agent={} lockspace={}", agent, link.getLockspace(), e);
      }
      return true;
    }

    void close(String reason) {
      inbound.remove(this);
      try {
        channel.close();
      } catch (IOException e) {
        // closing a broken socket: nothing more to learn
      }
      if (!closed) {
        LOG.info("dlm.transport.closed agent={} remote={} reason=\"{}\"", agent == null ? "(no hello)" : agent,
            remote, reason);
      }
    }
  }
}
