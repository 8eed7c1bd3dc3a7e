/** Arithmospora's redis adapter. */
package org.arithmospora.redis;
