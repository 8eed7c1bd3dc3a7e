/**
 * The hub: fans each {@link org.arithmospora.core.Source source}'s messages out to its clients
 * through any {@link org.arithmospora.hub.Transport transport} (websocket, server-sent events, a
 * test double), with snapshots for new clients, per-stat conflation, per-client flow control and
 * keep-alive.
 *
 * <p>Start with {@link org.arithmospora.hub.Hub} and {@link org.arithmospora.hub.DeliverySettings}.
 * A transport implements {@link org.arithmospora.hub.Transport} (queue a message, ask for an
 * acknowledgement, flush, close) and reports what its client does to the {@link
 * org.arithmospora.hub.Connection} that {@link org.arithmospora.hub.Hub#connect} returned. Nothing
 * here touches a socket: the hub is tested with a fake transport and a virtual clock.
 */
package org.arithmospora.hub;
