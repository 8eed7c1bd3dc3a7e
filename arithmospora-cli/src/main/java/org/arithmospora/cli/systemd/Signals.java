package org.arithmospora.cli.systemd;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGTERM and SIGINT as requests to stop. Handling them (rather than relying on shutdown hooks)
 * lets a stop end with exit status 0 after an orderly shutdown, as systemd expects.
 *
 * <p>{@code sun.misc.Signal} (module {@code jdk.unsupported}) is the JDK's only way to handle a
 * signal. It is reached by reflection because javac warns about every direct use of it, and that
 * warning cannot be suppressed; where it is missing, the default handling stays.
 */
public final class Signals {
  private static final Logger log = LoggerFactory.getLogger(Signals.class);

  private Signals() {}

  /** Runs {@code action} on SIGTERM and on SIGINT, in place of the JVM's default exit. */
  public static void onTermination(Runnable action) {
    try {
      Class<?> signalClass = Class.forName("sun.misc.Signal");
      Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
      Constructor<?> signal = signalClass.getConstructor(String.class);
      Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
      Object handler =
          Proxy.newProxyInstance(
              Signals.class.getClassLoader(),
              new Class<?>[] {handlerClass},
              (proxy, method, args) -> {
                if (method.getName().equals("handle")) {
                  action.run();
                  return null;
                }
                return switch (method.getName()) {
                  case "hashCode" -> System.identityHashCode(proxy);
                  case "equals" -> proxy == args[0];
                  default -> "Signals handler";
                };
              });
      for (String name : new String[] {"TERM", "INT"}) {
        try {
          handle.invoke(null, signal.newInstance(name), handler);
        } catch (InvocationTargetException e) {
          // The signal is not available here (or is reserved): the default handling stays.
          log.debug("SIG{} keeps its default handling: {}", name, e.getCause().toString());
        }
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.warn(
          "Signals keep their default handling (sun.misc.Signal is not usable: {})", e.toString());
    }
  }
}
