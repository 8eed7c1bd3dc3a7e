package org.arithmospora.ws;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.drafts.Draft;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.enums.HandshakeState;
import org.java_websocket.enums.Opcode;
import org.java_websocket.enums.Role;
import org.java_websocket.exceptions.IncompleteHandshakeException;
import org.java_websocket.exceptions.InvalidDataException;
import org.java_websocket.exceptions.InvalidHandshakeException;
import org.java_websocket.exceptions.LimitExceededException;
import org.java_websocket.extensions.IExtension;
import org.java_websocket.framing.Framedata;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.handshake.HandshakeBuilder;
import org.java_websocket.handshake.HandshakeImpl1Client;
import org.java_websocket.handshake.Handshakedata;
import org.java_websocket.handshake.ServerHandshakeBuilder;

/**
 * Java-WebSocket's RFC 6455 draft with the server side of the handshake made cheaper, for connect
 * storms: the same parsing and the same response, without what profiling found costly in them.
 *
 * <p>Java-WebSocket compiles a regular expression for every request header (to strip leading
 * spaces), looks up a SHA-1 provider and builds a {@code SimpleDateFormat} for every response. With
 * thousands of clients connecting at once that was 12 % of the server's CPU, on the decoder
 * threads. Here headers are parsed by hand with the library's rules and exceptions (so an
 * incomplete request still waits for more bytes), each decoder thread keeps its SHA-1, and the
 * {@code Date} header is formatted once a second. Inbound frames and everything else are the
 * library's.
 */
