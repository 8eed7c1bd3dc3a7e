package org.arithmospora.ws;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/** Whether this process has a file descriptor to spare, asked by making one. */
final class Descriptors {
  // Found at start-up: once descriptors run out, the JVM cannot load the library that tells it.
  private static final String LIMIT = limit();

  private Descriptors() {}

  /**
   * Opens and closes {@code n} sockets at once: true when that worked, so that the accept about to
   * follow has a descriptor even when the other selector threads, which share the port, accept at
   * the same moment (one each). Another thread can still take one in between, which the health
   * check then shows.
   */
  static boolean free(int n) {
    List<SocketChannel> probes = new ArrayList<>(n);
    try {
      for (int i = 0; i < n; i++) {
        probes.add(SocketChannel.open());
      }
      return true;
    } catch (IOException e) {
      return false;
    } finally {
      for (SocketChannel p : probes) {
        try {
          p.close();
        } catch (IOException ignored) {
          // A probe that never carried anything.
        }
      }
    }
  }

  /** ", limit N" with the process's descriptor limit where the JVM tells it; empty otherwise. */
  static String limitText() {
    return LIMIT;
  }

  private static String limit() {
    try {
      if (ManagementFactory.getOperatingSystemMXBean()
          instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
        return ", limit " + unix.getMaxFileDescriptorCount();
      }
    } catch (RuntimeException | LinkageError e) {
      // Not told: the message goes without it.
    }
    return "";
  }
}
