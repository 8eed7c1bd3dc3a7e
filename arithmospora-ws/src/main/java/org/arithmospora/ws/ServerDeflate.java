package org.arithmospora.ws;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.java_websocket.enums.Opcode;
import org.java_websocket.exceptions.InvalidDataException;
import org.java_websocket.exceptions.LimitExceededException;
import org.java_websocket.extensions.CompressionExtension;
import org.java_websocket.extensions.IExtension;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.framing.DataFrame;
import org.java_websocket.framing.Framedata;
import org.java_websocket.framing.FramedataImpl1;

/**
 * permessage-deflate (RFC 7692) as this server takes it: without context takeover either way, so
 * that every message is compressed on its own and one compressed frame serves every client that
 * took the extension ({@link Frame#deflated}), and a client's messages are inflated on their own.
 *
 * <p>Not the library's {@code PerMessageDeflateExtension}, which holds a {@code Deflater} and an
 * {@code Inflater} per connection from the moment it is made: about 300 KB of native memory each, 2
 * GB of RSS at 10,000 connections (measured on 2026-12-03, when it was used here). This holds
 * nothing between messages: a client's compressed message gets an {@code Inflater} for its
 * duration. It also declines an offer of {@code server_max_window_bits} below 15, which the library
 * accepted while compressing with the full window, and bounds what a message inflates to by {@code
 * max_message_bytes} (a small compressed frame can inflate to gigabytes). The library's own data
 * frames, if any, go uncompressed, which RFC 7692 allows.
 */
final class ServerDeflate extends CompressionExtension {
  private static final String NAME = "permessage-deflate";
  private static final byte[] TAIL = {0, 0, (byte) 0xFF, (byte) 0xFF};

  private final int maxMessageBytes;
  // The message being inflated: null between messages.
  private Inflater inflater;
  private long inflatedSoFar;

  ServerDeflate(int maxMessageBytes) {
    this.maxMessageBytes = maxMessageBytes;
  }

  @Override
  public boolean acceptProvidedExtensionAsServer(String offer) {
    int semicolon = offer.indexOf(';');
    String name = (semicolon < 0 ? offer : offer.substring(0, semicolon)).strip();
    if (!name.equalsIgnoreCase(NAME)) {
      return false;
    }
    int at = semicolon;
    while (at >= 0) {
      int next = offer.indexOf(';', at + 1);
      String param = offer.substring(at + 1, next < 0 ? offer.length() : next).strip();
      at = next;
      if (param.isEmpty()) {
        continue;
      }
      int eq = param.indexOf('=');
      String key = (eq < 0 ? param : param.substring(0, eq)).strip().toLowerCase(Locale.ROOT);
      String value = eq < 0 ? null : param.substring(eq + 1).strip().replace("\"", "");
      switch (key) {
        case "server_no_context_takeover",
            "client_no_context_takeover",
            "client_max_window_bits" -> {
          // Taken: the answer asks for no context takeover either way.
        }
        case "server_max_window_bits" -> {
          // Java's Deflater always uses a window of 2^15.
          if (!"15".equals(value)) {
            return false;
          }
        }
        default -> {
          return false; // a parameter RFC 7692 does not define: decline the offer
        }
      }
    }
    return true;
  }

  @Override
  public String getProvidedExtensionAsServer() {
    return NAME + "; server_no_context_takeover; client_no_context_takeover";
  }

  @Override
  public void decodeFrame(Framedata frame) throws InvalidDataException {
    if (!(frame instanceof DataFrame)) {
      return;
    }
    boolean first = frame.getOpcode() != Opcode.CONTINUOUS;
    if (!first && frame.isRSV1()) {
      throw new InvalidDataException(
          CloseFrame.PROTOCOL_ERROR, "RSV1 may be set on the first frame of a message only");
    }
    if (first) {
      if (!frame.isRSV1()) {
        return;
      }
      inflater = new Inflater(true);
      inflatedSoFar = 0;
    } else if (inflater == null) {
      return; // a continuation of a message sent uncompressed
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      inflate(frame.getPayloadData(), out);
      if (frame.isFin()) {
        inflate(ByteBuffer.wrap(TAIL), out);
        end();
      }
    } catch (DataFormatException e) {
      end();
      throw new InvalidDataException(CloseFrame.NO_UTF8, "not a deflate stream: " + e.getMessage());
    } catch (LimitExceededException e) {
      end();
      throw e;
    }
    if (frame instanceof FramedataImpl1 f) {
      f.setPayload(ByteBuffer.wrap(out.toByteArray()));
      f.setRSV1(false);
    }
  }

  private void inflate(ByteBuffer input, ByteArrayOutputStream out)
      throws DataFormatException, LimitExceededException {
    byte[] in = new byte[input.remaining()];
    input.duplicate().get(in);
    inflater.setInput(in);
    byte[] buf = new byte[4096];
    int n;
    while ((n = inflater.inflate(buf)) > 0) {
      inflatedSoFar += n;
      if (inflatedSoFar > maxMessageBytes) {
        throw new LimitExceededException(
            "a compressed message inflating past " + maxMessageBytes + " bytes", maxMessageBytes);
      }
      out.write(buf, 0, n);
    }
  }

  private void end() {
    if (inflater != null) {
      inflater.end();
      inflater = null;
    }
  }

  @Override
  public void encodeFrame(Framedata frame) {
    // The server's frames are compressed once for all clients (Frame.deflated), not here.
  }

  @Override
  public void reset() {
    end();
  }

  @Override
  public IExtension copyInstance() {
    return new ServerDeflate(maxMessageBytes);
  }

  @Override
  public String toString() {
    return NAME;
  }
}
