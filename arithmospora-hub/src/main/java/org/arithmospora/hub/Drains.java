package org.arithmospora.hub;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * How every transport drains its clients for a restart: in random order, spread evenly over a time,
 * so that the servers that take them over see a steady stream rather than a herd.
 */
public final class Drains {
  private Drains() {}

  /**
   * Runs {@code close} for each of {@code clients}, shuffled, the i-th at {@code spread * i / n}
   * from now; returns after the last, or at once when the thread is interrupted (it stays
   * interrupted). An exception from {@code close} (a client already gone) does not stop the others.
   *
   * @return how many were closed
   */
  public static <T> int spread(Collection<T> clients, Duration spread, Consumer<T> close) {
    List<T> all = new ArrayList<>(clients);
    Collections.shuffle(all);
    long started = System.nanoTime();
    int closed = 0;
    for (int i = 0; i < all.size(); i++) {
      long wait = started + spread.toNanos() * i / all.size() - System.nanoTime();
      if (wait > 0) {
        try {
          TimeUnit.NANOSECONDS.sleep(wait);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return closed;
        }
      }
      try {
        close.accept(all.get(i));
        closed++;
      } catch (RuntimeException e) {
        // Already gone.
      }
    }
    return closed;
  }
}
