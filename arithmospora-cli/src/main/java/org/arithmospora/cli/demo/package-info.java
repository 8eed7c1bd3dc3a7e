/**
 * {@code arithmospora demo} and {@code arithmospora redis}: a simulated election, its vote writer,
 * the bundled redis-server and the page that serves the dashboard.
 */
package org.arithmospora.cli.demo;
