package org.arithmospora.ws;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * The websocket server's own meters: clients it closed for what they sent, by close code ({@code
 * arithmospora.client.protocol.errors}, tags {@code code} and {@code reason}). The hub's meters
 * ({@code HubMetrics}) count everything else about clients.
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
  }
}
