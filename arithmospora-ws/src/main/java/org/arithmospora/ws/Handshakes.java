package org.arithmospora.ws;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.List;
import org.java_websocket.WebSocketAdapter;
import org.java_websocket.WebSocketImpl;

/**
 * The steps of a handshake that the connections' channels take on the library's behalf: making a
 * connection with a draft of its own, counting it at accept, bounding its request header and
 * writing the answer its refusal decided (see {@link Admission}).
 */
final class Handshakes {
  private static final byte[] SWITCHING =
      "HTTP/1.1 101".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /** Writes to a connection's socket (plain or TLS). */
  @FunctionalInterface
  interface SocketWrite {
    int write(ByteBuffer bytes) throws IOException;
  }

  private Handshakes() {}

  /**
   * A new server-side connection whose draft answers refusals through an {@link Admission} of its
   * own, held as the connection's attachment until the upgrade.
   */
  static WebSocketImpl newConnection(
      WebSocketAdapter listener, ServerDraft draft, Admissions admissions) {
    Admission admission = admissions.newAdmission();
    WebSocketImpl connection =
        OutQueue.newConnection(listener, List.of(draft.forConnection(admission)));
    connection.setAttachment(admission);
    return connection;
  }

  /** Counts a connection just accepted; returns its admission (null if it has none). */
  static Admission accepted(WebSocketImpl connection, SocketChannel socket, Admissions admissions) {
    if (!(connection.getAttachment() instanceof Admission a)) {
      return null;
    }
    admissions.accepted(a, connection, socket);
    return a;
  }

  /**
   * Looks through {@code n} bytes just read into {@code dst} from {@code start} for the end of the
   * request's header. Returns 1 when it ended there, 0 while it goes on, and -1 when it grew past
   * the limit: then the 431 has been written and the connection should be closed.
   */
  static int read(Admission a, ByteBuffer dst, int start, int n, SocketWrite socket)
      throws IOException {
    int max = a.admissions().maxHeaderBytes();
    int result;
    if (dst.hasArray()) {
      result = a.scan(dst.array(), dst.arrayOffset() + start, n, max);
    } else {
      byte[] copy = new byte[n];
      dst.duplicate().position(start).get(copy);
      result = a.scan(copy, 0, n, max);
    }
    if (result < 0
        && a.refuse(
            new Admission.Refusal(
                431,
                "Request Header Fields Too Large",
                "the handshake's request header is over " + max + " bytes (max_handshake_bytes)",
                null))) {
      socket.write(a.response());
    }
    return result;
  }

  /**
   * Writes the answer a refused handshake should get in place of the library's (always 404), or
   * does nothing and returns -1 when there is no refusal or {@code libraryAnswer} upgrades. Returns
   * the bytes of {@code libraryAnswer} it stands for, all of them consumed.
   */
  static int answer(Admission a, ByteBuffer libraryAnswer, SocketWrite socket) throws IOException {
    ByteBuffer ours = a.response();
    if (ours == null || startsWith(libraryAnswer, SWITCHING)) {
      return -1;
    }
    socket.write(ours);
    int n = libraryAnswer.remaining();
    libraryAnswer.position(libraryAnswer.limit());
    return n;
  }

  private static boolean startsWith(ByteBuffer b, byte[] prefix) {
    if (b.remaining() < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (b.get(b.position() + i) != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
