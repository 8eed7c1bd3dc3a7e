package org.arithmospora.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.arithmospora.redis.RedisTestServer;
import org.arithmospora.ws.TestCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code [web]} with the certificate keys of {@code [https]}: the HTTP side over TLS. */
class ServeHttpsTest {
  @TempDir Path dir;

  @Test
  void theHttpSideServesHttpsWithAPemCertificateAndKey() throws Exception {
    KeyPair keys = TestCertificates.keyPair("EC");
    X509Certificate cert = TestCertificates.selfSigned(keys);
    Path certFile = TestCertificates.pem(dir.resolve("cert.pem"), cert);
    Path keyFile = TestCertificates.pem(dir.resolve("key.pem"), keys.getPrivate());
    int wsPort;
    int webPort;
    try (ServerSocket a = new ServerSocket(0);
        ServerSocket b = new ServerSocket(0)) {
      wsPort = a.getLocalPort();
      webPort = b.getLocalPort();
    }
    try (RedisTestServer redis = RedisTestServer.start()) {
      redis.writer().hset("e:stats:total:data", Map.of("current", "1", "total", "2"));
      Path conf = dir.resolve("arithmospora.conf");
      Files.writeString(
          conf,
          """
          [redis]
          server = "127.0.0.1:%d"
          db = 1
          [http]
          address = "127.0.0.1:%d"
          [web]
          address = "127.0.0.1:%d"
          cert = "%s"
          key = "%s"
          [[sources]]
          name = "election"
          redis_prefix = "e"
            [sources.stats]
            proportion = [ { name = "total" } ]
          """
              .formatted(redis.port(), wsPort, webPort, certFile, keyFile));
      ServeCommand serve = new ServeCommand();
      serve.options = new CommonOptions();
      serve.options.config = conf;
      CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(serve::call);
      try {
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> serve.running != null && serve.running.web() != null);
        HttpClient trusting =
            HttpClient.newBuilder().sslContext(TestCertificates.trusting(cert)).build();
        URI uri = URI.create("https://127.0.0.1:" + webPort + "/sources/election");
        HttpResponse<String> r =
            trusting.send(
                HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"proportion:total\"");
        // A client that does not trust the certificate is refused at the handshake.
        assertThatThrownBy(
                () ->
                    HttpClient.newHttpClient()
                        .send(
                            HttpRequest.newBuilder(uri).build(),
                            HttpResponse.BodyHandlers.ofString()))
            .isInstanceOf(SSLHandshakeException.class);
      } finally {
        serve.stop.countDown();
        assertThat(exit.get(20, TimeUnit.SECONDS)).isZero();
      }
    }
  }
}
