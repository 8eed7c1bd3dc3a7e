/**
 * The {@code arithmospora} command line: {@link org.arithmospora.cli.Main}, the commands that read
 * a configuration ({@code serve}, {@code list}, {@code watch}) on their common base. Reading the
 * configuration and assembling sources and server is {@code arithmospora-config}'s; the demo lives
 * in {@code cli.demo}, systemd in {@code cli.systemd}, the load tool in its own module.
 */
package org.arithmospora.cli;
