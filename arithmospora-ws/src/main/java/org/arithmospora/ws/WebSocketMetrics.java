package org.arithmospora.ws;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * The websocket server's own meters: clients it closed for what they sent, by close code ({@code
 * arithmospora.client.protocol.errors}, tags {@code code} and {@code reason}); handshakes refused,
 * by HTTP status ({@code arithmospora.client.handshakes.refused}, tags {@code status} and {@code
 * reason}), timed out and still waiting; and whether it accepts new clients ({@code
 * arithmospora.accepting}, 0 while file descriptors are short, with {@code
 * arithmospora.accept.pauses}). The hub's meters ({@code HubMetrics}) count everything else about
 * clients.
 */
public final class WebSocketMetrics implements MeterBinder {
  private final ArithmosporaServer server;

  /** Meters for {@code server}. */
  public WebSocketMetrics(ArithmosporaServer server) {
    this.server = server;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    ArithmosporaServer.clientErrorCodes()
        .forEach(
            (code, reason) ->
                FunctionCounter.builder(
                        "arithmospora.client.protocol.errors",
                        server,
                        s -> s.clientsClosedFor(code))
                    .description("Clients closed for what they sent, by the close code they got")
                    .tag("code", String.valueOf(code))
                    .tag("reason", reason)
                    .register(registry));
    ArithmosporaServer.handshakeRefusals()
        .forEach(
            (status, reason) ->
                FunctionCounter.builder(
                        "arithmospora.client.handshakes.refused",
                        server,
                        s -> s.handshakesRefused(status))
                    .description("Handshakes answered with an HTTP error, by status")
                    .tag("status", String.valueOf(status))
                    .tag("reason", reason)
                    .register(registry));
    FunctionCounter.builder(
            "arithmospora.client.handshakes.timed.out",
            server,
            ArithmosporaServer::handshakesTimedOut)
        .description("Connections closed for not finishing their handshake in handshake_timeout_ms")
        .register(registry);
    Gauge.builder("arithmospora.client.handshakes.waiting", server, s -> s.handshakesWaiting())
        .description("Connections accepted whose handshake is not finished yet")
        .register(registry);
    Gauge.builder("arithmospora.accepting", server, s -> s.isAccepting() ? 1 : 0)
        .description("1 while new clients are accepted, 0 while file descriptors are short")
        .register(registry);
    FunctionCounter.builder("arithmospora.accept.pauses", server, ArithmosporaServer::acceptPauses)
        .description("Times accepting stopped because the process had no file descriptor left")
        .register(registry);
  }
}
