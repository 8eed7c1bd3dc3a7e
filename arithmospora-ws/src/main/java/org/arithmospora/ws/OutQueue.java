package org.arithmospora.ws;

import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.util.AbstractQueue;
import java.util.Collection;
import java.util.Iterator;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.java_websocket.WebSocketImpl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lock-free replacement for a connection's outgoing queue.
 *
 * <p>Java-WebSocket gives each connection a {@code LinkedBlockingQueue} that the hub appends to and
 * the selector thread peeks and polls. Profiling 10,000 clients showed a quarter of the selector
 * thread's time in that queue's lock handoffs (park/unpark) with the hub. The library only ever
 * adds, peeks, polls, tests emptiness and clears it on the server side; a {@link
 * ConcurrentLinkedQueue} with a counter does all of that without locks. The field is final, so it
 * is replaced by reflection when the connection is made; if that is refused, the library's queue
 * stays and everything still works, only slower.
 */
final class OutQueue extends AbstractQueue<ByteBuffer> implements BlockingQueue<ByteBuffer> {
  private static final Logger log = LoggerFactory.getLogger(OutQueue.class);
  private static final Field FIELD = field();

  private final ConcurrentLinkedQueue<ByteBuffer> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();

  /** Whether this library version lets the queue be replaced. */
  static boolean supported() {
    return FIELD != null;
  }

  /** A server-side connection with the given drafts and a lock-free queue. */
  static WebSocketImpl newConnection(
      org.java_websocket.WebSocketAdapter listener,
      java.util.List<org.java_websocket.drafts.Draft> drafts) {
    return install(new WebSocketImpl(listener, drafts));
  }

  /** Puts a lock-free queue into a freshly made connection. */
  static WebSocketImpl install(WebSocketImpl connection) {
    if (FIELD != null) {
      try {
        FIELD.set(connection, new OutQueue());
      } catch (IllegalAccessException e) {
        log.debug("Keeping Java-WebSocket's own queue: {}", e.toString());
      }
    }
    return connection;
  }

  private static Field field() {
    try {
      Field f = WebSocketImpl.class.getField("outQueue");
      f.setAccessible(true);
      return f;
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.debug("Keeping Java-WebSocket's own queues: {}", e.toString());
      return null;
    }
  }

  @Override
  public boolean offer(ByteBuffer b) {
    queue.add(b);
    size.incrementAndGet();
    return true;
  }

  @Override
  public ByteBuffer poll() {
    ByteBuffer b = queue.poll();
    if (b != null) {
      size.decrementAndGet();
    }
    return b;
  }

  @Override
  public ByteBuffer peek() {
    return queue.peek();
  }

  @Override
  public boolean isEmpty() {
    return queue.isEmpty();
  }

  @Override
  public int size() {
    return Math.max(0, size.get());
  }

  @Override
  public Iterator<ByteBuffer> iterator() {
    // Weakly consistent and read-only: the selector alone removes, through poll().
    Iterator<ByteBuffer> it = queue.iterator();
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public ByteBuffer next() {
        return it.next();
      }
    };
  }

  @Override
  public void clear() {
    while (poll() != null) {
      // Drain, keeping the count right.
    }
  }

  @Override
  public void put(ByteBuffer b) {
    offer(b);
  }

  @Override
  public boolean offer(ByteBuffer b, long timeout, TimeUnit unit) {
    return offer(b);
  }

  @Override
  public ByteBuffer take() throws InterruptedException {
    // Only a client-side writer thread takes; servers never do. Poll politely if it ever happens.
    ByteBuffer b;
    while ((b = poll()) == null) {
      Thread.sleep(1);
    }
    return b;
  }

  @Override
  public ByteBuffer poll(long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    ByteBuffer b;
    while ((b = poll()) == null) {
      if (System.nanoTime() - deadline >= 0) {
        return null;
      }
      Thread.sleep(1);
    }
    return b;
  }

  @Override
  public int remainingCapacity() {
    return Integer.MAX_VALUE;
  }

  @Override
  public int drainTo(Collection<? super ByteBuffer> c) {
    return drainTo(c, Integer.MAX_VALUE);
  }

  @Override
  public int drainTo(Collection<? super ByteBuffer> c, int maxElements) {
    int n = 0;
    ByteBuffer b;
    while (n < maxElements && (b = poll()) != null) {
      c.add(b);
      n++;
    }
    return n;
  }
}
