package org.arithmospora.hub;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Who may read which source. Every transport asks it once per client, at its handshake, before the
 * client reaches the hub: a websocket upgrade, an event stream, a snapshot. It knows nothing of
 * sockets or HTTP; a transport finds the token (a query parameter, an {@code Authorization} header)
 * and turns the {@link Decision} into its own refusal.
 *
 * <p>Implementations are thread-safe: transports ask from their own threads.
 */
public interface SourceAccess {

  /** Every source public: what a server without private sources uses. */
  SourceAccess OPEN =
      new SourceAccess() {
        @Override
        public boolean isPrivate(String source) {
          return false;
        }

        @Override
        public Decision decide(String source, String token, String client) {
          return Decision.allowed();
        }
      };

  /**
   * Whether {@code source} needs a token. Transports ask so as to let public sources by without
   * looking for one, and to keep answers about private ones out of shared caches.
   */
  boolean isPrivate(String source);

  /**
   * Whether a client holding {@code token} may read {@code source}.
   *
   * @param token what the client presented, or null when it presented nothing
   * @param client who asks, for logs: its remote address, typically
   */
  Decision decide(String source, String token, String client);

  /**
   * The token of an {@code Authorization} header's value, {@code Bearer <token>} (the scheme in any
   * case, RFC 6750), or null when it is absent or of another scheme. For every transport that reads
   * HTTP headers.
   */
  static String bearerToken(String authorization) {
    String scheme = "bearer ";
    if (authorization == null
        || authorization.length() <= scheme.length()
        || !authorization.regionMatches(true, 0, scheme, 0, scheme.length())) {
      return null;
    }
    String token = authorization.substring(scheme.length()).strip();
    return token.isEmpty() ? null : token;
  }

  /** What a client gets: in, until when, or why not. */
  enum Verdict {
    /** It may read the source. */
    ALLOWED,
    /** The source is private and the client presented no token (HTTP 401). */
    NO_TOKEN,
    /** Its token is not one this server accepts: malformed, badly signed, expired (HTTP 401). */
    BAD_TOKEN,
    /** Its token is good but does not grant this source (HTTP 403). */
    NOT_GRANTED
  }

  /**
   * The answer to one client.
   *
   * @param verdict in or not, and why not
   * @param reason what is wrong, for the client and the log; empty when allowed
   * @param expires when an allowed client's token runs out; the hub closes its connection then
   */
  record Decision(Verdict verdict, String reason, Optional<Instant> expires) {
    private static final Decision ALLOWED_FOR_GOOD =
        new Decision(Verdict.ALLOWED, "", Optional.empty());

    public Decision {
      Objects.requireNonNull(verdict);
      Objects.requireNonNull(reason);
      Objects.requireNonNull(expires);
    }

    /** In, for as long as it stays. */
    public static Decision allowed() {
      return ALLOWED_FOR_GOOD;
    }

    /** In, until {@code expires}. */
    public static Decision allowedUntil(Instant expires) {
      return new Decision(Verdict.ALLOWED, "", Optional.of(expires));
    }

    /** Not in, for {@code reason}. */
    public static Decision refused(Verdict verdict, String reason) {
      if (verdict == Verdict.ALLOWED) {
        throw new IllegalArgumentException("a refusal needs a verdict other than ALLOWED");
      }
      return new Decision(verdict, reason, Optional.empty());
    }

    /** Whether the client may read the source. */
    public boolean isAllowed() {
      return verdict == Verdict.ALLOWED;
    }

    /**
     * The HTTP status a refusal is answered with: 401 for no or a bad token, 403 for not granted.
     */
    public int httpStatus() {
      return switch (verdict) {
        case ALLOWED -> 200;
        case NO_TOKEN, BAD_TOKEN -> 401;
        case NOT_GRANTED -> 403;
      };
    }
  }
}
