/** Stats read from Redis, and followed through one subscriber connection. */
// Jedis has no module-info, only an Automatic-Module-Name: its name is stable, and that is all
// this warning is about.
@SuppressWarnings("requires-automatic")
module org.arithmospora.redis {
  requires transitive org.arithmospora.core;
  requires redis.clients.jedis;
  requires org.apache.commons.pool2;
  requires micrometer.core;
  requires org.slf4j;

  exports org.arithmospora.redis;
}
