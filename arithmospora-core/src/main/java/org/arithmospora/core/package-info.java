/**
 * The pure domain of Arithmospora: stats as trees of data points, the built-in data types and the
 * {@link org.arithmospora.core.StatTypeRegistry registry} that custom types join, milestones,
 * debouncing, the {@link org.arithmospora.core.StatLoader loader SPI} that stores implement, and
 * the {@link org.arithmospora.core.WireFormat wire messages} encoded once for any number of
 * clients.
 *
 * <p>Nothing here knows about Redis, sockets or configuration files: adapters build on it. The
 * usual entry point is {@link org.arithmospora.core.LiveSource}, which loads a {@link
 * org.arithmospora.core.SourceDefinition} through a loader, follows its changes and tells {@link
 * org.arithmospora.core.SourceListener listeners} about every new message.
 */
package org.arithmospora.core;
