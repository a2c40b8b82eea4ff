package io.clustermd.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * One mdadm-style mode ({@code --examine}, {@code --examine-bitmap}; later {@code --create},
 * {@code --assemble}, {@code --detail}, {@code --manage} talking to the agent). A mode gets the
 * device arguments and the output streams and returns an mdadm exit code.
 */
public interface Mode {
  int run(List<Path> devices, PrintWriter out, PrintWriter err);
}
