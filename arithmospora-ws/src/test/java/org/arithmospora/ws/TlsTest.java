package org.arithmospora.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.arithmospora.core.LiveSource;
import org.arithmospora.core.ManualScheduler;
import org.arithmospora.core.SourceDefinition;
import org.arithmospora.core.store.InMemoryStore;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.OutputEncryptor;
import org.bouncycastle.util.io.pem.PemObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * wss:// with certificates the test makes itself. Bouncy Castle writes the keys in each PEM form,
 * so our reader is checked against an independent writer.
 */
class TlsTest {
  private static final BouncyCastleProvider BC = new BouncyCastleProvider();

  @TempDir Path dir;

  private LiveSource source;
  private ArithmosporaServer server;

  @BeforeEach
  void setUp() {
    InMemoryStore store = new InMemoryStore();
    store.stat("total").set("current", 1).set("total", 2);
    source =
        LiveSource.builder(SourceDefinition.builder("election").stat("proportion", "total").build())
            .loader(store)
            .scheduler(new ManualScheduler(Instant.now()))
            .build();
    source.start();
  }

  @AfterEach
  void tearDown() {
    if (server != null) {
      server.stop(Duration.ofSeconds(2));
    }
  }

  private static KeyPair keyPair(String algorithm) throws Exception {
    return TestCertificates.keyPair(algorithm);
  }

  private static X509Certificate selfSigned(KeyPair keys) throws Exception {
    return TestCertificates.selfSigned(keys);
  }

  private Path pem(String file, Object... objects) throws IOException {
    return TestCertificates.pem(dir.resolve(file), objects);
  }

  private static SSLContext trusting(X509Certificate cert) throws Exception {
    return TestCertificates.trusting(cert);
  }

  private void assertServes(SSLContext serverContext, X509Certificate cert) throws Exception {
    server =
        ArithmosporaServer.builder(
                WebSocketSettings.builder()
                    .address("127.0.0.1:0")
                    .snapshotDelay(Duration.ofMillis(10))
                    .tls(serverContext)
                    .build())
            .source(source)
            .build();
    server.start();
    HttpClient https = HttpClient.newBuilder().sslContext(trusting(cert)).build();
    try (TestClient c =
        TestClient.connect(https, "wss://localhost:" + server.port() + "/election", Map.of())) {
      assertThat(c.nextJson().get("event").asText()).isEqualTo("available");
      assertThat(c.nextJson().get("payload").get("data").get("current").asLong()).isEqualTo(1);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"RSA PKCS#8", "RSA PKCS#1", "EC PKCS#8", "EC SEC1"})
  void pemKeysAsTheGoProgramTookThem(String form) throws Exception {
    KeyPair keys = keyPair(form.startsWith("EC") ? "EC" : "RSA");
    X509Certificate cert = selfSigned(keys);
    Path chain = pem("chain.pem", cert);
    Path key =
        form.endsWith("PKCS#8")
            ? pem("key.pem", new JcaPKCS8Generator(keys.getPrivate(), null))
            : pem(
                "key.pem",
                keys); // Bouncy Castle's traditional form: RSA PRIVATE KEY / EC PRIVATE KEY
    String header = Files.readString(key).lines().findFirst().orElseThrow();
    assertThat(header)
        .isEqualTo(
            switch (form) {
              case "RSA PKCS#1" -> "-----BEGIN RSA PRIVATE KEY-----";
              case "EC SEC1" -> "-----BEGIN EC PRIVATE KEY-----";
              default -> "-----BEGIN PRIVATE KEY-----";
            });
    assertServes(TlsContexts.fromPem(chain, key), cert);
  }

