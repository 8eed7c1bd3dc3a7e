package org.arithmospora.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Headless Chromium driven through the DevTools protocol over the JDK's websocket client: open a
 * page, evaluate JavaScript in it, take a screenshot. Debian's {@code chromium} package is enough.
 */
public final class Chromium implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://[^\\s]+)");

  private final Process process;
  private final WebSocket page;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

  /** The browser binary: $CHROMIUM, or the usual names on the PATH. */
  public static Optional<Path> find() {
    String configured = System.getenv("CHROMIUM");
    if (configured != null && !configured.isBlank()) {
      return Optional.of(Path.of(configured));
    }
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":", -1)) {
      for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
        Path p = Path.of(dir, name);
        if (Files.isExecutable(p)) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }

  /** Starts a headless browser showing {@code url}. */
  public static Chromium open(Path binary, Path profile, String url) throws Exception {
    Process process =
        new ProcessBuilder(
                binary.toString(),
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--user-data-dir=" + profile,
                "--remote-debugging-port=0",
                "--window-size=1280,1800",
                "about:blank")
            .redirectErrorStream(true)
            .start();
    String browserWs = null;
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    StringBuilder seen = new StringBuilder();
    while (browserWs == null && System.nanoTime() < deadline) {
      String line = out.readLine();
      if (line == null) {
        break;
      }
      seen.append(line).append('\n');
      Matcher m = LISTENING.matcher(line);
      if (m.find()) {
        browserWs = m.group(1);
      }
    }
    if (browserWs == null) {
      process.destroyForcibly();
      throw new IllegalStateException("Chromium did not start its DevTools endpoint:\n" + seen);
    }
    Thread drain = new Thread(() -> out.lines().forEach(l -> {}), "chromium-output");
    drain.setDaemon(true);
    drain.start();

    URI devtools = URI.create(browserWs);
    HttpClient http = HttpClient.newHttpClient();
    String newTarget =
        "http://"
            + devtools.getHost()
            + ":"
            + devtools.getPort()
            + "/json/new?"
            + URLEncoder.encode(url, StandardCharsets.UTF_8);
    HttpResponse<String> created =
        http.send(
            HttpRequest.newBuilder(URI.create(newTarget))
                .PUT(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    String pageWs = JSON.readTree(created.body()).get("webSocketDebuggerUrl").asText();
    Chromium chromium = new Chromium(process, http, pageWs);
    return chromium;
  }

  private Chromium(Process process, HttpClient http, String pageWs) {
    this.process = process;
    StringBuilder partial = new StringBuilder();
    this.page =
        http.newWebSocketBuilder()
            .buildAsync(
                URI.create(pageWs),
                new WebSocket.Listener() {
                  @Override
                  public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                    partial.append(data);
                    if (last) {
                      try {
                        JsonNode message = JSON.readTree(partial.toString());
                        if (message.has("id")) {
                          CompletableFuture<JsonNode> f = pending.remove(message.get("id").asInt());
                          if (f != null) {
                            f.complete(message);
                          }
                        } else {
                          noteError(message);
                        }
                      } catch (IOException e) {
                        // Not JSON: ignore.
                      }
                      partial.setLength(0);
                    }
                    ws.request(1);
                    return null;
                  }
                })
            .join();
  }

  /** Console errors, uncaught exceptions and failed loads the page reported, in order. */
  private final List<String> errors = new java.util.concurrent.CopyOnWriteArrayList<>();

  private void noteError(JsonNode event) {
    String method = event.path("method").asText();
    JsonNode p = event.path("params");
    if (method.equals("Runtime.exceptionThrown")) {
      errors.add(
          "exception: "
              + p.path("exceptionDetails")
                  .path("exception")
                  .path("description")
                  .asText(p.path("exceptionDetails").path("text").asText()));
    } else if (method.equals("Runtime.consoleAPICalled")
        && p.path("type").asText().equals("error")) {
      errors.add("console.error: " + p.path("args"));
    } else if (method.equals("Log.entryAdded")
        && p.path("entry").path("level").asText().equals("error")) {
      errors.add(
          "log: "
              + p.path("entry").path("text").asText()
              + " "
              + p.path("entry").path("url").asText());
    }
  }

  /**
   * Starts recording console errors, uncaught exceptions and failed loads (a 404 for the favicon,
   * say), and reloads the page so that none of its own is missed.
   */
  public void recordErrors() throws Exception {
    call("Runtime.enable", JSON.createObjectNode());
    call("Log.enable", JSON.createObjectNode());
    call("Page.reload", JSON.createObjectNode());
  }

  /** What {@link #recordErrors()} has seen so far. */
  public List<String> errors() {
    return List.copyOf(errors);
  }

  private JsonNode call(String method, ObjectNode params) throws Exception {
    int id = ids.incrementAndGet();
    ObjectNode request = JSON.createObjectNode().put("id", id).put("method", method);
    request.set("params", params);
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    pending.put(id, reply);
    page.sendText(JSON.writeValueAsString(request), true).join();
    JsonNode result = reply.get(30, TimeUnit.SECONDS);
    if (result.has("error")) {
      throw new IllegalStateException(method + ": " + result.get("error"));
    }
    return result.get("result");
  }

  /** Evaluates a JavaScript expression in the page and returns its value as text. */
  public String eval(String expression) throws Exception {
    JsonNode result =
        call(
            "Runtime.evaluate",
            JSON.createObjectNode()
                .put("expression", "String(" + expression + ")")
                .put("returnByValue", true));
    JsonNode value = result.path("result").path("value");
    return value.isMissingNode() ? null : value.asText();
  }

  /** Lays the page out as a screen {@code width} by {@code height} CSS pixels would, as a phone. */
  public void viewport(int width, int height, boolean mobile) throws Exception {
    call(
        "Emulation.setDeviceMetricsOverride",
        JSON.createObjectNode()
            .put("width", width)
            .put("height", height)
            .put("deviceScaleFactor", 1)
            .put("mobile", mobile));
  }

  /** Saves a PNG of the page. */
  void screenshot(Path file) throws Exception {
    JsonNode shot =
        call(
            "Page.captureScreenshot",
            JSON.createObjectNode().put("format", "png").put("captureBeyondViewport", true));
    Files.createDirectories(file.getParent());
    Files.write(file, Base64.getDecoder().decode(shot.get("data").asText()));
  }

  @Override
  public void close() {
    page.abort();
    // Its renderer, GPU and crash-handler processes write to the profile too: all of them must
    // be gone before the test's temporary profile directory can be deleted.
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      for (ProcessHandle child : children) {
        child.destroy();
        try {
          child.onExit().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
          child.destroyForcibly();
        }
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      children.forEach(ProcessHandle::destroyForcibly);
      Thread.currentThread().interrupt();
    }
  }

  public static Duration timeout() {
    return Duration.ofSeconds(60);
  }
}
