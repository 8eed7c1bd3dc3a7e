package org.arithmospora.ws;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.channels.SocketChannel;

/** Whether this process has a file descriptor to spare, asked by making one. */
final class Descriptors {
  // Found at start-up: once descriptors run out, the JVM cannot load the library that tells it.
  private static final String LIMIT = limit();

  private Descriptors() {}

  /**
   * Opens and closes a socket: true when that worked, so that the accept about to follow has a
   * descriptor (unless another thread takes it in between, which the health check then shows).
   */
  static boolean oneIsFree() {
    try (SocketChannel probe = SocketChannel.open()) {
      return probe.isOpen();
    } catch (IOException e) {
      return false;
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
