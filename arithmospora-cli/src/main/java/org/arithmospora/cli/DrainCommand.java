package org.arithmospora.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.arithmospora.config.Config;
import org.arithmospora.ws.WebSocketSettings;
import picocli.CommandLine.Command;

/**
 * {@code arithmospora drain -c CONF}: asks the server running with that configuration, on this
 * machine, to drain as a SIGTERM would, and leaves it running: for a preStop hook, or to empty a
 * server before maintenance while the others take its clients.
 */
@Command(
    name = "drain",
    description = {
      "Ask the server running on this machine with this configuration to drain: refuse new clients,"
          + " turn /readyz to 503, and move its clients to the other servers (close 1012 over"
          + " [websocket] drain_time_ms). It keeps running until stopped. Needs a [web] table.",
      "Exit status 0 when the server drains (or was draining), 1 when it cannot be reached."
    })
final class DrainCommand extends ConfiguredCommand {
  @Override
  public Integer call() {
    Config config = loadConfig();
    if (config == null) {
      return USAGE;
    }
    if (config.web().isEmpty()) {
      return usageError(
          config.file()
              + " has no [web] table: the drain is asked for over its HTTP side (POST /drain);"
              + " without one, send the server SIGTERM");
    }
    Config.Listener web = config.web().get().listener();
    int port = WebSocketSettings.builder().address(web.address()).build().address().getPort();
    // The server takes a drain from this machine only, whatever address it listens on.
    URI uri = URI.create((web.tls() ? "https" : "http") + "://127.0.0.1:" + port + "/drain");
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(uri)
                  .timeout(Duration.ofSeconds(10))
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() / 100 != 2) {
        return failure(uri + " answered " + r.statusCode() + ": " + r.body().strip());
      }
      out.println(uri + ": " + r.body().strip());
      return 0;
    } catch (IOException e) {
      return failure("cannot reach the server at " + uri + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return failure("interrupted");
    }
  }
}
