/**
 * The websocket server on Java-WebSocket. Its workarounds read private fields of the library's
 * server by reflection; on the module path they need {@code --add-opens
 * org.java_websocket/org.java_websocket.server=org.arithmospora.ws} and {@code --add-opens
 * org.java_websocket/org.java_websocket=org.arithmospora.ws}, and without them the server says at
 * start-up which ones it does without.
 */
module org.arithmospora.ws {
  requires transitive org.arithmospora.core;
  requires transitive org.arithmospora.hub;
  requires transitive org.java_websocket;
  requires org.slf4j;

  exports org.arithmospora.ws;
}
