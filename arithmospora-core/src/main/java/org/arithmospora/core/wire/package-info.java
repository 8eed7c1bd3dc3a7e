/**
 * The messages clients receive, in the Go program's JSON: {@link
 * org.arithmospora.core.wire.WireFormat} encodes each once into an {@link
 * org.arithmospora.core.wire.EncodedMessage} that every client shares.
 */
package org.arithmospora.core.wire;
