package org.arithmospora.cli;

/**
 * The command line's log format, through slf4j-simple: time, level, message on stderr. Our own
 * messages at INFO (the 10-second status lines among them), libraries only when they warn; {@code
 * -v} shows our DEBUG. Must run before the first logger is made.
 */
final class Logging {
  private Logging() {}

  static void configure(boolean verbose) {
    set("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    set("org.slf4j.simpleLogger.log.org.arithmospora", verbose ? "debug" : "info");
    set("org.slf4j.simpleLogger.showDateTime", "true");
    set("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd HH:mm:ss.SSS");
    set("org.slf4j.simpleLogger.showThreadName", verbose ? "true" : "false");
    set("org.slf4j.simpleLogger.showLogName", "false");
    set("org.slf4j.simpleLogger.showShortLogName", verbose ? "true" : "false");
    set("org.slf4j.simpleLogger.levelInBrackets", "false");
  }

  // Settings given with -D on the java command line win.
  private static void set(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
