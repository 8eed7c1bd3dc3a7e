package org.arithmospora.hub;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * The hub's meters: clients per source, connects and disconnects, messages and bytes sent, messages
 * conflated, and flow control (clients held back by their window, requests for acknowledgement,
 * clients dropped by reason, clients refused). Each reads the hub's own figures when scraped:
 * nothing is added to the path of a message.
 *
 * <pre>{@code
 * new HubMetrics(hub).bindTo(registry);
 * }</pre>
 */
public final class HubMetrics implements MeterBinder {
  private final Hub hub;

  /** Meters for {@code hub}. */
  public HubMetrics(Hub hub) {
    this.hub = hub;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    for (String source : hub.sourceNames()) {
      Gauge.builder("arithmospora.clients", hub, h -> h.connectedClients(source))
          .description("Clients connected now, every transport")
          .tag("source", source)
          .register(registry);
      FunctionCounter.builder("arithmospora.client.connects", hub, h -> h.connects(source))
          .description("Clients admitted")
          .tag("source", source)
          .register(registry);
      FunctionCounter.builder("arithmospora.client.disconnects", hub, h -> h.disconnects(source))
          .description("Admitted clients gone, for any reason (see arithmospora.client.dropped)")
          .tag("source", source)
          .register(registry);
    }
    for (DropReason reason : DropReason.values()) {
      FunctionCounter.builder("arithmospora.client.dropped", hub, h -> h.clientsDropped(reason))
          .description("Clients the server dropped: write_wait (took nothing), pong_wait (silent)")
          .tag("reason", reason.setting())
          .register(registry);
    }
    FunctionCounter.builder("arithmospora.client.expired", hub, Hub::clientsExpired)
        .description("Clients of private sources closed (1008) because their token expired")
        .register(registry);
    FunctionCounter.builder("arithmospora.client.refused", hub, Hub::clientsRefused)
        .description("Clients refused because max_connections was reached")
        .register(registry);
    FunctionCounter.builder("arithmospora.messages.sent", hub, Hub::messagesSent)
        .description("Messages handed to transports, one per client per message")
        .register(registry);
    FunctionCounter.builder("arithmospora.bytes.sent", hub, Hub::bytesSent)
        .description(
            "Bytes handed to transports, framing included; a compressed message counts at its"
                + " size uncompressed, as against its client's window")
        .baseUnit("bytes")
        .register(registry);
    FunctionCounter.builder("arithmospora.deltas.made", hub, Hub::deltasMade)
        .description("Protocol 2: deltas made, once per version and the version it is against")
        .register(registry);
    FunctionCounter.builder("arithmospora.deltas.sent", hub, Hub::deltasSent)
        .description("Protocol 2: stat messages sent as a delta rather than whole")
        .register(registry);
    FunctionCounter.builder("arithmospora.messages.conflated", hub, Hub::messagesConflated)
        .description("Older versions of a stat replaced by a newer one before a client got them")
        .register(registry);
    Gauge.builder("arithmospora.flow.clients.waiting", hub, Hub::clientsWaiting)
        .description("Clients with messages held back by their send window or rate cap")
        .register(registry);
    FunctionCounter.builder("arithmospora.flow.acks.requested", hub, Hub::acknowledgementsRequested)
        .description("Requests for acknowledgement sent (websocket pings, keep-alives included)")
        .register(registry);
  }
}
