package org.arithmospora.ws;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import org.arithmospora.hub.SourceAccess;
import org.java_websocket.handshake.ClientHandshake;

/**
 * Where a client of a private source puts its token, and what it is told when the token is not good
 * enough. A browser's {@code WebSocket} cannot set headers, so the query ({@code
 * /election?token=…}) is the way for pages; other clients may send {@code Authorization: Bearer}.
 * The server never logs a request's query, so the token stays out of its logs.
 */
final class AccessTokens {
  private AccessTokens() {}

  /** The token a handshake presents: its {@code token} query parameter, else its bearer token. */
  static String token(ClientHandshake request) {
    String fromQuery = queryParameter(request.getResourceDescriptor(), "token");
    if (fromQuery != null && !fromQuery.isEmpty()) {
      return fromQuery;
    }
    return SourceAccess.bearerToken(request.getFieldValue("Authorization"));
  }

  /** The first value of parameter {@code name} in {@code resource}'s query, decoded, or null. */
  static String queryParameter(String resource, String name) {
    int query = resource.indexOf('?');
    if (query < 0) {
      return null;
    }
    int at = query + 1;
    while (at <= resource.length()) {
      int end = resource.indexOf('&', at);
      if (end < 0) {
        end = resource.length();
      }
      int eq = resource.indexOf('=', at);
      if (eq > at && eq < end && resource.substring(at, eq).equals(name)) {
        try {
          return URLDecoder.decode(resource.substring(eq + 1, end), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          return resource.substring(eq + 1, end); // not percent-encoded after all: as it came
        }
      }
      at = end + 1;
    }
    return null;
  }

  /**
   * The handshake's answer to a refusal: 401 with a {@code WWW-Authenticate} challenge (RFC 6750)
   * when the token is missing or bad, 403 when it does not grant the source.
   */
  static Admission.Refusal refusal(SourceAccess.Decision d) {
    return switch (d.verdict()) {
      case NO_TOKEN ->
          new Admission.Refusal(
              401, "Unauthorized", d.reason(), "WWW-Authenticate: Bearer realm=\"arithmospora\"");
      case BAD_TOKEN ->
          new Admission.Refusal(
              401,
              "Unauthorized",
              d.reason(),
              "WWW-Authenticate: Bearer realm=\"arithmospora\", error=\"invalid_token\"");
      case NOT_GRANTED ->
          new Admission.Refusal(
              403,
              "Forbidden",
              d.reason(),
              "WWW-Authenticate: Bearer realm=\"arithmospora\", error=\"insufficient_scope\"");
      case ALLOWED -> throw new IllegalArgumentException("not a refusal");
    };
  }
}
