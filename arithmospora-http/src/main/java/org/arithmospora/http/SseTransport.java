package org.arithmospora.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.arithmospora.core.wire.EncodedMessage;
import org.arithmospora.hub.Connection;
import org.arithmospora.hub.OutboundMessage;
import org.arithmospora.hub.OutboundRound;
import org.arithmospora.hub.Transport;

/**
 * One server-sent events stream as a hub {@link Transport}. Each message becomes {@code event:
 * <event>\ndata: <payload>\n\n}, built once per message and shared by every stream as a read-only
 * view. When the hub says the client is caught up, an {@code id: <epoch>-<sequence>} block follows
 * (a block with an id and no data sets the browser's last event id without firing an event), so
 * that {@code Last-Event-ID} is an exact point to resume from.
 *
 * <p>An event stream has no acknowledgements: a request for one is answered when everything written
 * before it has left for the network (Netty completes a write's promise then), and the kernel's
 * send buffer is kept small ({@link WebServer}) so that "left" is close to "read". When nothing was
 * written since the last request, a comment ({@code :\n}) carries it, which also keeps proxies from
 * closing an idle stream.
 *
 * <p>The hub calls it on its thread; {@link #flush()} hands the batch to the channel's event loop
 * in one task.
 */
// Netty's writes and closes return futures by the dozen; a failed write closes the channel, which
// the hub hears through closeFuture(), so the futures that matter have listeners.
@SuppressWarnings("FutureReturnValueIgnored")
final class SseTransport implements Transport {
  /** How a message becomes an event: once per message, shared by every stream. */
  static final Function<EncodedMessage, ByteBuf> FRAMING = SseTransport::frame;

  /** What HTTP/1.1 chunked encoding adds to each write: the size in hex and two CRLFs. */
  private static final int CHUNK_OVERHEAD = 8;

  private static final ByteBuf KEEP_ALIVE =
      Unpooled.unreleasableBuffer(
          Unpooled.wrappedBuffer(":\n".getBytes(StandardCharsets.US_ASCII)).asReadOnly());

  private final Channel channel;
  private final String epoch;
  private final String remote;
  private volatile Connection connection;
  private final AtomicLong written = new AtomicLong();

  // Hub thread only, until flush() hands them over: ByteBufs to write and Long tokens to ack.
  private List<Object> queued = new ArrayList<>();
  private long queuedCounted;

  SseTransport(Channel channel, String epoch) {
    this.channel = channel;
    this.epoch = epoch;
    this.remote = String.valueOf(channel.remoteAddress());
  }

  /** Attaches the hub's handle once {@link org.arithmospora.hub.Hub#connect} returned it. */
  void attach(Connection c) {
    this.connection = c;
    channel.closeFuture().addListener(f -> c.closed());
  }

  private static ByteBuf frame(EncodedMessage m) {
    byte[] head = ("event: " + m.event() + "\ndata: ").getBytes(StandardCharsets.UTF_8);
    ByteBuf payload = Unpooled.wrappedBuffer(m.payload());
    ByteBuf tail = Unpooled.wrappedBuffer(new byte[] {'\n', '\n'});
    // JSON from Jackson has no raw newline, so the payload is one data line.
    ByteBuf whole = Unpooled.buffer(head.length + payload.readableBytes() + 2);
    whole.writeBytes(head).writeBytes(payload).writeBytes(tail);
    return Unpooled.unreleasableBuffer(whole.asReadOnly());
  }

  @Override
  public int send(OutboundMessage message) {
    ByteBuf frame = message.framed(FRAMING);
    queued.add(frame.duplicate());
    int counted = frame.readableBytes() + CHUNK_OVERHEAD;
    queuedCounted += counted;
    return counted;
  }

  /** A round's events in one buffer, built once for every stream that takes it: one chunk. */
  @Override
  public int sendRound(OutboundRound round) {
    ByteBuf events = round.framed(FRAMING, SseTransport::join);
    queued.add(events.duplicate());
    int counted = events.readableBytes() + CHUNK_OVERHEAD;
    queuedCounted += counted;
    return counted;
  }

  private static ByteBuf join(List<ByteBuf> events) {
    int size = 0;
    for (ByteBuf e : events) {
      size += e.readableBytes();
    }
    ByteBuf whole = Unpooled.buffer(size);
    for (ByteBuf e : events) {
      whole.writeBytes(e, e.readerIndex(), e.readableBytes());
    }
    return Unpooled.unreleasableBuffer(whole.asReadOnly());
  }

  @Override
  public void caughtUp(long sequence) {
    queued.add(
        Unpooled.wrappedBuffer(
            ("id: " + epoch + "-" + sequence + "\n\n").getBytes(StandardCharsets.US_ASCII)));
  }

  @Override
  public void requestAck(long token) {
    queued.add(token);
  }

  /**
   * Its acknowledgements say only that bytes left for the kernel, whose send buffer may still hold
   * what Linux allows for {@link WebServer#SEND_BUFFER_BYTES}: twice that. A slow reader frees it
   * only as it reads.
   */
  @Override
  public long acknowledgedAheadOfReading() {
    return 2L * WebServer.SEND_BUFFER_BYTES;
  }

  @Override
  public void flush() {
    if (queued.isEmpty()) {
      return;
    }
    List<Object> batch = queued;
    long counted = queuedCounted;
    queued = new ArrayList<>();
    queuedCounted = 0;
    channel.eventLoop().execute(() -> write(batch, counted));
  }

  private void write(List<Object> batch, long counted) {
    if (!channel.isActive()) {
      return;
    }
    ChannelFuture last = null;
    long token = -1;
    for (Object item : batch) {
      if (item instanceof ByteBuf b) {
        last = channel.write(new DefaultHttpContent(b));
      } else {
        token = (Long) item;
      }
    }
    if (last == null) {
      last = channel.write(new DefaultHttpContent(KEEP_ALIVE.duplicate()));
    }
    long acked = token;
    last.addListener(
        f -> {
          if (f.isSuccess()) {
            written.addAndGet(counted);
            Connection c = connection;
            if (acked >= 0 && c != null) {
              c.acknowledged(acked);
            }
          }
        });
    channel.flush();
  }

  @Override
  public long bytesWritten() {
    return written.get();
  }

  @Override
  public void close(int code, String reason) {
    channel
        .eventLoop()
        .execute(
            () -> {
              if (channel.isActive()) {
                byte[] bye =
                    (": closing, " + code + " " + reason + "\n\n").getBytes(StandardCharsets.UTF_8);
                channel.write(new DefaultHttpContent(Unpooled.wrappedBuffer(bye)));
                channel
                    .writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
                    .addListener(f -> channel.close());
              }
            });
  }

  @Override
  public void abort(String reason) {
    channel.close();
  }

  @Override
  public String describe() {
    return remote + " (event stream)";
  }
}
