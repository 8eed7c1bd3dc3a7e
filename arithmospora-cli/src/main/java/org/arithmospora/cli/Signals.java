package org.arithmospora.cli;

import sun.misc.Signal;

/**
 * SIGTERM and SIGINT as requests to stop. Handling them (rather than relying on shutdown hooks)
 * lets a stop end with exit status 0 after an orderly shutdown, as systemd expects.
 */
final class Signals {
  private Signals() {}

  static void onTermination(Runnable action) {
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        Signal.handle(new Signal(name), s -> action.run());
      } catch (IllegalArgumentException e) {
        // The signal is not available here (or is reserved): the default handling stays.
      }
    }
  }
}
