/**
 * Living under systemd: readiness and watchdog notifications for a {@code Type=notify} unit, and
 * SIGTERM/SIGINT as requests for an orderly stop.
 */
package org.arithmospora.cli.systemd;
