package org.arithmospora.ws;

import java.io.DataInputStream;
import java.io.IOException;

/**
 * One frame as the server sent it (unmasked), read off a raw socket by the tests that speak the
 * protocol themselves: its first byte (FIN, RSV1, opcode) and its payload.
 */
final class ServerFrame {
  private final int first;
  private final byte[] payload;

  private ServerFrame(int first, byte[] payload) {
    this.first = first;
    this.payload = payload;
  }

  static ServerFrame read(DataInputStream in) throws IOException {
    int first = in.readUnsignedByte();
    long length = in.readUnsignedByte() & 0x7F;
    if (length == 126) {
      length = in.readUnsignedShort();
    } else if (length == 127) {
      length = in.readLong();
    }
    byte[] payload = new byte[(int) length];
    in.readFully(payload);
    return new ServerFrame(first, payload);
  }

  byte[] payload() {
    return payload;
  }

  int opcode() {
    return first & 0x0F;
  }

  /** RSV1: the payload is compressed (permessage-deflate). */
  boolean compressed() {
    return (first & 0x40) != 0;
  }
}
