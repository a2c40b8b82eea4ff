package io.clustermd.bitmap.device;

/**
 * The simulated device lost power ({@link SimulatedBlockDevice#crashAfterWrites(long)}): the
 * operation did not happen and nothing more will until the device is restarted with {@link
 * SimulatedBlockDevice#crash}.
 */
public final class SimulatedCrashException extends DeviceIOException {

  public SimulatedCrashException(String name, long offset) {
    super(name, "I/O", offset, 0, "simulated power loss");
  }
}
