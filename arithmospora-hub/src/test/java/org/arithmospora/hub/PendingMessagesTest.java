package org.arithmospora.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.arithmospora.core.wire.WireFormat;
import org.junit.jupiter.api.Test;

/**
 * The per-client queue of waiting messages: oldest first, one per key, a newer version in the
 * older's place, whole stats by slot and everything else by key, in one order.
 */
class PendingMessagesTest {
  private static int made;

  private static OutboundMessage stat(int index) {
    return new OutboundMessage(
        WireFormat.message("stats:other:s" + index, "{\"v\":" + made++ + "}"),
        "stats:other:s" + index,
        index);
  }

  private static OutboundMessage keyed(String key, int index) {
    return new OutboundMessage(WireFormat.message("x", "{\"v\":" + made++ + "}"), key, index);
  }

  private static List<String> keys(PendingMessages p) {
    List<String> out = new ArrayList<>();
    p.forEach(m -> out.add(m.key()));
    return out;
  }

  @Test
  void aNewerVersionTakesTheOldersPlaceAndOthersKeepTheirOrder() {
    PendingMessages p = new PendingMessages(3);
    OutboundMessage available = keyed("available", -1);
    assertThat(p.put(available)).isFalse();
    assertThat(p.put(stat(2))).isFalse();
    assertThat(p.put(stat(0))).isFalse();
    OutboundMessage newer = stat(2);
    assertThat(p.put(newer)).as("replaced").isTrue();
    assertThat(p.put(keyed("stats:other:s0/dp", 0))).as("a subtree is not its stat").isFalse();
    assertThat(keys(p))
        .containsExactly("available", "stats:other:s2", "stats:other:s0", "stats:other:s0/dp");
    assertThat(p.size()).isEqualTo(4);
    Iterator<OutboundMessage> it = p.iterator();
    it.next();
    assertThat(it.next()).isSameAs(newer);
  }

  @Test
  void sentMessagesLeaveAndTheirSlotsServeAgainAtTheEnd() {
    PendingMessages p = new PendingMessages(2);
    p.put(stat(0));
    p.put(stat(1));
    Iterator<OutboundMessage> it = p.iterator();
    it.next();
    it.remove();
    assertThatThrownBy(it::remove).isInstanceOf(IllegalStateException.class);
    assertThat(keys(p)).containsExactly("stats:other:s1");
    assertThat(p.put(stat(0))).as("its slot, free again, is not a replacement").isFalse();
    assertThat(keys(p)).containsExactly("stats:other:s1", "stats:other:s0");
  }

  @Test
  void removeByKeyRemoveIfAndClear() {
    PendingMessages p = new PendingMessages(2);
    p.put(keyed("available", -1));
    p.put(stat(0));
    p.put(keyed("stats:other:s1/dp", 1));
    p.put(stat(1));
    p.remove("stats:other:s1/dp");
    p.remove("stats:other:s0");
    p.remove("nothing waits under this key");
    assertThat(keys(p)).containsExactly("available", "stats:other:s1");
    p.put(keyed("stats:other:s1/dp", 1));
    p.removeIf(m -> m.statIndex() >= 0);
    assertThat(keys(p)).containsExactly("available");
    p.clear();
    assertThat(p.isEmpty()).isTrue();
    assertThat(p.iterator().hasNext()).isFalse();
    assertThat(p.put(keyed("available", -1))).isFalse();
  }
}
