package org.arithmospora.hub;

import java.util.Arrays;
import java.util.Objects;

/**
 * What transports made of one thing to send, by kind of framing: built on first use, then shared by
 * every client of that kind. Holds one or two in practice, as {@code [key, framed, key, framed,
 * ...]}; read without a lock (a published array never changes), added to under one. Keys are
 * compared by identity, so a transport passes the same constant every time.
 */
final class Framings {
  private volatile Object[] framings = new Object[0];

  /** What was framed with {@code key}, or null if nothing yet. */
  Object find(Object key) {
    Object[] f = framings;
    for (int i = 0; i < f.length; i += 2) {
      if (f[i] == key) {
        return f[i + 1];
      }
    }
    return null;
  }

  /**
   * Keeps {@code framed} under {@code key} unless another thread kept one first; returns the one
   * kept, so that every caller shares the same.
   */
  @SuppressWarnings("unchecked") // what is kept under a key is always what that key frames to
  synchronized <T> T keep(Object key, T framed) {
    Object found = find(key);
    if (found != null) {
      return (T) found;
    }
    Object[] f = framings;
    Object[] more = Arrays.copyOf(f, f.length + 2);
    more[f.length] = key;
    more[f.length + 1] = Objects.requireNonNull(framed);
    framings = more;
    return framed;
  }
}
