/**
 * The HTTP side of an Arithmospora server: {@link org.arithmospora.http.WebServer} answers {@code
 * /healthz}, {@code /readyz}, {@code /metrics}, {@code /sources/<name>} (a JSON snapshot with an
 * ETag), {@code /sources/<name>/events} (server-sent events, with the hub's conflation and flow
 * control) and serves the dashboard. It depends on core and the hub, not on Redis or the websocket
 * server: what it reports on is handed to it.
 */
package org.arithmospora.http;
