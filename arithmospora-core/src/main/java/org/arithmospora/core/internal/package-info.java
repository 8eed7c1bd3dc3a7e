/** Not API, and not exported by the module: the debouncer. It may change in any release. */
package org.arithmospora.core.internal;
