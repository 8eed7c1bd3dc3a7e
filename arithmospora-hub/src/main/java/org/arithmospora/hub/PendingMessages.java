package org.arithmospora.hub;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.Predicate;

/**
 * What waits for one client, oldest first, at most one message per key: a newer version replaces
 * the older in its place (conflation). What a {@code LinkedHashMap} keyed by event did, without
 * hashing a string per message: a whole stat's message, by far the most common, has a slot of its
 * own by stat index, and its node is reused from one version to the next (its key is compared, not
 * hashed). Other messages (protocol 2's subtrees, {@code available}, milestones) are found by key.
 * Used on the hub's thread only.
 */
final class PendingMessages implements Iterable<OutboundMessage> {
  private static final class Node {
    OutboundMessage message;
    Node prev;
    Node next;
    boolean linked;
    String key;
    // Whether it is a slot's node, kept from one version to the next, or found by key.
    boolean inSlot;
  }

  private final Node[] slots;
  private final Map<String, Node> byKey = new HashMap<>();
  private Node head;
  private Node tail;
  private int size;

  /**
   * @param statCount the stats of the client's source: one slot each
   */
  PendingMessages(int statCount) {
    this.slots = new Node[statCount];
  }

  boolean isEmpty() {
    return size == 0;
  }

  int size() {
    return size;
  }

  /**
   * Adds {@code m} at the end, or puts it in the place of the waiting message of the same key.
   *
   * @return whether it replaced one (the older version is conflated away)
   */
  boolean put(OutboundMessage m) {
    int slot = slotOf(m);
    Node n = slot >= 0 ? slots[slot] : null;
    if (slot >= 0 && n == null) {
      n = new Node();
      n.key = m.key();
      n.inSlot = true;
      slots[slot] = n;
    } else if (n != null && !n.key.equals(m.key())) {
      n = null; // another key of that stat: found by key
    }
    if (n == null) {
      n = byKey.get(m.key());
      if (n == null) {
        n = new Node();
        n.key = m.key();
        byKey.put(n.key, n);
      }
    }
    n.message = m;
    if (n.linked) {
      return true;
    }
    link(n);
    return false;
  }

  /** Lets go of the waiting message of {@code key}, if any. */
  void remove(String key) {
    for (Node n = head; n != null; n = n.next) {
      if (n.key.equals(key)) {
        unlink(n);
        return;
      }
    }
  }

  /** Lets go of every waiting message {@code filter} accepts. */
  void removeIf(Predicate<OutboundMessage> filter) {
    for (Node n = head; n != null; ) {
      Node next = n.next;
      if (filter.test(n.message)) {
        unlink(n);
      }
      n = next;
    }
  }

  void clear() {
    while (head != null) {
      unlink(head);
    }
  }

  /** Oldest first; {@link Iterator#remove()} lets go of the message last returned. */
  @Override
  public Iterator<OutboundMessage> iterator() {
    return new Iterator<>() {
      private Node next = head;
      private Node last;

      @Override
      public boolean hasNext() {
        return next != null;
      }

      @Override
      public OutboundMessage next() {
        if (next == null) {
          throw new NoSuchElementException();
        }
        last = next;
        next = next.next;
        return last.message;
      }

      @Override
      public void remove() {
        if (last == null || !last.linked) {
          throw new IllegalStateException();
        }
        unlink(last);
        last = null;
      }
    };
  }

  private int slotOf(OutboundMessage m) {
    int i = m.statIndex();
    return i >= 0 && i < slots.length && m.path() == null ? i : -1;
  }

  private void link(Node n) {
    n.linked = true;
    n.prev = tail;
    n.next = null;
    if (tail == null) {
      head = n;
    } else {
      tail.next = n;
    }
    tail = n;
    size++;
  }

  private void unlink(Node n) {
    if (n.prev == null) {
      head = n.next;
    } else {
      n.prev.next = n.next;
    }
    if (n.next == null) {
      tail = n.prev;
    } else {
      n.next.prev = n.prev;
    }
    n.prev = null;
    n.next = null;
    n.linked = false;
    n.message = null;
    size--;
    if (!n.inSlot) {
      byKey.remove(n.key);
    }
  }
}