  @Test
  void anEncryptedPkcs8KeyWithItsPassword() throws Exception {
    KeyPair keys = keyPair("RSA");
    X509Certificate cert = selfSigned(keys);
    OutputEncryptor encryptor =
        new JceOpenSSLPKCS8EncryptorBuilder(JcaPKCS8Generator.AES_256_CBC)
            .setProvider(BC)
            .setPassword("s3cret".toCharArray())
            .build();
    PemObject encrypted = new JcaPKCS8Generator(keys.getPrivate(), encryptor).generate();
    Path key = pem("key.pem", encrypted);
    Path chain = pem("chain.pem", cert);
    assertThat(Files.readString(key)).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
    assertThatThrownBy(() -> TlsContexts.fromPem(chain, key))
        .hasMessageContaining("is encrypted and no password was given");
    assertThatThrownBy(() -> TlsContexts.fromPem(chain, key, "wrong".toCharArray()))
        .hasMessageContaining("cannot be decrypted");
    assertServes(TlsContexts.fromPem(chain, key, "s3cret".toCharArray()), cert);
  }

  @Test
  void aPkcs12Keystore() throws Exception {
    KeyPair keys = keyPair("EC");
    X509Certificate cert = selfSigned(keys);
    KeyStore p12 = KeyStore.getInstance("PKCS12");
    p12.load(null, null);
    p12.setKeyEntry("server", keys.getPrivate(), "pw".toCharArray(), new Certificate[] {cert});
    Path file = dir.resolve("server.p12");
    try (OutputStream out = Files.newOutputStream(file)) {
      p12.store(out, "pw".toCharArray());
    }
    assertServes(TlsContexts.fromPkcs12(file, "pw".toCharArray()), cert);
    assertThatThrownBy(() -> TlsContexts.fromPkcs12(file, "nope".toCharArray()))
        .hasMessageContaining("server.p12");
  }

  @Test
  void quietTlsClientsDoNotStayInTheSelectedKeySet() throws Exception {
    KeyPair keys = keyPair("EC");
    X509Certificate cert = selfSigned(keys);
    server =
        ArithmosporaServer.builder(
                WebSocketSettings.builder()
                    .address("127.0.0.1:0")
                    .selectorThreads(1)
                    .snapshotDelay(Duration.ofMillis(10))
                    .tls(
                        TlsContexts.fromPem(
                            pem("chain.pem", cert),
                            pem("key.pem", new JcaPKCS8Generator(keys.getPrivate(), null))))
                    .build())
            .source(source)
            .build();
    server.start();
    HttpClient https = HttpClient.newBuilder().sslContext(trusting(cert)).build();
    List<TestClient> quiet = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < 10; i++) {
        TestClient c =
            TestClient.connect(https, "wss://localhost:" + server.port() + "/election", Map.of());
        quiet.add(c);
        c.nextJson(2);
      }
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () ->
                  assertThat(server.selectedKeysLeftOver())
                      .as("keys left selected between rounds")
                      .isLessThanOrEqualTo(1));
    } finally {
      quiet.forEach(TestClient::close);
    }
  }

  @Test
  void mistakesNameTheFile() throws Exception {
    KeyPair keys = keyPair("RSA");
    Path chain = pem("chain.pem", selfSigned(keys));
    Path otherKey = pem("other.pem", new JcaPKCS8Generator(keyPair("RSA").getPrivate(), null));
    assertThatThrownBy(() -> TlsContexts.fromPem(chain, otherKey))
        .hasMessageContaining("other.pem does not belong to the first certificate in " + chain);
    Path empty = dir.resolve("empty.pem");
    Files.writeString(empty, "nothing here\n");
    assertThatThrownBy(() -> TlsContexts.fromPem(chain, empty))
        .hasMessage("no PEM private key found in " + empty);
    assertThatThrownBy(() -> TlsContexts.fromPem(empty, otherKey))
        .hasMessageContaining(empty.toString());
    Path legacy = dir.resolve("legacy.pem");
    Files.writeString(
        legacy,
        "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n");
    assertThatThrownBy(() -> TlsContexts.fromPem(chain, legacy))
        .hasMessageContaining("openssl pkcs8 -topk8");
    assertThat(List.of(chain, otherKey)).allMatch(Files::exists);
  }
}
