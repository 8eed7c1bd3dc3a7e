/**
 * The embedder's API of Arithmospora's domain: a {@link org.arithmospora.core.SourceDefinition}
 * (its stats, milestones and timed periods) becomes a {@link org.arithmospora.core.LiveSource},
 * which loads it through a loader, follows its changes and tells {@link
 * org.arithmospora.core.SourceListener listeners} about every new message.
 *
 * <p>Nothing in core knows about Redis, sockets or configuration files: adapters build on it. The
 * other packages are for those who extend it: {@code core.type} (the stat-type SPI and the five
 * built-in types), {@code core.store} (the loader SPI that stores implement, and an in-memory
 * store), {@code core.wire} (the messages, encoded once for any number of clients). {@code
 * core.internal} is not API.
 */
package org.arithmospora.core;
