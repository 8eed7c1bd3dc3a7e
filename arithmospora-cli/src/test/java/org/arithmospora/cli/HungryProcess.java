package org.arithmospora.cli;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * A process for {@link OutOfMemoryExitTest}: installs what {@code serve} installs, then lets one
 * thread eat the heap while the main thread waits, as a server's main thread waits for SIGTERM.
 */
public final class HungryProcess {
  // Reachable from a static field, so that nothing of it can be collected.
  static volatile List<long[]> eaten;

  private HungryProcess() {}

  public static void main(String[] args) throws Exception {
    OutOfMemoryExit.install(LoggerFactory.getLogger(HungryProcess.class));
    Thread hog =
        new Thread(
            () -> {
              eaten = new ArrayList<>();
              try {
                while (true) {
                  eaten.add(new long[1 << 16]);
                }
              } catch (OutOfMemoryError e) {
                // Then the crumbs: a full heap has no room left for anything small either.
              }
              while (true) {
                eaten.add(new long[4]);
              }
            },
            "hog");
    hog.start();
    Thread.sleep(120_000);
    System.out.println("STILL HERE");
  }
}
