/** Arithmospora's cli adapter. */
package org.arithmospora.cli;
