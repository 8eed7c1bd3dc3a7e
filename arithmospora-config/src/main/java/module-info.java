/**
 * The Go program's TOML configuration: {@link org.arithmospora.config.ConfigLoader} reads and
 * checks a file, {@link org.arithmospora.config.Assembly} turns it into running sources and a
 * websocket server.
 */
// tomlj has no module-info, only a stable Automatic-Module-Name.
@SuppressWarnings("requires-automatic")
module org.arithmospora.config {
  requires transitive org.arithmospora.core;
  requires transitive org.arithmospora.redis;
  requires transitive org.arithmospora.hub;
  requires transitive org.arithmospora.ws;
  requires org.tomlj;
  requires org.slf4j;

  exports org.arithmospora.config;
}
