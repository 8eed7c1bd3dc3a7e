/**
 * The Go program's TOML configuration: {@link org.arithmospora.config.ConfigLoader} reads and
 * checks a file, {@link org.arithmospora.config.Assembly} turns it into running sources, a
 * websocket server and the HTTP side, with their meters.
 */
// tomlj has no module-info, only a stable Automatic-Module-Name.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module org.arithmospora.config {
  requires transitive org.arithmospora.core;
  requires transitive org.arithmospora.redis;
  requires transitive org.arithmospora.hub;
  requires transitive org.arithmospora.ws;
  requires transitive org.arithmospora.http;
  requires org.arithmospora.auth;
  requires transitive micrometer.registry.prometheus;
  requires org.tomlj;
  requires org.slf4j;

  exports org.arithmospora.config;
}
