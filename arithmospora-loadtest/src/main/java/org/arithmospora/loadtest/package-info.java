/**
 * {@code arithmospora loadtest}: opens many websocket clients from one process, in populations that
 * read as real audiences do ({@code --population}), writes updates to Redis as a site's writer
 * does, and measures the freshness and age of what each client holds. The command line registers
 * {@link org.arithmospora.loadtest.LoadtestCommand} as a subcommand.
 */
package org.arithmospora.loadtest;
