/**
 * The websocket server: one endpoint per {@link org.arithmospora.core.Source} at
 * {@code /<name>}, speaking the protocol of SPEC §5, built on Java-WebSocket.
 *
 * <p>Start with {@link org.arithmospora.ws.ArithmosporaServer} and
 * {@link org.arithmospora.ws.WebSocketSettings}; {@link org.arithmospora.ws.TlsContexts} turns PEM
 * or PKCS#12 files into the context for {@code wss://}. Java-WebSocket's own broadcast (a copy of
 * every frame per client, corrupt frames with per-message deflate) and its unbounded per-client
 * queue are not used: frames are built once and handed to each client's socket queue as shared,
 * read-only views, a bounded number at a time.
 *
 * <p>Other defects of Java-WebSocket 1.6.0 are worked around inside this package, each explained
 * where it is done: its selector never empties its selected-key set after writes and abandons a
 * round when a client leaves ({@code SelectedKeySweeper}), it can turn off a connection's write
 * interest just as frames are queued (the hub's housekeeping asks again), its handshake is costly
 * ({@code ServerDraft}), and its per-connection queue takes locks ({@code OutQueue}). Upgrading the
 * library means re-checking these; the tests of the sweeper, the rescue and the handshake fail if
 * they stop working.
 */
package org.arithmospora.ws;
