package org.arithmospora.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.arithmospora.hub.Connection;
import org.junit.jupiter.api.Test;

/**
 * The pong filter against random streams cut at random places: whatever it does not take out
 * reaches the library byte for byte, and it takes out exactly the complete, masked pongs that a
 * read held whole.
 */
class PongFilterTest {
  private static final byte[] HANDSHAKE =
      ("GET /election HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
              + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII);

  /** One frame in a stream: where it is, and what the filter should say if it takes it out. */
  private record Frame(int start, int end, boolean takeable, long token) {}

  private static byte[] frame(Random r, int opcode, boolean masked, byte[] payload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0x80 | opcode);
    int mask = masked ? 0x80 : 0;
    if (payload.length < 126) {
      out.write(mask | payload.length);
    } else if (payload.length <= 0xFFFF) {
      out.write(mask | 126);
      out.write(payload.length >> 8);
      out.write(payload.length & 0xFF);
    } else {
      out.write(mask | 127);
      ByteBuffer len = ByteBuffer.allocate(8).putLong(payload.length);
      out.writeBytes(len.array());
    }
    byte[] key = new byte[4];
    if (masked) {
      r.nextBytes(key);
      out.writeBytes(key);
    }
    for (int i = 0; i < payload.length; i++) {
      out.write(masked ? payload[i] ^ key[i & 3] : payload[i]);
    }
    return out.toByteArray();
  }

  @Test
  void whatIsNotACompletePongReachesTheLibraryUnchanged() {
    Random r = new Random(20261201);
    for (int round = 0; round < 300; round++) {
      ByteArrayOutputStream stream = new ByteArrayOutputStream();
      stream.writeBytes(HANDSHAKE);
      List<Frame> frames = new ArrayList<>();
      for (int f = 0; f < 40; f++) {
        int start = stream.size();
        int kind = r.nextInt(7);
        long token = 1L + r.nextInt(1_000_000);
        byte[] bytes;
        boolean pong = false;
        boolean masked = true;
        if (kind <= 2) {
          bytes = frame(r, 0xA, true, ByteBuffer.allocate(8).putLong(token).array()); // our pong
          pong = true;
        } else if (kind == 3) {
          bytes = frame(r, 0xA, true, new byte[r.nextInt(20)]); // someone else's payload
          token = Connection.UNKNOWN_TOKEN;
          pong = true;
        } else if (kind == 4) {
          bytes =
              frame(
                  r, 0xA, false, new byte[8]); // unmasked: a protocol error, the library's to judge
          masked = false;
          pong = true;
        } else if (kind == 5) {
          bytes = frame(r, 0x9, true, new byte[r.nextInt(10)]); // a ping from the client
        } else {
          int[] sizes = {r.nextInt(126), 126 + r.nextInt(1000), 70_000};
          byte[] text = new byte[sizes[r.nextInt(sizes.length)]];
          r.nextBytes(text);
          bytes = frame(r, 0x1, true, text);
        }
        if (kind == 3 && bytes.length - 6 == 8) {
          token = ByteBuffer.wrap(new byte[8]).getLong(); // 8 zero bytes read as token 0
        }
        stream.writeBytes(bytes);
        frames.add(new Frame(start, stream.size(), pong && masked, token));
      }
      byte[] all = stream.toByteArray();

      // Cut it into reads, as the socket would.
      List<Long> tokens = new ArrayList<>();
      PongFilter filter = new PongFilter(tokens::add);
      ByteArrayOutputStream library = new ByteArrayOutputStream();
      List<int[]> reads = new ArrayList<>();
      for (int at = 0; at < all.length; ) {
        int n = Math.min(all.length - at, 1 + r.nextInt(r.nextBoolean() ? 40 : 20_000));
        reads.add(new int[] {at, at + n});
        byte[] buf = new byte[n + 16];
        System.arraycopy(all, at, buf, 8, n);
        int left = filter.filter(buf, 8, n);
        library.write(buf, 8, left);
        at += n;
      }

      ByteArrayOutputStream expected = new ByteArrayOutputStream();
      expected.write(all, 0, HANDSHAKE.length);
      List<Long> expectedTokens = new ArrayList<>();
      for (Frame f : frames) {
        boolean wholeInOneRead =
            reads.stream().anyMatch(rd -> rd[0] <= f.start() && f.end() <= rd[1]);
        if (f.takeable() && wholeInOneRead) {
          expectedTokens.add(f.token() == 0 ? Connection.UNKNOWN_TOKEN : f.token());
        } else {
          expected.write(all, f.start(), f.end() - f.start());
        }
      }
      assertThat(library.toByteArray()).as("round %d", round).isEqualTo(expected.toByteArray());
      assertThat(tokens).as("round %d", round).isEqualTo(expectedTokens);
    }
  }

  @Test
  void aHandshakeSplitAnywhereIsPassedOnAndFramesAfterItAreFollowed() {
    Random r = new Random(7);
    byte[] pong = frame(r, 0xA, true, ByteBuffer.allocate(8).putLong(42).array());
    byte[] all = new byte[HANDSHAKE.length + pong.length];
    System.arraycopy(HANDSHAKE, 0, all, 0, HANDSHAKE.length);
    System.arraycopy(pong, 0, all, HANDSHAKE.length, pong.length);
    for (int cut = 1; cut < HANDSHAKE.length; cut++) {
      List<Long> tokens = new ArrayList<>();
      PongFilter filter = new PongFilter(tokens::add);
      byte[] first = java.util.Arrays.copyOfRange(all, 0, cut);
      byte[] rest = java.util.Arrays.copyOfRange(all, cut, all.length);
      assertThat(filter.filter(first, 0, first.length)).isEqualTo(cut);
      // The rest of the handshake passes; the pong after it, whole in this read, is taken out.
      assertThat(filter.filter(rest, 0, rest.length))
          .as("cut at %d", cut)
          .isEqualTo(HANDSHAKE.length - cut);
      assertThat(tokens).containsExactly(42L);
    }
  }
}
