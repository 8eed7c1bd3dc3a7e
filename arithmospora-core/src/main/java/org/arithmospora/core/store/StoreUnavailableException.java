package org.arithmospora.core.store;

/**
 * The store could not be reached at all (connection refused, timed out, lost). Every stat keeps its
 * last value; the loader reconnects and asks for a full re-read through {@link
 * StatLoader.ChangeListener#resynchronize()} once the store is back.
 */
public class StoreUnavailableException extends Exception {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what could not be reached, naming the address
   */
  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
