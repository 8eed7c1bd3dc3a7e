package org.arithmospora.cli;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;

/**
 * A server out of memory must exit for its supervisor to restart it, never live on with some of its
 * threads dead (clients connected but fed nothing, SIGTERM ignored). The launchers start the JVM
 * with {@code -XX:+ExitOnOutOfMemoryError}, which acts wherever the error is thrown, even where it
 * is caught. Started another way ({@code java -jar}), the server says so at start-up, and a thread
 * that dies of an {@link OutOfMemoryError} still ends the process.
 */
final class OutOfMemoryExit {
  /** The exit status after an {@link OutOfMemoryError}, as the JVM's own flag gives. */
  static final int STATUS = 3;

  private OutOfMemoryExit() {}

  /** Installs the handler for threads that die of it, and warns if the JVM flag is not set. */
  static void install(Logger log) {
    Thread.setDefaultUncaughtExceptionHandler(
        new Halt(Thread.getDefaultUncaughtExceptionHandler()));
    Halt.prepare();
    if (!jvmExitsOnOutOfMemory()) {
      log.warn(
          "This JVM was started without -XX:+ExitOnOutOfMemoryError: out of memory, a thread that "
              + "catches the error would live on without doing its work. Start the server with the "
              + "arithmospora launcher, or add the flag to the java command line.");
    }
  }

  /**
   * Ends the process when a thread dies of an {@link OutOfMemoryError}. Made, loaded and given some
   * room before it is needed: with the heap full, even a lambda's first call or a string
   * concatenation fails (OutOfMemoryExitTest found both).
   */
  private static final class Halt implements Thread.UncaughtExceptionHandler {
    private static final byte[] MESSAGE =
        ("arithmospora: out of memory; exiting so that the supervisor restarts the server"
                + " (raise -Xmx in JAVA_OPTS)\n")
            .getBytes(StandardCharsets.UTF_8);

    // Let go first thing: with the heap full the JVM cannot even call a handler (measured: the
    // error is thrown again on the way in), so a little is kept until it is needed. Never read:
    // holding it is its purpose.
    @SuppressWarnings("UnusedVariable")
    private static volatile byte[] reserve;

    private final Thread.UncaughtExceptionHandler previous;

    Halt(Thread.UncaughtExceptionHandler previous) {
      this.previous = previous;
    }

    /** Loads now what halting needs, which could not be loaded with the heap full. */
    static void prepare() {
      reserve = new byte[2 << 20];
      System.err.write(MESSAGE, 0, 0);
      try {
        Class.forName("java.lang.Shutdown", true, null);
      } catch (ClassNotFoundException e) {
        // Another JVM's internals: loaded when needed, if it can be.
      }
    }

    @Override
    public void uncaughtException(Thread thread, Throwable error) {
      if (error instanceof OutOfMemoryError) {
        reserve = null;
        try {
          System.err.write(MESSAGE, 0, MESSAGE.length);
          System.err.flush();
        } finally {
          Runtime.getRuntime().halt(STATUS);
        }
      }
      if (previous != null) {
        previous.uncaughtException(thread, error);
      } else {
        // What the JVM does without a handler.
        System.err.print("Exception in thread \"" + thread.getName() + "\" ");
        error.printStackTrace();
      }
    }
  }

  /** Whether the JVM itself ends the process on the first {@link OutOfMemoryError}. */
  static boolean jvmExitsOnOutOfMemory() {
    try {
      HotSpotDiagnosticMXBean vm =
          ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
      return vm != null
          && ("true".equals(vm.getVMOption("ExitOnOutOfMemoryError").getValue())
              || "true".equals(vm.getVMOption("CrashOnOutOfMemoryError").getValue()));
    } catch (RuntimeException e) {
      // Not a HotSpot JVM: nothing to tell.
      return true;
    }
  }
}
