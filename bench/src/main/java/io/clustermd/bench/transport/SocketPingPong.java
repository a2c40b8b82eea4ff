package io.clustermd.bench.transport;

import io.clustermd.bench.Samples;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The floor under every transit of a lock or a broadcast: a bare TCP round trip between two threads
 * of this JVM on loopback (blocking sockets with TCP_NODELAY, fixed-size messages, an echo thread).
 * Each round trip is two thread wake-ups and four system calls; one hop of the DLM's frame transport
 * costs about half of one. {@code reference/perf.md} measured 14–57 µs here; the VM has given
 * anything from that to 0.5 ms on other days, so the broadcast and lock benchmarks are read against
 * this number measured the same day.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.clustermd.bench.transport.SocketPingPong --round-trips 20000 --rounds 3</pre>
 */
@Command(name = "socket-ping-pong", mixinStandardHelpOptions = true,
    description = "Round trip of a small message over a loopback TCP connection between two threads of this JVM.")
public final class SocketPingPong implements Callable<Integer> {

  @Option(names = "--round-trips", defaultValue = "20000", description = "Round trips per round (default: ${DEFAULT-VALUE}).")
  int roundTrips;

  @Option(names = "--rounds", defaultValue = "3", description = "Rounds; the first is warm-up (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--bytes", defaultValue = "64", description = "Message size (default: ${DEFAULT-VALUE}).")
  int bytes;

  public static void main(String[] args) {
    System.exit(new CommandLine(new SocketPingPong()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (roundTrips < 100 || rounds < 2 || bytes < 1 || bytes > 65_536) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "need --round-trips >= 100, --rounds >= 2 (the first round is warm-up) and 1 <= --bytes <= 65536; got "
              + roundTrips + ", " + rounds + " and " + bytes);
    }
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
        Socket served = server.accept()) {
      client.setTcpNoDelay(true);
      served.setTcpNoDelay(true);
      Thread echo = new Thread(() -> echo(served), "socket-ping-pong-echo");
      echo.setDaemon(true);
      echo.start();
      DataOutputStream out = new DataOutputStream(client.getOutputStream());
      DataInputStream in = new DataInputStream(client.getInputStream());
      byte[] message = new byte[bytes];
      System.out.printf(Locale.ROOT, "load average at start: %s%n", Samples.loadAverage());
      for (int round = 0; round < rounds; round++) {
        long[] nanos = new long[roundTrips];
        for (int i = 0; i < roundTrips; i++) {
          long start = System.nanoTime();
          out.write(message);
          out.flush();
          in.readFully(message);
          nanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        System.out.printf(Locale.ROOT, "round %d%s: %d round trips of %d bytes, p50 %.1f µs, p90 %.1f µs, p99 %.1f µs%n",
            round, round == 0 ? " (warm-up)" : "", roundTrips, bytes, Samples.quantile(nanos, 0.5) / 1e3,
            Samples.quantile(nanos, 0.9) / 1e3, Samples.quantile(nanos, 0.99) / 1e3);
      }
      System.out.printf(Locale.ROOT, "load average at end: %s%n", Samples.loadAverage());
      return 0;
    }
  }

  private void echo(Socket s) {
    byte[] buf = new byte[bytes];
    try {
      DataInputStream in = new DataInputStream(s.getInputStream());
      OutputStream out = s.getOutputStream();
      while (true) {
        in.readFully(buf);
        out.write(buf);
        out.flush();
      }
    } catch (IOException closed) {
      // the measuring side closed the connection: the run is over
    }
  }


}
