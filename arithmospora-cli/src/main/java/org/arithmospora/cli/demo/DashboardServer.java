package org.arithmospora.cli.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * Serves the dashboard page and {@code arithmospora.js} over plain HTTP with the JDK's server
 * (Java-WebSocket cannot serve HTTP). Only the files of the dashboard are served, from the class
 * path; {@code defaults.js} names the websocket URL the page connects to when it is given none.
 */
final class DashboardServer implements AutoCloseable {
  private static final Map<String, String> FILES =
      Map.of(
          "/", "index.html",
          "/index.html", "index.html",
          "/arithmospora.js", "arithmospora.js",
          "/dashboard.js", "dashboard.js",
          "/dashboard.css", "dashboard.css");

  private final HttpServer server;

  private DashboardServer(HttpServer server) {
    this.server = server;
  }

  /**
   * Starts serving on {@code address}.
   *
   * @param websocketPort the port of the websocket server, on the same host as the page
   * @param source the source the page shows by default
   */
  static DashboardServer start(InetSocketAddress address, int websocketPort, String source)
      throws IOException {
    HttpServer http = HttpServer.create(address, 64);
    String defaults =
        "window.ARITHMOSPORA_DEFAULT_URL = (location.protocol === 'https:' ? 'wss://' : 'ws://')"
            + " + location.hostname + ':"
            + websocketPort
            + "/"
            + source
            + "';\n";
    http.createContext(
        "/",
        exchange -> {
          try (exchange) {
            handle(exchange, defaults);
          }
        });
    http.setExecutor(
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "arithmospora-dashboard");
              t.setDaemon(true);
              return t;
            }));
    http.start();
    return new DashboardServer(http);
  }

  private static void handle(HttpExchange exchange, String defaults) throws IOException {
    String path = exchange.getRequestURI().getPath();
    if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
      send(exchange, 405, "text/plain", "method not allowed".getBytes(StandardCharsets.UTF_8));
      return;
    }
    if (path.equals("/defaults.js")) {
      send(exchange, 200, "text/javascript", defaults.getBytes(StandardCharsets.UTF_8));
      return;
    }
    String file = FILES.get(path);
    if (file == null) {
      send(exchange, 404, "text/plain", "not found".getBytes(StandardCharsets.UTF_8));
      return;
    }
    try (InputStream in = DashboardServer.class.getResourceAsStream("/dashboard/" + file)) {
      if (in == null) {
        send(
            exchange,
            500,
            "text/plain",
            ("missing resource " + file).getBytes(StandardCharsets.UTF_8));
        return;
      }
      send(exchange, 200, contentType(file), in.readAllBytes());
    }
  }

  private static String contentType(String file) {
    if (file.endsWith(".html")) {
      return "text/html";
    }
    if (file.endsWith(".css")) {
      return "text/css";
    }
    return "text/javascript";
  }

  private static void send(HttpExchange exchange, int status, String type, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
    exchange.getResponseHeaders().set("Cache-Control", "no-cache");
    exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head ? -1 : body.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
