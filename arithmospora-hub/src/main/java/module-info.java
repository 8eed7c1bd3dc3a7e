/** Fan-out of a source's messages to clients through any transport, with flow control. */
// Micrometer has only an Automatic-Module-Name: stable, which is all this warning is about.
@SuppressWarnings("requires-automatic")
module org.arithmospora.hub {
  requires transitive org.arithmospora.core;
  requires micrometer.core;
  requires org.slf4j;
  requires com.fasterxml.jackson.databind;

  exports org.arithmospora.hub;
}
