/**
 * The store SPI: a {@link org.arithmospora.core.store.StatLoader} reads stats in batches and
 * notifies changes; stats and nodes are named by {@link org.arithmospora.core.store.StatAddress}
 * and {@link org.arithmospora.core.store.NodeAddress}. {@link
 * org.arithmospora.core.store.InMemoryStore} is a loader kept in memory, for tests and demos.
 */
package org.arithmospora.core.store;
