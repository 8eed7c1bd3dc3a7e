/** Small programs that show how to embed and feed Arithmospora. */
package org.arithmospora.examples;
