package org.arithmospora.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.arithmospora.hub.SourceAccess.Decision;
import org.arithmospora.hub.SourceAccess.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tokens made with the same library a site's token service would use, signed with real keys, and
 * what the policy says of each: every check can refuse, and says which.
 */
class JwtSourceAccessTest {
  private static final Instant NOW = Instant.parse("2026-11-05T21:00:00Z");
  private static final byte[] SECRET =
      "a secret of thirty-two bytes or more, shared with the site".getBytes(StandardCharsets.UTF_8);

  private final JwtSourceAccess hmac =
      JwtSourceAccess.builder()
          .privateSources(List.of("results", "turnout"))
          .hmacSecret(SECRET)
          .clock(Clock.fixed(NOW, ZoneOffset.UTC))
          .build();

  private static JWTClaimsSet.Builder claims(Object sources, Instant exp) {
    JWTClaimsSet.Builder b = new JWTClaimsSet.Builder().subject("newsroom");
    if (sources != null) {
      b.claim("sources", sources);
    }
    if (exp != null) {
      b.expirationTime(Date.from(exp));
    }
    return b;
  }

  private static String sign(JWSSigner signer, JWSAlgorithm alg, JWTClaimsSet claims)
      throws JOSEException {
    SignedJWT jwt = new SignedJWT(new JWSHeader(alg), claims);
    jwt.sign(signer);
    return jwt.serialize();
  }

  private static String hs256(JWTClaimsSet claims) throws JOSEException {
    return sign(new MACSigner(SECRET), JWSAlgorithm.HS256, claims);
  }

  private Decision decide(String source, String token) {
    return hmac.decide(source, token, "test client");
  }

  @Test
  void aPublicSourceNeedsNothing() {
    assertThat(hmac.isPrivate("election")).isFalse();
    assertThat(decide("election", null).isAllowed()).isTrue();
  }

  @Test
  void aGoodTokenLetsItsHolderInUntilItExpiresPlusTheLeeway() throws Exception {
    Instant exp = NOW.plusSeconds(600);
    Decision d = decide("results", hs256(claims(List.of("results"), exp).build()));
    assertThat(d.isAllowed()).isTrue();
    assertThat(d.expires()).contains(exp.plusSeconds(30));
    assertThat(decide("turnout", hs256(claims(List.of("*"), exp).build())).isAllowed()).isTrue();
  }

  @Test
  void eachCheckRefusesWithItsOwnReason() throws Exception {
    Instant exp = NOW.plusSeconds(600);
    List<String> results = List.of("results");
    assertRefused(decide("results", null), Verdict.NO_TOKEN, "source 'results' is private");
    assertRefused(decide("results", "not.a.token"), Verdict.BAD_TOKEN, "not a signed JWT");
    assertRefused(
        decide("results", new PlainJWT(claims(results, exp).build()).serialize()),
        Verdict.BAD_TOKEN,
        "not a signed JWT");
    byte[] otherSecret =
        "another secret, also thirty-two bytes long".getBytes(StandardCharsets.UTF_8);
    assertRefused(
        decide(
            "results",
            sign(new MACSigner(otherSecret), JWSAlgorithm.HS256, claims(results, exp).build())),
        Verdict.BAD_TOKEN,
        "signature does not verify");
    assertRefused(
        decide("results", hs256(claims(results, null).build())), Verdict.BAD_TOKEN, "no exp");
    assertRefused(
        decide("results", hs256(claims(results, NOW.minusSeconds(31)).build())),
        Verdict.BAD_TOKEN,
        "expired at " + NOW.minusSeconds(31));
    assertThat(decide("results", hs256(claims(results, NOW.minusSeconds(29)).build())).isAllowed())
        .as("within the 30 s leeway")
        .isTrue();
    assertRefused(
        decide(
            "results",
            hs256(claims(results, exp).notBeforeTime(Date.from(NOW.plusSeconds(60))).build())),
        Verdict.BAD_TOKEN,
        "not valid before");
    assertRefused(
        decide("results", hs256(claims(List.of("turnout"), exp).build())),
        Verdict.NOT_GRANTED,
        "grants [turnout], not source 'results'");
    assertRefused(
        decide("results", hs256(claims(null, exp).build())),
        Verdict.NOT_GRANTED,
        "no sources claim");
    assertRefused(
        decide("results", hs256(claims("results", exp).build())),
        Verdict.BAD_TOKEN,
        "not a list of source names");
    assertThat(decide("results", null).httpStatus()).isEqualTo(401);
    assertThat(decide("results", hs256(claims(List.of(), exp).build())).httpStatus())
        .isEqualTo(403);
  }