final class ServerDraft extends Draft_6455 {
  private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
          .withZone(ZoneOffset.UTC);
  private static final ThreadLocal<MessageDigest> SHA1 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-1");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException("this JVM has no SHA-1, which websockets need", e);
            }
          });

  private static volatile DateHeader date = new DateHeader(Long.MIN_VALUE, "");

  // The connection this draft's copies serve, when the server made it for one; null otherwise.
  private final Admission admission;
  // Whether a client's offer of permessage-deflate is taken (RFC 7692).
  private final boolean compression;

  /**
   * A draft that refuses inbound frames or messages over {@code maxFrameSize} bytes (close 1009).
   */
  ServerDraft(int maxFrameSize) {
    this(maxFrameSize, false, null);
  }

  /**
   * A draft as above that, when {@code compression}, takes a client's offer of permessage-deflate
   * without context takeover, so that one compressed frame serves every client ({@link
   * Frame#deflated}).
   */
  ServerDraft(int maxFrameSize, boolean compression) {
    this(maxFrameSize, compression, null);
  }

  /**
   * A draft for one accepted connection: a handshake it refuses is answered with the HTTP status
   * the RFCs give (through {@code admission}) rather than the library's 404.
   */
  private ServerDraft(int maxFrameSize, boolean compression, Admission admission) {
    super(
        compression
            ? Collections.<IExtension>singletonList(new ServerDeflate(maxFrameSize))
            : Collections.<IExtension>emptyList(),
        maxFrameSize);
    this.compression = compression;
    this.admission = admission;
  }

  /** This draft for one accepted connection, answering its refusals through {@code admission}. */
  ServerDraft forConnection(Admission a) {
    return new ServerDraft(getMaxFrameSize(), compression, a);
  }

  /** Whether this connection's client took permessage-deflate: its frames are the deflated ones. */
  boolean deflates() {
    return getExtension() instanceof ServerDeflate;
  }

  // Bytes of the fragmented message being received, so far. A draft is copied per connection.
  private long fragmentBytes;

  /**
   * Bounds a fragmented message by its total, frame by frame. The library checks each frame and the
   * whole message at its last frame, but a message whose last frame never comes grows without bound
   * (hundreds of megabytes of continuation frames under max_message_bytes each filled the heap);
   * here its connection is closed with 1009 as soon as the total passes the limit, and what it sent
   * is let go.
   */
  @Override
  public void processFrame(WebSocketImpl connection, Framedata frame) throws InvalidDataException {
    Opcode op = frame.getOpcode();
    if (op == Opcode.CONTINUOUS || ((op == Opcode.TEXT || op == Opcode.BINARY) && !frame.isFin())) {
      fragmentBytes =
          (op == Opcode.CONTINUOUS ? fragmentBytes : 0) + frame.getPayloadData().remaining();
      if (fragmentBytes > getMaxFrameSize()) {
        fragmentBytes = 0;
        throw new LimitExceededException(
            "a fragmented message over " + getMaxFrameSize() + " bytes", getMaxFrameSize());
      }
      if (frame.isFin()) {
        fragmentBytes = 0;
      }
    }
    super.processFrame(connection, frame);
  }

  private final MaskedFrames masked = new MaskedFrames();

  /** Refuses a client frame that is not masked (close 1002), before the library reads it. */
  @Override
  public List<Framedata> translateFrame(ByteBuffer buffer) throws InvalidDataException {
    masked.check(buffer);
    return super.translateFrame(buffer);
  }

  @Override
  public Draft copyInstance() {
    return new ServerDraft(getMaxFrameSize(), compression, admission);
  }

  /**
   * Accepts what RFC 6455 §4.2.1 asks of a client's handshake, and decides the answer to one it
   * does not: 404 for a path that names no source, 400 for a request that is not an upgrade to
   * websocket or has no valid key, 426 naming version 13 for another version, 503 when the
   * connection came past {@code max_connections}. The library answers them all with 404.
   */
  @Override
  public HandshakeState acceptHandshakeAsServer(ClientHandshake request)
      throws InvalidHandshakeException {
    if (admission != null) {
      Admission.Refusal refusal = refusalFor(request);
      if (refusal != null) {
        admission.refuse(refusal);
        return HandshakeState.NOT_MATCHED;
      }
    }
    return super.acceptHandshakeAsServer(request);
  }

  private Admission.Refusal refusalFor(ClientHandshake request) {
    String source = Admissions.sourceName(request.getResourceDescriptor());
    if (!admission.admissions().serves(source)) {
      return new Admission.Refusal(404, "Not Found", "no source at /" + source, null);
    }
    if (!"websocket".equalsIgnoreCase(request.getFieldValue("Upgrade").trim())
        || !request.getFieldValue("Connection").toLowerCase(Locale.ROOT).contains("upgrade")) {
      return new Admission.Refusal(
          400,
          "Bad Request",
          "not a websocket handshake: it needs Upgrade: websocket and Connection: Upgrade",
          null);
    }
    String version = request.getFieldValue("Sec-WebSocket-Version").trim();
    if (!"13".equals(version)) {
      return new Admission.Refusal(
          426,
          "Upgrade Required",
          "websocket version " + (version.isEmpty() ? "missing" : version) + ": 13 is served",
          "Sec-WebSocket-Version: 13");
    }
    if (!validKey(request.getFieldValue("Sec-WebSocket-Key"))) {
      return new Admission.Refusal(
          400, "Bad Request", "Sec-WebSocket-Key missing or not 16 bytes in base64", null);
    }
    if (admission.draining()) {
      return new Admission.Refusal(
          503,
          "Service Unavailable",
          "this server is draining for a restart; connect again to be served by another",
          "Retry-After: 1");
    }
    if (admission.overRate()) {
      return new Admission.Refusal(
          503,
          "Service Unavailable",
          "more handshakes a second than max_handshakes_per_second; try again",
          "Retry-After: 1");
    }
    if (admission.overLimit()) {
      return new Admission.Refusal(
          503,
          "Service Unavailable",
          "this server holds its max_connections; try again later",
          "Retry-After: 5");
    }
    if (admission.overIpLimit()) {
      return new Admission.Refusal(
          429,
          "Too Many Requests",
          "this address holds max_connections_per_ip connections",
          "Retry-After: 5");
    }
    return null;
  }

  /** RFC 6455 §4.1: the key is 16 random bytes, base64-encoded. */
  private static boolean validKey(String key) {
    try {
      return Base64.getDecoder().decode(key.trim()).length == 16;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Decides a 400 (or 405) for a request that cannot be parsed, and says why to the library. */
  private InvalidHandshakeException malformed(int status, String why) {
    if (admission != null) {
      admission.refuse(
          new Admission.Refusal(
              status, status == 405 ? "Method Not Allowed" : "Bad Request", why, null));
    }
    return new InvalidHandshakeException(why);
  }

  @Override
  public Handshakedata translateHandshake(ByteBuffer buf) throws InvalidHandshakeException {
    if (role != Role.SERVER) {
      return super.translateHandshake(buf);
    }
    String line = readStringLine(buf);
    if (line == null) {
      throw new IncompleteHandshakeException(buf.capacity() + 128);
    }
    String[] requestLine = line.split(" ", 3);
    if (requestLine.length != 3) {
      throw malformed(400, "not an HTTP request line");
    }
    if (!"GET".equalsIgnoreCase(requestLine[0])) {
      throw malformed(405, "a websocket handshake is a GET, not " + requestLine[0]);
    }
    if (!"HTTP/1.1".equalsIgnoreCase(requestLine[2])) {
      throw malformed(400, "a websocket handshake is HTTP/1.1, not " + requestLine[2]);
    }
    HandshakeImpl1Client request = new HandshakeImpl1Client();
    request.setResourceDescriptor(requestLine[1]);
    line = readStringLine(buf);
    while (line != null && !line.isEmpty()) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        throw malformed(400, "not an HTTP header line");
      }
      String name = line.substring(0, colon);
      int start = colon + 1;
      while (start < line.length() && line.charAt(start) == ' ') {
        start++;
      }
      String value = line.substring(start);
      // A repeated header is joined to the first, as the library does.
      request.put(
          name, request.hasFieldValue(name) ? request.getFieldValue(name) + "; " + value : value);
      line = readStringLine(buf);
    }
    if (line == null) {
      throw new IncompleteHandshakeException();
    }
    return request;
  }

  @Override
  public HandshakeBuilder postProcessHandshakeResponseAsServer(
      ClientHandshake request, ServerHandshakeBuilder response) throws InvalidHandshakeException {
    response.put("Upgrade", "websocket");
    response.put("Connection", request.getFieldValue("Connection"));
    String key = request.getFieldValue("Sec-WebSocket-Key");
    if (key == null || key.isEmpty()) {
      throw new InvalidHandshakeException("missing Sec-WebSocket-Key");
    }
    response.put("Sec-WebSocket-Accept", acceptKey(key));
    if (getExtension().getProvidedExtensionAsServer().length() != 0) {
      response.put("Sec-WebSocket-Extensions", getExtension().getProvidedExtensionAsServer());
    }
    if (AccessTokens.offersTokenProtocol(request)) {
      // The marker, not the token: the client learns only that its offer was taken.
      response.put("Sec-WebSocket-Protocol", AccessTokens.TOKEN_PROTOCOL);
    } else if (getProtocol() != null && getProtocol().getProvidedProtocol().length() != 0) {
      response.put("Sec-WebSocket-Protocol", getProtocol().getProvidedProtocol());
    }
    response.setHttpStatusMessage("Web Socket Protocol Handshake");
    response.put("Server", "Arithmospora");
    response.put("Date", httpDate(System.currentTimeMillis()));
    return response;
  }

  /** The {@code Sec-WebSocket-Accept} answer to a client's key (RFC 6455 §4.2.2). */
  static String acceptKey(String clientKey) {
    byte[] digest =
        SHA1.get().digest((clientKey.trim() + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII));
    return Base64.getEncoder().encodeToString(digest);
  }

  /** An HTTP date (RFC 9110 IMF-fixdate) for {@code epochMillis}, formatted once per second. */
  static String httpDate(long epochMillis) {
    long second = Math.floorDiv(epochMillis, 1000);
    DateHeader current = date;
    if (current.second != second) {
      current = new DateHeader(second, HTTP_DATE.format(Instant.ofEpochSecond(second)));
      date = current;
    }
    return current.text;
  }

  private record DateHeader(long second, String text) {}
}
