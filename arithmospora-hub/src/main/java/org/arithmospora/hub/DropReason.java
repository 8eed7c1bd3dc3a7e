package org.arithmospora.hub;

/** Why the hub dropped a client. Slowness alone is never a reason: a client that reads is kept. */
public enum DropReason {
  /** It said nothing, not even a pong, for {@code pong_wait}. */
  SILENT("pong_wait") {
    @Override
    String describe(DeliverySettings s) {
      return "silent for more than " + s.pongWait().toSeconds() + " s (pong_wait)";
    }
  },
  /**
   * It confirmed nothing of what was on its way to it for {@code write_wait}: it stopped reading.
   */
  STUCK("write_wait") {
    @Override
    String describe(DeliverySettings s) {
      return "took nothing for more than " + s.writeWait().toSeconds() + " s (write_wait)";
    }
  };

  private final String setting;

  DropReason(String setting) {
    this.setting = setting;
  }

  /** The configuration key whose limit the client passed, e.g. {@code write_wait}. */
  public String setting() {
    return setting;
  }

  abstract String describe(DeliverySettings settings);
}
