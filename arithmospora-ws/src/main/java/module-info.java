/**
 * The websocket server on Java-WebSocket. Its workarounds read private fields of the library's
 * server by reflection; on the module path they need {@code --add-opens
 * org.java_websocket/org.java_websocket.server=org.arithmospora.ws} and {@code --add-opens
 * org.java_websocket/org.java_websocket=org.arithmospora.ws}, and without them the server says at
 * start-up which ones it does without.
 */
// Micrometer has only an Automatic-Module-Name: stable, which is all this warning is about.
@SuppressWarnings("requires-automatic")
module org.arithmospora.ws {
  requires transitive org.arithmospora.core;
  requires transitive org.arithmospora.hub;
  requires transitive org.java_websocket;
  requires micrometer.core;
  requires org.slf4j;
  requires jdk.management;

  exports org.arithmospora.ws;
}
