package org.arithmospora.ws;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.arithmospora.hub.SourceAccess;
import org.java_websocket.handshake.ClientHandshake;

/**
 * Where a client of a private source puts its token, and what it is told when the token is not good
 * enough. A browser's {@code WebSocket} cannot set headers, so a page gives it in the query ({@code
 * /election?token=…}) or as a subprotocol ({@code new WebSocket(url, ["arithmospora-token",
 * token])}, which keeps it out of URLs that proxies log); other clients may send {@code
 * Authorization: Bearer}. The server never logs a request's query or headers.
 */
final class AccessTokens {
  /**
   * The subprotocol that says the next one offered is a token. The server answers with it alone (a
   * browser fails a connection whose answer names none of the protocols it offered), never with the
   * token.
   */
  static final String TOKEN_PROTOCOL = "arithmospora-token";

  private AccessTokens() {}

  /**
   * The token a handshake presents: its {@code token} query parameter, else the subprotocol after
   * {@link #TOKEN_PROTOCOL}, else its bearer token; null when none.
   */
  static String token(ClientHandshake request) {
    String fromQuery = queryParameter(request.getResourceDescriptor(), "token");
    if (fromQuery != null && !fromQuery.isEmpty()) {
      return fromQuery;
    }
    List<String> offered = protocols(request.getFieldValue("Sec-WebSocket-Protocol"));
    int marker = offered.indexOf(TOKEN_PROTOCOL);
    if (marker >= 0 && marker + 1 < offered.size()) {
      return offered.get(marker + 1);
    }
    return SourceAccess.bearerToken(request.getFieldValue("Authorization"));
  }

  /** Whether the handshake offers its token as a subprotocol: the answer must name the marker. */
  static boolean offersTokenProtocol(ClientHandshake request) {
    return protocols(request.getFieldValue("Sec-WebSocket-Protocol")).contains(TOKEN_PROTOCOL);
  }

  /** The values of a {@code Sec-WebSocket-Protocol} header, in order (RFC 6455 §4.1). */
  static List<String> protocols(String header) {
    List<String> out = new ArrayList<>();
    if (header == null) {
      return out;
    }
    int at = 0;
    while (at <= header.length()) {
      int comma = header.indexOf(',', at);
      int end = comma < 0 ? header.length() : comma;
      String value = header.substring(at, end).strip();
      if (!value.isEmpty()) {
        out.add(value);
      }
      at = end + 1;
    }
    return out;
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
