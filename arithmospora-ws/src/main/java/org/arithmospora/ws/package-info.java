/**
 * The websocket server: one endpoint per {@link org.arithmospora.core.Source} at {@code /<name>},
 * speaking the protocol of SPEC §5, built on Java-WebSocket.
 *
 * <p>Start with {@link org.arithmospora.ws.ArithmosporaServer} and {@link
 * org.arithmospora.ws.WebSocketSettings}; {@link org.arithmospora.ws.TlsContexts} turns PEM or
 * PKCS#12 files into the context for {@code wss://}. What each client gets, and when, is the {@link
 * org.arithmospora.hub.Hub hub}'s decision; this package is its websocket {@link
 * org.arithmospora.hub.Transport transport} ({@code WebSocketTransport}): messages go into each
 * connection's queue as shared, read-only views of frames built once, and requests for
 * acknowledgement are pings whose pongs every client sends by itself. Java-WebSocket's own
 * broadcast (a copy of every frame per client, corrupt frames with per-message deflate) is not
 * used.
 *
 * <p>Every touch of Java-WebSocket's internals is in this package, each explained where it is done:
 * its selector never empties its selected-key set after writes, nor after reads that gave it
 * nothing, and abandons a round when a client leaves ({@code SelectedKeySweeper}); it can turn off
 * a connection's write interest just as frames are queued (the sweeper asks again at the end of
 * that round, and a slower timer looks at every connection as a net); pongs, thousands a second
 * under flow control, are taken out of the inbound bytes on the selector thread ({@code
 * PongFilter}); its handshake is costly ({@code ServerDraft}); and its per-connection queue takes
 * locks ({@code OutQueue}). When a field these need is missing (another library version), the
 * server says so at WARN when it starts. Upgrading the library means re-checking these; the tests
 * of the sweeper, the rescue, the pong filter and the handshake fail if they stop working.
 */
package org.arithmospora.ws;