  @Test
  void theMintersTokensAreAcceptedUntilTheyExpire(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("jwt.secret");
    Files.write(
        file, (new String(SECRET, StandardCharsets.UTF_8) + "\n").getBytes(StandardCharsets.UTF_8));
    assertThat(KeyFiles.hmacSecret(file)).as("without the newline").isEqualTo(SECRET);
    String token =
        TokenMinter.hmac(KeyFiles.hmacSecret(file))
            .source("results")
            .validFor(Duration.ofMinutes(5))
            .subject("newsroom")
            .clock(Clock.fixed(NOW, ZoneOffset.UTC))
            .mint();
    Decision d = decide("results", token);
    assertThat(d.isAllowed()).as(d.reason()).isTrue();
    assertThat(d.expires()).contains(NOW.plusSeconds(300 + 30));
    assertRefused(decide("turnout", token), Verdict.NOT_GRANTED, "grants [results]");
    String old =
        TokenMinter.hmac(SECRET)
            .source("results")
            .validFor(Duration.ofMinutes(5))
            .clock(Clock.fixed(NOW.minusSeconds(400), ZoneOffset.UTC))
            .mint();
    assertRefused(decide("results", old), Verdict.BAD_TOKEN, "expired");
  }

  @Test
  void refusalsAreCountedByVerdictAsMetrics() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    hmac.bindTo(registry);
    decide("results", null);
    decide("results", "junk");
    decide("results", "junk");
    decide("results", hs256(claims(List.of("results"), NOW.plusSeconds(60)).build()));
    assertThat(
            registry
                .get("arithmospora.access.decisions")
                .tag("verdict", "bad_token")
                .functionCounter()
                .count())
        .isEqualTo(2);
    assertThat(hmac.refused(Verdict.NO_TOKEN)).isEqualTo(1);
    assertThat(hmac.refused(Verdict.ALLOWED)).isEqualTo(1);
  }

  @Test
  void aFloodOfRefusalsIsLoggedTenAtATimeAndTheRestCountedInOneLine() throws Exception {
    Instant[] now = {NOW};
    Clock moving =
        new Clock() {
          @Override
          public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
          }

          @Override
          public Clock withZone(java.time.ZoneId zone) {
            return this;
          }

          @Override
          public Instant instant() {
            return now[0];
          }
        };
    JwtSourceAccess access =
        JwtSourceAccess.builder()
            .privateSources(List.of("results"))
            .hmacSecret(SECRET)
            .clock(moving)
            .build();
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    java.io.PrintStream err = System.err;
    System.setErr(new java.io.PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      for (int i = 0; i < 15; i++) {
        access.decide("results", "forged", "10.0.0." + i + ":5000");
      }
      now[0] = NOW.plusSeconds(11);
      access.decide("results", null, "10.0.0.99:5000");
    } finally {
      System.setErr(err);
    }
    List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines.stream().filter(l -> l.contains("Refused client"))).hasSize(11);
    assertThat(lines)
        .anyMatch(
            l ->
                l.contains(
                    "Refused client 10.0.0.0:5000 of private source 'results' (401 bad_token)"))
        .anyMatch(
            l -> l.contains("5 more clients of private sources were refused in the last 10 s"))
        .anyMatch(l -> l.contains("Refused client 10.0.0.99:5000") && l.contains("401 no_token"))
        .noneMatch(l -> l.contains("forged"));
  }

  @Test
  void issuerAndAudienceAreCheckedWhenConfigured() throws Exception {
    JwtSourceAccess strict =
        JwtSourceAccess.builder()
            .privateSources(Set.of("results"))
            .hmacSecret(SECRET)
            .issuer("https://results.example")
            .audience("arithmospora")
            .clock(Clock.fixed(NOW, ZoneOffset.UTC))
            .build();
    JWTClaimsSet.Builder c = claims(List.of("results"), NOW.plusSeconds(60));
    assertRefused(
        strict.decide("results", hs256(c.build()), "c"), Verdict.BAD_TOKEN, "iss is absent");
    c.issuer("https://evil.example");
    assertRefused(
        strict.decide("results", hs256(c.build()), "c"),
        Verdict.BAD_TOKEN,
        "iss is 'https://evil.example', not the configured issuer 'https://results.example'");
    c.issuer("https://results.example").audience("someone else");
    assertRefused(
        strict.decide("results", hs256(c.build()), "c"),
        Verdict.BAD_TOKEN,
        "does not include 'arithmospora'");
    c.audience(List.of("someone else", "arithmospora"));
    assertThat(strict.decide("results", hs256(c.build()), "c").isAllowed()).isTrue();
  }

  @Test
  void rsaAndEcKeysVerifyTheirOwnTokensAndRefuseAnHmacMadeWithThePublicKey(@TempDir Path dir)
      throws Exception {
    KeyPairGenerator rsaGen = KeyPairGenerator.getInstance("RSA");
    rsaGen.initialize(2048);
    KeyPair rsa = rsaGen.generateKeyPair();
    KeyPairGenerator ecGen = KeyPairGenerator.getInstance("EC");
    ecGen.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair ec = ecGen.generateKeyPair();
    JWTClaimsSet c = claims(List.of("results"), NOW.plusSeconds(60)).build();

    JwtSourceAccess byRsa = withKey(pem(dir.resolve("rsa.pem"), rsa));
    assertThat(
            byRsa
                .decide(
                    "results", sign(new RSASSASigner(rsa.getPrivate()), JWSAlgorithm.RS256, c), "c")
                .isAllowed())
        .isTrue();
    assertThat(
            byRsa
                .decide(
                    "results", sign(new RSASSASigner(rsa.getPrivate()), JWSAlgorithm.PS256, c), "c")
                .isAllowed())
        .isTrue();
    // The classic confusion: an HMAC keyed with the (public) key's bytes.
    String confused = sign(new MACSigner(rsa.getPublic().getEncoded()), JWSAlgorithm.HS256, c);
    assertRefused(byRsa.decide("results", confused, "c"), Verdict.BAD_TOKEN, "signed with HS256");

    JwtSourceAccess byEc = withKey(pem(dir.resolve("ec.pem"), ec));
    String es256 =
        sign(new ECDSASigner((ECPrivateKey) ec.getPrivate(), Curve.P_256), JWSAlgorithm.ES256, c);
    assertThat(byEc.decide("results", es256, "c").isAllowed()).isTrue();
    assertRefused(
        byEc.decide(
            "results", sign(new RSASSASigner(rsa.getPrivate()), JWSAlgorithm.RS256, c), "c"),
        Verdict.BAD_TOKEN,
        "this server's key verifies ES256");
  }

  @Test
  void keysThatCannotServeAreRefusedAtStartWithWhatIsWrong(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> JwtSourceAccess.builder().hmacSecret(new byte[31]))
        .hasMessageContaining("at least 32 bytes")
        .hasMessageContaining("has 31");
    Path priv = dir.resolve("private.pem");
    Files.writeString(priv, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    assertThatThrownBy(() -> KeyFiles.publicKey(priv))
        .hasMessageContaining("private.pem")
        .hasMessageContaining("holds a private key");
    Path junk = dir.resolve("junk.pem");
    Files.writeString(junk, "hello\n");
    assertThatThrownBy(() -> KeyFiles.publicKey(junk))
        .hasMessageContaining("junk.pem")
        .hasMessageContaining("no -----BEGIN PUBLIC KEY-----");
    assertThatThrownBy(() -> KeyFiles.publicKey(dir.resolve("absent.pem")))
        .hasMessageContaining("absent.pem")
        .hasMessageContaining("cannot read");
    KeyPairGenerator small = KeyPairGenerator.getInstance("RSA");
    small.initialize(1024);
    Path weak = pem(dir.resolve("weak.pem"), small.generateKeyPair());
    assertThatThrownBy(() -> JwtSourceAccess.builder().publicKey(KeyFiles.publicKey(weak)))
        .hasMessageContaining("at least 2048 bits, but has 1024");
    assertThatThrownBy(() -> JwtSourceAccess.builder().privateSources(List.of("x")).build())
        .hasMessageContaining("no key");
  }

  private static JwtSourceAccess withKey(Path pem) {
    return JwtSourceAccess.builder()
        .privateSources(List.of("results"))
        .publicKey(KeyFiles.publicKey(pem))
        .clock(Clock.fixed(NOW, ZoneOffset.UTC))
        .leeway(Duration.ZERO)
        .build();
  }

  /** The pair's public key as openssl writes it. */
  private static Path pem(Path file, KeyPair pair) throws Exception {
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(pair.getPublic().getEncoded());
    Files.writeString(file, "-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----\n");
    return file;
  }

  private static void assertRefused(Decision d, Verdict verdict, String reason) {
    assertThat(d.verdict()).as(d.reason()).isEqualTo(verdict);
    assertThat(d.reason()).contains(reason);
  }
}
