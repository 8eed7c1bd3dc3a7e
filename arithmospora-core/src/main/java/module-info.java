/**
 * Arithmospora's domain: definitions, live sources, the stat-type and store SPIs, the wire format.
 * No Redis, network or configuration file.
 */
module org.arithmospora.core {
  // StatData writes itself through Jackson's JsonGenerator: part of the type SPI.
  requires transitive com.fasterxml.jackson.core;
  requires org.slf4j;

  exports org.arithmospora.core;
  exports org.arithmospora.core.type;
  exports org.arithmospora.core.store;
  exports org.arithmospora.core.wire;

  uses org.arithmospora.core.type.StatType;
}
