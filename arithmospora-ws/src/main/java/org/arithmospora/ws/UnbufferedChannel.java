package org.arithmospora.ws;

import java.nio.ByteBuffer;
import org.java_websocket.WrappedByteChannel;

/**
 * A {@link WrappedByteChannel} that keeps nothing buffered of its own (unlike TLS, which keeps
 * encrypted bytes): the library never needs to ask it to read or write more.
 */
abstract class UnbufferedChannel implements WrappedByteChannel {
  @Override
  public boolean isNeedWrite() {
    return false;
  }

  @Override
  public void writeMore() {
    // Nothing buffered here.
  }

  @Override
  public boolean isNeedRead() {
    return false;
  }

  @Override
  public int readMore(ByteBuffer dst) {
    return 0;
  }
}
