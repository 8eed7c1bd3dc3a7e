package org.arithmospora.http;

import java.util.List;

/**
 * Whether a server is ready for clients, and if not, why: what {@code /readyz} reports. The
 * composition root builds it from what it knows (every source loaded, the store reachable, draining
 * or not).
 */
@FunctionalInterface
public interface Readiness {

  /** Every component that is not ready; empty when the server is ready. Any thread, quick. */
  List<NotReady> check();

  /**
   * One component that is not ready.
   *
   * @param component what, e.g. {@code source election2017} or {@code redis}
   * @param reason why, for a person reading the response
   */
  record NotReady(String component, String reason) {}

  /** Always ready. */
  static Readiness always() {
    return List::of;
  }
}
