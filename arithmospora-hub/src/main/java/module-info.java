/** Fan-out of a source's messages to clients through any transport, with flow control. */
module org.arithmospora.hub {
  requires transitive org.arithmospora.core;
  requires org.slf4j;

  exports org.arithmospora.hub;
}
