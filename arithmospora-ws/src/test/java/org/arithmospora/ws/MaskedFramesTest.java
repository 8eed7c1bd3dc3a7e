package org.arithmospora.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import org.java_websocket.exceptions.InvalidDataException;
import org.junit.jupiter.api.Test;

class MaskedFramesTest {
  /** A frame with the given mask bit and payload length, payload all 'x'. */
  private static byte[] frame(boolean masked, int length) {
    ByteArrayOutputStream f = new ByteArrayOutputStream();
    f.write(0x81);
    int maskBit = masked ? 0x80 : 0;
    if (length <= 125) {
      f.write(maskBit | length);
    } else if (length <= 0xFFFF) {
      f.write(maskBit | 126);
      f.write(length >> 8);
      f.write(length & 0xFF);
    } else {
      f.write(maskBit | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        f.write((int) (((long) length >> shift) & 0xFF));
      }
    }
    if (masked) {
      f.write(new byte[4], 0, 4);
    }
    f.write(new byte[length], 0, length);
    return f.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      all.write(p, 0, p.length);
    }
    return all.toByteArray();
  }

  @Test
  void maskedFramesOfEveryLengthFormPassEvenByteByByte() throws Exception {
    byte[] stream = concat(frame(true, 0), frame(true, 125), frame(true, 300), frame(true, 70_000));
    MaskedFrames whole = new MaskedFrames();
    ByteBuffer b = ByteBuffer.wrap(stream);
    whole.check(b);
    assertThat(b.position()).as("looks without consuming").isZero();

    MaskedFrames split = new MaskedFrames();
    for (byte x : stream) {
      split.check(ByteBuffer.wrap(new byte[] {x}));
    }
  }

  @Test
  void anUnmaskedFrameAfterMaskedOnesIsRefusedWithAProtocolError() throws Exception {
    MaskedFrames frames = new MaskedFrames();
    frames.check(ByteBuffer.wrap(concat(frame(true, 300), frame(true, 2))));
    // Its payload would read as headers if lengths were miscounted; here the header is found.
    assertThatThrownBy(() -> frames.check(ByteBuffer.wrap(frame(false, 200))))
        .isInstanceOf(InvalidDataException.class)
        .hasMessageContaining("without a mask")
        .satisfies(e -> assertThat(((InvalidDataException) e).getCloseCode()).isEqualTo(1002));
  }

  @Test
  void anUnmaskedFrameSplitAfterItsFirstByteIsStillFound() throws Exception {
    MaskedFrames frames = new MaskedFrames();
    byte[] bad = frame(false, 5);
    frames.check(ByteBuffer.wrap(bad, 0, 1));
    assertThatThrownBy(() -> frames.check(ByteBuffer.wrap(bad, 1, bad.length - 1)))
        .isInstanceOf(InvalidDataException.class);
  }
}
