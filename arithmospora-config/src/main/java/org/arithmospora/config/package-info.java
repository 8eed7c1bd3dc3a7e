/**
 * Loading a configuration in the Go program's format into running sources and a server, in a few
 * lines and without the command line's dependencies:
 *
 * <pre>{@code
 * Config config = new ConfigLoader().load(Path.of("arithmospora.conf")); // every problem, with its line
 * try (Assembly assembly = Assembly.of(config)) {
 *   assembly.startSources();
 *   assembly.startServer();
 *   ...
 * }
 * }</pre>
 */
package org.arithmospora.config;
