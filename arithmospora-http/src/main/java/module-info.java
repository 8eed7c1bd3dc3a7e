/**
 * The HTTP side of a server on Netty: health, readiness, metrics, snapshots, server-sent events
 * through the hub, and the dashboard.
 */
module org.arithmospora.http {
  requires transitive org.arithmospora.core;
  requires transitive org.arithmospora.hub;
  requires io.netty.buffer;
  requires io.netty.codec;
  requires io.netty.codec.http;
  requires io.netty.common;
  requires io.netty.handler;
  requires io.netty.transport;
  requires com.fasterxml.jackson.core;
  requires org.slf4j;

  exports org.arithmospora.http;
}
