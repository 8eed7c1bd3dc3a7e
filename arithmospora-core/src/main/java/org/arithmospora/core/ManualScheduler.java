package org.arithmospora.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.PriorityQueue;

/**
 * A {@link Scheduler} on a virtual clock, for tests: nothing waits in real time. Tasks given to
 * {@link #execute} run at once on the calling thread (after any task already running there);
 * scheduled tasks run, in time order, when {@link #advance(Duration)} moves the clock past them.
 * Thread-safe, but meant to be driven from one test thread.
 */
public final class ManualScheduler implements Scheduler {
  private final PriorityQueue<Timed> timed = new PriorityQueue<>();
  private final ArrayDeque<Runnable> ready = new ArrayDeque<>();
  private Instant now;
  private long order;
  private boolean draining;

  /** A scheduler whose clock starts at {@code start}. */
  public ManualScheduler(Instant start) {
    this.now = start;
  }

  @Override
  public Clock clock() {
    return new Clock() {
      @Override
      public ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException();
      }

      @Override
      public Instant instant() {
        return ManualScheduler.this.now();
      }
    };
  }

  @Override
  public synchronized Instant now() {
    return now;
  }

  @Override
  public void execute(Runnable task) {
    synchronized (this) {
      ready.add(task);
      if (draining) {
        return;
      }
      draining = true;
    }
    drainReady();
  }

  @Override
  public synchronized Cancellable schedule(Duration delay, Runnable task) {
    Timed t = new Timed(now.plus(delay.isNegative() ? Duration.ZERO : delay), order++, task);
    timed.add(t);
    return () -> {
      synchronized (ManualScheduler.this) {
        timed.remove(t);
      }
    };
  }

  /** Moves the clock forward by {@code by}, running every task that falls due on the way. */
  public void advance(Duration by) {
    Instant target;
    synchronized (this) {
      target = now.plus(by);
    }
    while (true) {
      Timed next;
      synchronized (this) {
        next = timed.peek();
        if (next == null || next.due.isAfter(target)) {
          now = target;
          return;
        }
        timed.poll();
        now = next.due;
      }
      execute(next.task);
    }
  }

  /** Moves the clock to {@code moment} (which must not be in the past), running due tasks. */
  public void advanceTo(Instant moment) {
    advance(Duration.between(now(), moment));
  }

  /** Runs the tasks due now without moving the clock. */
  public void runDue() {
    advance(Duration.ZERO);
  }

  /** How many scheduled tasks are waiting. */
  public synchronized int pendingTasks() {
    return timed.size();
  }

  private void drainReady() {
    while (true) {
      Runnable task;
      synchronized (this) {
        task = ready.poll();
        if (task == null) {
          draining = false;
          return;
        }
      }
      try {
        task.run();
      } catch (RuntimeException | Error e) {
        synchronized (this) {
          draining = false;
        }
        throw e;
      }
    }
  }

  private record Timed(Instant due, long order, Runnable task) implements Comparable<Timed> {
    @Override
    public int compareTo(Timed o) {
      int c = due.compareTo(o.due);
      return c != 0 ? c : Long.compare(order, o.order);
    }
  }
}
