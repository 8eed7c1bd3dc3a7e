/** Arithmospora's ws adapter. */
package org.arithmospora.ws;
