/**
 * Not API: helpers the library's own modules share (the debouncer, backoff). They may change in any
 * release.
 */
package org.arithmospora.core.internal;
