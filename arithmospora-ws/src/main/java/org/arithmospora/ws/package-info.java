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
 */
package org.arithmospora.ws;
