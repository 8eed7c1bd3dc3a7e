package org.arithmospora.ws;

import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.Selector;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.java_websocket.WebSocketAdapter;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.WrappedByteChannel;
import org.java_websocket.drafts.Draft;
import org.java_websocket.server.WebSocketServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Empties a Java-WebSocket selector's selected-key set at the end of each round in which it read
 * from a client, which the library never does for keys it only wrote to.
 *
 * <p>Java-WebSocket 1.6.0's selector loop removes a key from the selected-key set when it accepts
 * on it or reads data from it, but not after writing. A key stays in that set with its stale
 * "writable" bit until its client next sends something, and every round of the loop visits it and
 * calls the library's write routine again. Clients of a statistics feed almost never send, so after
 * the handshake every connection stays there. During a connect storm that is ruinous: the library
 * accepts one connection per round, so each new client costs a visit to every client before it, and
 * the storm costs time in proportion to the square of its size (counted: about 52 million empty
 * write calls for two storms of 10,000 clients).
 *
 * <p>Between storms the same stale keys are useful: when a change goes out to every client, the
 * round writes to each key already in the set without waiting for the selector to report it
 * writable again. Sweeping after every write measured a little slower for fan-out (server CPU 124 %
 * against 107 % of a core, 10,000 clients), so the sweep follows reads only: every handshake is a
 * read, so a storm sweeps each round, and a quiet fan-out keeps its set until a client next sends
 * something (a pong).
 *
 * <p>A key whose connection still has frames queued is kept. The library's write routine turns a
 * key's write interest off after it finds the queue empty; if the hub queues a frame and asks for
 * writing in between, the frame waits with no write interest. Without a sweep the stale key is
 * visited in the next round anyway, which hides that race; keeping such keys keeps that rescue.
 *
 * <p>The only place the library's loop calls us between one round and the next is {@code
 * doAdditionalRead}, which calls {@link WrappedByteChannel#readMore} for the connections in its
 * private {@code iqueue}. The sweeper puts a connection of its own there, once per round, whose
 * {@code readMore} clears the set. Clearing after a round is the usual NIO idiom and is safe: every
 * key in the set has been handled in the round just finished, and the selector is level-triggered,
 * so a key still ready for what it is interested in is selected again.
 *
 * <p>The same end-of-round call closes connections whose clients closed them. The library would
 * close one as soon as it reads the end of the stream and then ask the cancelled key whether it is
 * writable, which throws and abandons the round; see {@link #closeAfterRound}.
 *
 * <p>If the library's fields are not found (another version), sweeping is off and the server works
 * as the library alone would. Every method but the constructor and {@link #selectedKeys()} runs on
 * the selector thread.
 */
final class SelectedKeySweeper {
  private static final Logger log = LoggerFactory.getLogger(SelectedKeySweeper.class);
  private static final Field ADDITIONAL_READS = field("iqueue");
  private static final Field SELECTOR = field("selector");

  private final LongSupplier clock;
  private final WebSocketServer server;
  private final WebSocketImpl sweep;
  private List<WebSocketImpl> additionalReads;
  private Selector selector;
  private boolean scheduled;

  /** Whether this round's end clears the whole set, or only {@link #forgotten}. */
  private boolean fullSweep;

  private final List<java.nio.channels.SelectionKey> forgotten = new java.util.ArrayList<>();

  /** Connections whose queue a write emptied this round: the library turns their interest off. */
  private final List<WebSocketImpl> emptied = new java.util.ArrayList<>();

  /**
   * Rounds closer than this count as back to back: the selector did not wait between them, so what
   * the second reads arrived during the first (or it would have been read then).
   */
  private static final long BACK_TO_BACK_NANOS = 2_000_000;

  /** When the round in progress began (its first read or write), or 0 between rounds. */
  private long roundStartedAt;

  private long lastRoundStartedAt;
  private long lastRoundEndedAt;

  /** The earliest that what the round in progress reads can have arrived. */
  private long earliestArrival;

  private final AtomicLong rescued = new AtomicLong();
  private final List<WebSocketImpl> endedStreams = new java.util.ArrayList<>();
  private final AtomicLong closedAfterRound = new AtomicLong();

  SelectedKeySweeper(WebSocketServer server, List<Draft> drafts) {
    this(server, drafts, System::nanoTime);
  }

  /** With the clock rounds are timed by (for tests). */
  SelectedKeySweeper(WebSocketServer server, List<Draft> drafts, LongSupplier clock) {
    this.clock = clock;
    this.server = server;
    this.sweep = new WebSocketImpl((WebSocketAdapter) server, drafts);
    this.sweep.setChannel(new SweepChannel());
  }

  /** Whether this library version lets the sweeper work. */
  static boolean supported() {
    return ADDITIONAL_READS != null && SELECTOR != null;
  }

  /** Asks for the selected keys to be cleared at the end of the current round; after a read. */
  void request() {
    fullSweep = true;
    schedule();
  }

  /**
   * Takes {@code key} out of the selected-key set at the end of the current round: its read held
   * only pongs, which {@link PongFilter} took, so the library saw nothing read and left the key
   * selected; every later round would read it again and find nothing ({@code EAGAIN}).
   */
  void forget(java.nio.channels.SelectionKey key) {
    if (key != null && supported()) {
      forgotten.add(key);
      schedule();
    }
  }

  /**
   * A write has just emptied {@code connection}'s queue, so the library will turn its write
   * interest off. If the hub queues a frame in between, it would wait with no write interest: at
   * the end of the round, after the library's own change, a connection with frames queued and no
   * write interest is asked to write again. This catches the race in the round it happens, at the
   * cost of one check per connection written, not a sweep of every connection.
   */
  void emptied(WebSocketImpl connection) {
    if (supported() && (emptied.isEmpty() || emptied.get(emptied.size() - 1) != connection)) {
      emptied.add(connection);
      schedule();
    }
  }

  /**
   * A connection is about to read or write: the first of a round marks its start, and asks for its
   * end (see {@link #arrivedNoEarlierThan}).
   */
  void roundActivity() {
    if (roundStartedAt != 0 || !supported()) {
      return;
    }
    long now = clock.getAsLong();
    earliestArrival = now - lastRoundEndedAt <= BACK_TO_BACK_NANOS ? lastRoundStartedAt : now;
    roundStartedAt = now;
    schedule();
  }

  /**
   * The earliest time that what a connection reads now can have reached its socket. A selector busy
   * with thousands of connections takes a round of its loop to read what arrived during the round
   * before: data that was there when the previous round began would have been read in it, so when
   * the rounds ran back to back, it came after that. Otherwise (an idle selector, woken by this
   * very data) it came just now.
   */
  long arrivedNoEarlierThan() {
    return roundStartedAt == 0 ? clock.getAsLong() : earliestArrival;
  }

  /** The round in progress has ended: its last connection has been handled. */
  void roundEnded() {
    if (roundStartedAt != 0) {
      lastRoundStartedAt = roundStartedAt;
      lastRoundEndedAt = clock.getAsLong();
      roundStartedAt = 0;
    }
  }

  /** For tests and metrics, from any thread: frames found stranded at the end of a round. */
  long rescued() {
    return rescued.get();
  }

  private void schedule() {
    if (scheduled || !supported()) {
      return;
    }
    List<WebSocketImpl> queue = additionalReads();
    if (queue != null) {
      scheduled = true;
      queue.add(sweep);
    }
  }

  /**
   * Closes a connection whose client closed its end, at the end of the current round rather than at
   * once; false if it cannot, and the caller lets the library close it.
   *
   * <p>The library closes such a connection in the middle of its round and then asks the cancelled
   * key whether it is writable, which throws and abandons the rest of the round. Every closed
   * client thus cost a whole round (an {@code epoll_wait} over all the other ready connections):
   * 10,000 clients dropping at once took seven seconds to close.
   */
  boolean closeAfterRound(WebSocketImpl connection) {
    request();
    if (!scheduled) {
      return false;
    }
    endedStreams.add(connection);
    return true;
  }

  /** For tests, from any thread: connections closed at the end of a round. */
  long closedAfterRound() {
    return closedAfterRound.get();
  }

  /**
   * For tests, from any thread: how many keys are in the selected-key set now. Between rounds it
   * should be none; an approximate read is enough for that.
   */
  int selectedKeys() {
    Object s = read(SELECTOR);
    return s instanceof Selector sel && sel.isOpen() ? sel.selectedKeys().size() : -1;
  }

  @SuppressWarnings("unchecked")
  private List<WebSocketImpl> additionalReads() {
    if (additionalReads == null) {
      additionalReads = (List<WebSocketImpl>) read(ADDITIONAL_READS);
    }
    return additionalReads;
  }

  private void clear() {
    roundEnded();
    scheduled = false;
    if (!emptied.isEmpty()) {
      for (WebSocketImpl connection : emptied) {
        rescueIfStranded(connection);
      }
      emptied.clear();
    }
    if (!endedStreams.isEmpty()) {
      for (WebSocketImpl connection : endedStreams) {
        try {
          connection.eot();
          closedAfterRound.incrementAndGet();
        } catch (RuntimeException e) {
          log.debug("Closing {}: {}", connection.getRemoteSocketAddress(), e.toString());
        }
      }
      endedStreams.clear();
    }
    if (selector == null) {
      selector = (Selector) read(SELECTOR);
    }
    if (selector != null && selector.isOpen()) {
      if (fullSweep) {
        // A key with frames still queued stays: the library may have just turned its write
        // interest off after finding the queue empty, a moment before the hub queued more (the
        // hub's wakeup then finds the key here and writes them).
        selector.selectedKeys().removeIf(key -> !key.isValid() || nothingQueued(key));
      } else {
        // Level-triggered: a key still ready for what it wants is selected again.
        forgotten.forEach(selector.selectedKeys()::remove);
      }
    }
    fullSweep = false;
    forgotten.clear();
  }

  private void rescueIfStranded(WebSocketImpl connection) {
    java.nio.channels.SelectionKey key = connection.getSelectionKey();
    try {
      if (key != null
          && key.isValid()
          && (key.interestOps() & java.nio.channels.SelectionKey.OP_WRITE) == 0
          && !connection.outQueue.isEmpty()) {
        key.interestOps(
            java.nio.channels.SelectionKey.OP_READ | java.nio.channels.SelectionKey.OP_WRITE);
        rescued.incrementAndGet();
      }
    } catch (java.nio.channels.CancelledKeyException e) {
      // Closing: nothing to rescue.
    }
  }

  private static boolean nothingQueued(java.nio.channels.SelectionKey key) {
    return !(key.attachment() instanceof WebSocketImpl conn) || conn.outQueue.isEmpty();
  }

  private Object read(Field f) {
    try {
      return f.get(server);
    } catch (IllegalAccessException | RuntimeException e) {
      log.debug("Cannot reach Java-WebSocket's {}: {}", f.getName(), e.toString());
      return null;
    }
  }

  private static Field field(String name) {
    try {
      Field f = WebSocketServer.class.getDeclaredField(name);
      f.setAccessible(true);
      return f;
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.debug("Selected keys are left to Java-WebSocket: {}", e.toString());
      return null;
    }
  }

  /** The sweeper connection's channel: reading "more" from it is the sweep; it never has data. */
  private final class SweepChannel extends UnbufferedChannel {
    @Override
    public int readMore(ByteBuffer dst) {
      clear();
      return 0;
    }

    @Override
    public boolean isBlocking() {
      return false;
    }

    @Override
    public int read(ByteBuffer dst) {
      return 0;
    }

    @Override
    public int write(ByteBuffer src) {
      return 0;
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {
      // Nothing to close.
    }
  }

  /** A TLS channel that asks for a sweep whenever the selector thread reads from it. */
  static final class SweepingTlsChannel
      implements WrappedByteChannel, org.java_websocket.interfaces.ISSLChannel {
    private final ByteChannel delegate;
    private final WebSocketImpl connection;
    private final SelectedKeySweeper sweeper;
    // As in GatheringChannel: the request's header is bounded, a refusal's answer written.
    private Admission readingHeader;
    private Admission answering;

    SweepingTlsChannel(
        ByteChannel delegate,
        WebSocketImpl connection,
        SelectedKeySweeper sweeper,
        Admission admission) {
      this.delegate = delegate;
      this.connection = connection;
      this.sweeper = sweeper;
      this.readingHeader = admission;
      this.answering = admission;
    }

    /** Bounds the request's header in what was just read; -1 to close after a 431. */
    private int header(ByteBuffer dst, int start, int n) throws java.io.IOException {
      if (readingHeader == null || n <= 0) {
        return n;
      }
      int header = Handshakes.read(readingHeader, dst, start, n, delegate::write);
      if (header < 0) {
        dst.position(start);
        return -1;
      }
      if (header > 0) {
        readingHeader = null;
      }
      return n;
    }

    private WrappedByteChannel wrapped() {
      return (WrappedByteChannel) delegate;
    }

    @Override
    public boolean isNeedWrite() {
      boolean needed = wrapped().isNeedWrite();
      if (!needed) {
        sweeper.emptied(connection); // as GatheringChannel#isNeedWrite
      }
      return needed;
    }

    @Override
    public void writeMore() throws java.io.IOException {
      wrapped().writeMore();
    }

    @Override
    public boolean isNeedRead() {
      return wrapped().isNeedRead();
    }

    @Override
    public int readMore(ByteBuffer dst) throws java.io.IOException {
      int start = dst.position();
      return header(dst, start, wrapped().readMore(dst));
    }

    @Override
    public boolean isBlocking() {
      return wrapped().isBlocking();
    }

    @Override
    public int read(ByteBuffer dst) throws java.io.IOException {
      sweeper.request();
      int start = dst.position();
      int n = header(dst, start, delegate.read(dst));
      return n < 0 && sweeper.closeAfterRound(connection) ? 0 : n;
    }

    /**
     * Writes, telling the transport what of its messages and pings left (as GatheringChannel does).
     */
    @Override
    public int write(ByteBuffer src) throws java.io.IOException {
      if (answering != null && src.hasRemaining()) {
        int replaced = Handshakes.answer(answering, src, delegate::write);
        answering = null;
        if (replaced >= 0) {
          // The library would wait for the client to close a refused connection; close it.
          if (!sweeper.closeAfterRound(connection)) {
            delegate.close();
          }
          return replaced;
        }
      }
      int before = src.remaining();
      int n = delegate.write(src);
      if (connection.getAttachment() instanceof WebSocketTransport t) {
        int wrote = before - src.remaining();
        if (wrote > 0 && WebSocketTransport.isMessage(src)) {
          t.wrote(wrote);
        } else if (wrote > 0 && !src.hasRemaining() && WebSocketTransport.isPing(src)) {
          t.pingWritten(src, System.nanoTime());
        }
      }
      if (before > 0 && !src.hasRemaining()) {
        // Perhaps the last one queued: checked at the end of the round (see #emptied).
        sweeper.emptied(connection);
      }
      return n;
    }

    @Override
    public boolean isOpen() {
      return delegate.isOpen();
    }

    @Override
    public void close() throws java.io.IOException {
      delegate.close();
    }

    @Override
    public javax.net.ssl.SSLEngine getSSLEngine() {
      return ((org.java_websocket.interfaces.ISSLChannel) delegate).getSSLEngine();
    }
  }
}
