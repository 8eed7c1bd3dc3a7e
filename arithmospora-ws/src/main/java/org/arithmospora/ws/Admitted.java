package org.arithmospora.ws;

import java.time.Instant;
import java.util.Optional;

/**
 * A handshake the endpoint accepted: the source it asked for, and when its access ends (its token's
 * expiry), carried from the handshake to the open connection.
 */
record Admitted(String source, Optional<Instant> accessEnds) {}
