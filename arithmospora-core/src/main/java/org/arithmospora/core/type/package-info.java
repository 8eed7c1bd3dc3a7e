/**
 * The stat-type SPI: a {@link org.arithmospora.core.type.StatType} says what to read for a node of
 * a stat and decodes it into {@link org.arithmospora.core.type.StatData}; the {@link
 * org.arithmospora.core.type.StatTypeRegistry} holds the built-in types ({@code proportion}, {@code
 * rolling}, {@code timed}, {@code single_value}, {@code generic}) and those an embedder adds.
 */
package org.arithmospora.core.type;
