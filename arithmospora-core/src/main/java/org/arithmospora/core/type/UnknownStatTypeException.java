package org.arithmospora.core.type;

import java.util.Set;

/** No stat type of the requested name is registered; the message lists the known names. */
public class UnknownStatTypeException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String requested;

  UnknownStatTypeException(String requested, Set<String> known) {
    super("unknown data type '" + requested + "'; known types: " + String.join(", ", known));
    this.requested = requested;
  }

  /** The name that was asked for. */
  public String requested() {
    return requested;
  }
}
