/**
 * Arithmospora's domain: definitions, live sources, the stat-type and store SPIs, the wire format.
 * No Redis, network or configuration file.
 */
// Micrometer has no module-info, only an Automatic-Module-Name: stable, which is all this warning
// is about.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module org.arithmospora.core {
  // StatData writes itself through Jackson's JsonGenerator: part of the type SPI.
  requires transitive com.fasterxml.jackson.core;
  // The builder takes a MeterRegistry: a facade, like SLF4J, that embedders bind to their own.
  requires transitive micrometer.core;
  requires org.slf4j;

  exports org.arithmospora.core;
  exports org.arithmospora.core.type;
  exports org.arithmospora.core.store;
  exports org.arithmospora.core.wire;

  uses org.arithmospora.core.type.StatType;
}
