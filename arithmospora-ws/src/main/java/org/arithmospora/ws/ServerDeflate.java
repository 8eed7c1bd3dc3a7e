package org.arithmospora.ws;

import org.java_websocket.extensions.IExtension;
import org.java_websocket.extensions.permessage_deflate.PerMessageDeflateExtension;

/**
 * permessage-deflate (RFC 7692) as this server takes it: without context takeover either way, so
 * that every message is compressed on its own and one compressed frame serves every client that
 * took the extension ({@link Frame#deflated}). The library's extension negotiates and inflates what
 * clients send; the server's data frames never pass through it.
 *
 * <p>One correction to the library: it accepts an offer of {@code server_max_window_bits} below 15
 * and then compresses with the full window, which such a client cannot inflate. Java's {@code
 * Deflater} cannot make a smaller window, so those offers are declined and the client is served
 * uncompressed.
 */
final class ServerDeflate extends PerMessageDeflateExtension {
  private static final String SERVER_MAX_WINDOW_BITS = "server_max_window_bits";

  ServerDeflate() {
    setServerNoContextTakeover(true);
    setClientNoContextTakeover(true);
  }

  @Override
  public boolean acceptProvidedExtensionAsServer(String offer) {
    int at = offer.indexOf(SERVER_MAX_WINDOW_BITS);
    if (at >= 0) {
      int eq = offer.indexOf('=', at);
      int end = offer.indexOf(';', at);
      String bits =
          eq < 0 || (end >= 0 && eq > end)
              ? ""
              : offer.substring(eq + 1, end < 0 ? offer.length() : end).strip().replace("\"", "");
      if (!bits.equals("15")) {
        return false;
      }
    }
    return super.acceptProvidedExtensionAsServer(offer);
  }

  @Override
  public IExtension copyInstance() {
    return new ServerDeflate();
  }
}
