package org.arithmospora.http;

import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.ReadTimeoutException;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.arithmospora.core.Source;
import org.arithmospora.core.wire.WireFormat;
import org.arithmospora.hub.Connection;
import org.arithmospora.hub.Drains;
import org.arithmospora.hub.Hub;
import org.arithmospora.hub.SourceAccess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What each path answers. Shared by every connection; runs on Netty's event loops and never blocks
 * them: health, readiness and metrics are quick reads, snapshots are encoded once per change, and
 * an event stream is handed to the hub.
 */
// Netty's writes and closes return futures by the dozen; a failed write closes the channel, which
// the hub hears through closeFuture(), so the futures that matter have listeners.
@SuppressWarnings("FutureReturnValueIgnored")
@ChannelHandler.Sharable
final class WebRoutes extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger log = LoggerFactory.getLogger(WebServer.class);

  static final String REQUEST_TIMEOUT = "request-timeout";

  private static final String JSON = "application/json";
  private static final String TEXT = "text/plain; charset=utf-8";
  private static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";
  private static final String EVENTS = "/events";

  private static final Map<String, String> DASHBOARD_FILES =
      Map.of(
          "/", "index.html",
          "/index.html", "index.html",
          "/arithmospora.js", "arithmospora.js",
          "/dashboard.js", "dashboard.js",
          "/dashboard.css", "dashboard.css");

  private final WebSettings settings;
  private final Map<String, Source> sources;
  private final Map<String, SourceSnapshot> snapshots = new HashMap<>();
  private final Hub hub;
  private final SourceAccess access;
  // Starts a drain; true when this call began it. Null: no POST /drain.
  private final BooleanSupplier drain;
  private final BooleanSupplier liveness;
  private final Readiness readiness;
  private final Supplier<String> metrics;
  private final String epoch;
  private final Map<String, byte[]> files = new HashMap<>();
  private final ChannelGroup streams = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final ExecutorService checks =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "arithmospora-http-checks");
            t.setDaemon(true);
            return t;
          });

  WebRoutes(
      WebSettings settings,
      Map<String, Source> sources,
      Hub hub,
      BooleanSupplier liveness,
      Readiness readiness,
      Supplier<String> metrics,
      int websocketPort,
      boolean websocketTls,
      Map<String, Map<String, StatLabel>> labels,
      SourceAccess access,
      BooleanSupplier drain,
      String epoch) {
    this.settings = settings;
    this.access = access;
    this.drain = drain;
    this.sources = Map.copyOf(sources);
    sources.forEach((name, s) -> snapshots.put(name, new SourceSnapshot(s)));
    this.hub = hub;
    this.liveness = liveness;
    this.readiness = readiness;
    this.metrics = metrics;
    this.epoch = epoch;
    if (settings.dashboard()) {
      for (String file : DASHBOARD_FILES.values()) {
        files.put(file, resource(file));
      }
      files.put("defaults.js", defaults(sources.keySet(), websocketPort, websocketTls, labels));
    }
  }

  int eventStreams() {
    return streams.size();
  }

  void closeStreams() {
    streams.close().awaitUninterruptibly();
  }

  private volatile boolean draining;

  /**
   * From now on new event streams are answered 503 with {@code Retry-After: 1}, and the open ones
   * are closed in random order, spread evenly over {@code spread}: their {@code EventSource}s
   * reconnect, with their {@code Last-Event-ID}, to the servers still ready. Returns when the last
   * was closed.
   */
  void drainStreams(Duration spread) {
    draining = true;
    // The chunked response ends in order, then the connection: the browser reconnects as after
    // any end of stream, rather than reporting a broken one.
    Drains.spread(
        new ArrayList<Channel>(streams),
        spread,
        ch ->
            ch.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
                .addListener(ChannelFutureListener.CLOSE));
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    if (!req.decoderResult().isSuccess()) {
      refuse(ctx, req, req.decoderResult().cause());
      return;
    }
    HttpMethod method = req.method();
    String path = new QueryStringDecoder(req.uri()).path();
    boolean sourcePath = path.equals("/sources") || path.startsWith("/sources/");
    if (sourcePath && !originAllowed(req)) {
      log.debug("Refused {} from origin {}", path, req.headers().get(HttpHeaderNames.ORIGIN));
      reply(ctx, req, status(HttpResponseStatus.FORBIDDEN, "origin not allowed\n"), true);
      return;
    }
    if (sourcePath && method.equals(HttpMethod.OPTIONS)) {
      FullHttpResponse r = response(HttpResponseStatus.NO_CONTENT, TEXT, new byte[0]);
      cors(req, r);
      r.headers()
          .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "GET, HEAD, OPTIONS")
          .set(
              HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS,
              "Last-Event-ID, If-None-Match, Authorization")
          .set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, "600");
      reply(ctx, req, r, true);
      return;
    }
    if (path.equals("/drain")) {
      reply(ctx, req, drain(ctx, method), true);
      return;
    }
    if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
      FullHttpResponse r = status(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed\n");
      r.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
      reply(ctx, req, r, true);
      return;
    }
    switch (path) {
      case "/healthz" -> offLoop(ctx, req, this::health);
      case "/readyz" -> offLoop(ctx, req, this::ready);
      case "/metrics" -> reply(ctx, req, metrics(), true);
      case "/sources" -> reply(ctx, req, cors(req, sourceList()), true);
      case "/defaults.js" -> reply(ctx, req, file("defaults.js"), true);
      case "/favicon.ico" ->
          reply(ctx, req, response(HttpResponseStatus.NO_CONTENT, TEXT, new byte[0]), true);
      default -> {
        if (path.startsWith("/sources/") && path.endsWith(EVENTS)) {
          String name = path.substring("/sources/".length(), path.length() - EVENTS.length());
          SourceAccess.Decision d = decide(ctx, req, name);
          if (d.isAllowed()) {
            events(ctx, req, name, d);
          } else {
            reply(ctx, req, cors(req, refusal(d)), true);
          }
        } else if (path.startsWith("/sources/")) {
          String name = path.substring("/sources/".length());
          SourceAccess.Decision d = decide(ctx, req, name);
          reply(ctx, req, cors(req, d.isAllowed() ? snapshot(req, name) : refusal(d)), true);
        } else if (DASHBOARD_FILES.containsKey(path) && settings.dashboard()) {
          reply(ctx, req, file(DASHBOARD_FILES.get(path)), true);
        } else {
          reply(ctx, req, status(HttpResponseStatus.NOT_FOUND, "not found\n"), true);
        }
      }
    }
  }

  /**
   * Answers with what {@code check} makes, computed on the checks' own thread: a liveness check may
   * wait seconds for a stuck loop, and the event loop it would block carries event streams.
   */
  private void offLoop(
      ChannelHandlerContext ctx, FullHttpRequest req, Supplier<FullHttpResponse> check) {
    HttpMethod method = req.method();
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    try {
      checks.execute(() -> reply(ctx, method, keepAlive, check.get(), true));
    } catch (RejectedExecutionException e) {
      reply(
          ctx,
          method,
          keepAlive,
          status(HttpResponseStatus.SERVICE_UNAVAILABLE, "stopping\n"),
          false);
    }
  }

  void stopChecks() {
    checks.shutdownNow();
  }

  private FullHttpResponse health() {
    boolean alive;
    try {
      alive = liveness.getAsBoolean();
    } catch (RuntimeException e) {
      alive = false;
    }
    return alive
        ? status(HttpResponseStatus.OK, "ok\n")
        : status(HttpResponseStatus.SERVICE_UNAVAILABLE, "not responsive\n");
  }

  private FullHttpResponse ready() {
    List<Readiness.NotReady> failing;
    try {
      failing = readiness.check();
    } catch (RuntimeException e) {
      failing = List.of(new Readiness.NotReady("readiness check", e.toString()));
    }
    List<Readiness.NotReady> found = failing;
    byte[] body =
        json(
            out -> {
              out.writeStartObject();
              out.writeBooleanField("ready", found.isEmpty());
              out.writeArrayFieldStart("failing");
              for (Readiness.NotReady n : found) {
                out.writeStartObject();
                out.writeStringField("component", n.component());
                out.writeStringField("reason", n.reason());
                out.writeEndObject();
              }
              out.writeEndArray();
              out.writeEndObject();
            });
    return response(
        found.isEmpty() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
        JSON,
        body);
  }

  /**
   * {@code POST /drain}: the drain a SIGTERM would start, without stopping the process (for a
   * preStop hook, or before maintenance). Taken from this machine only: the HTTP side has no admin
   * credentials, and a drain from anyone else would be a way to empty the server.
   */
  private FullHttpResponse drain(ChannelHandlerContext ctx, HttpMethod method) {
    if (drain == null) {
      return status(HttpResponseStatus.NOT_FOUND, "not found\n");
    }
    if (!method.equals(HttpMethod.POST)) {
      FullHttpResponse r = status(HttpResponseStatus.METHOD_NOT_ALLOWED, "POST to drain\n");
      r.headers().set(HttpHeaderNames.ALLOW, "POST");
      return r;
    }
    if (!(ctx.channel().remoteAddress() instanceof java.net.InetSocketAddress remote)
        || !remote.getAddress().isLoopbackAddress()) {
      log.warn(
          "Refused POST /drain from {}: drains are taken from this machine only",
          ctx.channel().remoteAddress());
      return status(HttpResponseStatus.FORBIDDEN, "drain is taken from this machine only\n");
    }
    boolean began;
    try {
      began = drain.getAsBoolean();
    } catch (RuntimeException e) {
      log.warn("POST /drain failed", e);
      return status(
          HttpResponseStatus.SERVICE_UNAVAILABLE, "cannot drain: " + e.getMessage() + "\n");
    }
    return began
        ? status(
            HttpResponseStatus.ACCEPTED,
            "draining: new clients are refused, connected ones are being moved (1012)\n")
        : status(HttpResponseStatus.OK, "already draining\n");
  }

  private FullHttpResponse metrics() {
    if (metrics == null) {
      return status(HttpResponseStatus.NOT_FOUND, "no metrics registry\n");
    }
    return response(
        HttpResponseStatus.OK, PROMETHEUS, metrics.get().getBytes(StandardCharsets.UTF_8));
  }

  private FullHttpResponse sourceList() {
    byte[] body =
        json(
            out -> {
              out.writeStartObject();
              out.writeArrayFieldStart("sources");
              for (String name : sources.keySet()) {
                out.writeString(name);
              }
              out.writeEndArray();
              out.writeEndObject();
            });
    return response(HttpResponseStatus.OK, JSON, body);
  }

  /**
   * Whether the request may read source {@code name}: public sources need nothing; a private one
   * needs a token, in {@code ?token=} (what {@code EventSource} can send) or a bearer header. An
   * unknown name is let by, to be answered 404.
   */
  private SourceAccess.Decision decide(
      ChannelHandlerContext ctx, FullHttpRequest req, String name) {
    if (!sources.containsKey(name) || !access.isPrivate(name)) {
      return SourceAccess.Decision.allowed();
    }
    String token =
        new QueryStringDecoder(req.uri())
            .parameters().getOrDefault("token", List.of()).stream()
                .filter(t -> !t.isEmpty())
                .findFirst()
                .orElseGet(
                    () ->
                        SourceAccess.bearerToken(req.headers().get(HttpHeaderNames.AUTHORIZATION)));
    return access.decide(name, token, String.valueOf(ctx.channel().remoteAddress()));
  }

  /** 401 with a challenge (RFC 6750) for no token or a bad one, 403 for one not granting it. */
  private static FullHttpResponse refusal(SourceAccess.Decision d) {
    FullHttpResponse r = status(HttpResponseStatus.valueOf(d.httpStatus()), d.reason() + "\n");
    String challenge =
        switch (d.verdict()) {
          case BAD_TOKEN -> ", error=\"invalid_token\"";
          case NOT_GRANTED -> ", error=\"insufficient_scope\"";
          default -> "";
        };
    r.headers()
        .set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"arithmospora\"" + challenge)
        .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    return r;
  }

  private FullHttpResponse snapshot(FullHttpRequest req, String name) {
    SourceSnapshot snapshot = snapshots.get(name);
    if (snapshot == null) {
      return unknownSource(name);
    }
    SourceSnapshot.Document d = snapshot.current();
    String etag = "\"" + epoch + "-" + d.version() + "\"";
    // A private source's numbers are for the token's holder: no shared cache may keep them.
    boolean shared = !access.isPrivate(name);
    String cacheControl =
        (shared ? "public" : "private") + ", max-age=" + settings.snapshotMaxAge().toSeconds();
    FullHttpResponse r =
        etag.equals(req.headers().get(HttpHeaderNames.IF_NONE_MATCH))
            ? response(HttpResponseStatus.NOT_MODIFIED, JSON, new byte[0])
            : response(HttpResponseStatus.OK, JSON, d.json());
    r.headers().set(HttpHeaderNames.ETAG, etag).set(HttpHeaderNames.CACHE_CONTROL, cacheControl);
    if (!shared) {
      r.headers().add(HttpHeaderNames.VARY, "Authorization");
    }
    return r;
  }

  private FullHttpResponse unknownSource(String name) {
    return status(
        HttpResponseStatus.NOT_FOUND,
        "no source '" + name + "'; sources: " + String.join(", ", sources.keySet()) + "\n");
  }

  private void events(
      ChannelHandlerContext ctx, FullHttpRequest req, String name, SourceAccess.Decision decision) {
    if (draining) {
      FullHttpResponse r =
          status(HttpResponseStatus.SERVICE_UNAVAILABLE, "draining: connect to another server\n");
      r.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
      reply(ctx, req, cors(req, r), true);
      return;
    }
    if (hub == null || !hub.serves(name)) {
      reply(
          ctx,
          req,
          cors(
              req,
              hub == null
                  ? status(HttpResponseStatus.NOT_FOUND, "no event streams here\n")
                  : unknownSource(name)),
          true);
      return;
    }
    Channel ch = ctx.channel();
    // The request is whole: from now on the stream is written to, and the client sends nothing.
    ch.pipeline().remove(REQUEST_TIMEOUT);
    HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    r.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .set(HttpHeaderNames.CACHE_CONTROL, "no-cache")
        .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED)
        .set("X-Accel-Buffering", "no");
    cors(req, r.headers());
    ch.write(r);
    // The browser's reconnection delay; the hub's own pings keep the stream busy.
    ch.writeAndFlush(
        new DefaultHttpContent(
            Unpooled.copiedBuffer("retry: 2000\n\n", StandardCharsets.US_ASCII)));
    streams.add(ch);
    SseTransport transport = new SseTransport(ch, epoch);
    Connection client = hub.connect(name, transport, resumeAfter(req));
    decision.expires().ifPresent(client::accessEndsAt);
    transport.attach(client);
  }

  /** The sequence a returning client holds, from {@code Last-Event-ID}: -1 if none, or not ours. */
  private long resumeAfter(FullHttpRequest req) {
    String id = req.headers().get("Last-Event-ID");
    if (id == null) {
      id =
          new QueryStringDecoder(req.uri())
              .parameters().getOrDefault("lastEventId", List.of()).stream()
                  .findFirst()
                  .orElse(null);
    }
    if (id == null || !id.startsWith(epoch + "-")) {
      return -1; // another server's, or an earlier run's: its numbers mean nothing here
    }
    try {
      return Long.parseLong(id.substring(epoch.length() + 1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private boolean originAllowed(FullHttpRequest req) {
    String origin = req.headers().get(HttpHeaderNames.ORIGIN);
    return origin == null
        || settings.allowedOrigins().isEmpty()
        || settings.allowedOrigins().contains(origin);
  }

  private FullHttpResponse cors(FullHttpRequest req, FullHttpResponse r) {
    cors(req, r.headers());
    return r;
  }

  private void cors(FullHttpRequest req, HttpHeaders headers) {
    String origin = req.headers().get(HttpHeaderNames.ORIGIN);
    List<String> allowed = settings.corsOrigins();
    if (origin == null || allowed.isEmpty()) {
      return;
    }
    if (allowed.contains("*")) {
      headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    } else if (allowed.contains(origin)) {
      headers
          .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin)
          .add(HttpHeaderNames.VARY, "Origin");
    } else {
      return;
    }
    headers.set(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, "ETag");
  }

  private FullHttpResponse file(String name) {
    byte[] body = files.get(name);
    if (body == null) {
      return status(HttpResponseStatus.NOT_FOUND, "not found\n");
    }
    FullHttpResponse r = response(HttpResponseStatus.OK, contentType(name), body);
    r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
    return r;
  }

  private static String contentType(String file) {
    if (file.endsWith(".html")) {
      return "text/html; charset=utf-8";
    }
    if (file.endsWith(".css")) {
      return "text/css; charset=utf-8";
    }
    return "text/javascript; charset=utf-8";
  }

  private static byte[] resource(String file) {
    try (InputStream in = WebRoutes.class.getResourceAsStream("dashboard/" + file)) {
      if (in == null) {
        throw new IllegalStateException("the dashboard file " + file + " is missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The page's defaults: the sources served here, and the websocket URL of each, on the host the
   * page came from.
   */
  private static byte[] defaults(
      Iterable<String> names,
      int websocketPort,
      boolean tls,
      Map<String, Map<String, StatLabel>> labels) {
    StringBuilder list = new StringBuilder();
    for (String n : names) {
      list.append(list.length() == 0 ? "" : ", ")
          .append('"')
          .append(n.replace("\\", "\\\\").replace("\"", "\\\""))
          .append('"');
    }
    String js =
        "window.ARITHMOSPORA_SOURCES = ["
            + list
            + "];\n"
            + (websocketPort < 0
                ? "window.ARITHMOSPORA_URL_OF = null;\n"
                : "window.ARITHMOSPORA_URL_OF = (name) => '"
                    + (tls ? "wss" : "ws")
                    + "://' + location.hostname + ':"
                    + websocketPort
                    + "/' + encodeURIComponent(name);\n")
            + "window.ARITHMOSPORA_DEFAULT_URL = window.ARITHMOSPORA_URL_OF && window.ARITHMOSPORA_SOURCES.length\n"
            + "  ? window.ARITHMOSPORA_URL_OF(window.ARITHMOSPORA_SOURCES[0]) : '';\n"
            + "window.ARITHMOSPORA_LABELS = "
            + new String(labelsJson(labels), StandardCharsets.UTF_8).trim()
            + ";\n";
    return js.getBytes(StandardCharsets.UTF_8);
  }

  /** {@code {"<source>": {"<group>:<key>": {"label": …, "dataPoints": {…}}}}}. */
  private static byte[] labelsJson(Map<String, Map<String, StatLabel>> labels) {
    return json(
        out -> {
          out.writeStartObject();
          for (Map.Entry<String, Map<String, StatLabel>> source : labels.entrySet()) {
            out.writeObjectFieldStart(source.getKey());
            for (Map.Entry<String, StatLabel> stat : source.getValue().entrySet()) {
              out.writeObjectFieldStart(stat.getKey());
              if (stat.getValue().label() != null) {
                out.writeStringField("label", stat.getValue().label());
              }
              out.writeObjectFieldStart("dataPoints");
              for (Map.Entry<String, String> dp : stat.getValue().dataPoints().entrySet()) {
                out.writeStringField(dp.getKey(), dp.getValue());
              }
              out.writeEndObject();
              out.writeEndObject();
            }
            out.writeEndObject();
          }
          out.writeEndObject();
        });
  }

  private interface JsonWriter {
    void write(JsonGenerator out) throws IOException;
  }

  private static byte[] json(JsonWriter writer) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (JsonGenerator out = WireFormat.jsonFactory().createGenerator(bytes)) {
      writer.write(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    bytes.write('\n');
    return bytes.toByteArray();
  }

  private static FullHttpResponse status(HttpResponseStatus status, String text) {
    return response(status, TEXT, text.getBytes(StandardCharsets.UTF_8));
  }

  private static FullHttpResponse response(HttpResponseStatus status, String type, byte[] body) {
    ByteBuf content = Unpooled.wrappedBuffer(body);
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, type).set("X-Content-Type-Options", "nosniff");
    return r;
  }

  private static void reply(
      ChannelHandlerContext ctx, FullHttpRequest req, FullHttpResponse r, boolean keepAlive) {
    reply(ctx, req.method(), HttpUtil.isKeepAlive(req), r, keepAlive);
  }

  private static void reply(
      ChannelHandlerContext ctx,
      HttpMethod method,
      boolean keepAliveRequested,
      FullHttpResponse r,
      boolean keepAlive) {
    int length = r.content().readableBytes();
    if (method.equals(HttpMethod.HEAD)) {
      r = r.replace(Unpooled.EMPTY_BUFFER);
    }
    HttpUtil.setContentLength(r, length);
    boolean keep = keepAlive && keepAliveRequested;
    HttpUtil.setKeepAlive(r, keep);
    if (keep) {
      ctx.writeAndFlush(r);
    } else {
      ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** A request Netty could not decode: the status says which bound it passed, if one. */
  private void refuse(ChannelHandlerContext ctx, FullHttpRequest req, Throwable cause) {
    HttpResponseStatus status;
    String text;
    if (cause instanceof TooLongHttpHeaderException) {
      status = HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
      text = "request headers over 8 KiB\n";
    } else if (cause instanceof TooLongHttpLineException) {
      status = HttpResponseStatus.REQUEST_URI_TOO_LONG;
      text = "request line over 4 KiB\n";
    } else {
      status = HttpResponseStatus.BAD_REQUEST;
      text = "bad request\n";
    }
    log.debug(
        "Refused a request from {}: {}", ctx.channel().remoteAddress(), String.valueOf(cause));
    reply(ctx, req, status(status, text), false);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A client's mistake or departure is not a server error.
    if (cause instanceof ReadTimeoutException) {
      log.debug(
          "Closed {}: no whole request within request_timeout_ms", ctx.channel().remoteAddress());
    } else {
      log.debug("Closed {}: {}", ctx.channel().remoteAddress(), cause.toString());
    }
    ctx.close();
  }
}
