package org.arithmospora.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.arithmospora.hub.SourceAccess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Private sources behind JSON Web Tokens (RFC 7519), signed with a shared secret (HS256, HS384,
 * HS512) or a private key whose public half this server holds (RS256…, PS256…, ES256…). A token
 * lets its holder read the sources its {@code sources} claim names ({@code "*"}: every one) until
 * its {@code exp}; sources not declared private are open to all.
 *
 * <pre>{@code
 * { "sources": ["results"], "exp": 1796000000, "iss": "https://results.example", "sub": "newsroom" }
 * }</pre>
 *
 * <p>Checked, in order: the token is a signed JWT; its algorithm is one the key is for (a token
 * cannot choose {@code none}, nor an HMAC keyed with a public key); its signature; {@code exp} is
 * present and not past, {@code nbf} not ahead, both within {@link Builder#leeway}; {@code iss} and
 * {@code aud} when configured; then the grant. Each refusal says which of these failed.
 *
 * <p>Thread-safe. Refusals are counted by verdict ({@link #refused}) and logged at INFO with the
 * client, at most {@value #LOG_BURST} in {@value #LOG_PERIOD_SECONDS} s (a flood of forged tokens
 * must not flood the log), the rest counted in one line.
 */
public final class JwtSourceAccess implements SourceAccess, MeterBinder {
  private static final Logger log = LoggerFactory.getLogger(JwtSourceAccess.class);
  private static final int LOG_BURST = 10;
  private static final int LOG_PERIOD_SECONDS = 10;

  /** The claim that lists the sources a token grants. */
  public static final String SOURCES_CLAIM = "sources";

  private final Set<String> privateSources;
  private final JWSVerifier verifier;
  private final Set<JWSAlgorithm> algorithms;
  private final Optional<String> issuer;
  private final Optional<String> audience;
  private final Duration leeway;
  private final Clock clock;
  private final Map<Verdict, LongAdder> decided = new EnumMap<>(Verdict.class);
  // Milliseconds of the clock; 0 (long past) so that the first refusal begins a period.
  private final AtomicLong logPeriodStart = new AtomicLong(0);
  private final AtomicLong loggedInPeriod = new AtomicLong();
  private final AtomicLong notLoggedInPeriod = new AtomicLong();

  private JwtSourceAccess(Builder b) {
    this.privateSources = Set.copyOf(b.privateSources);
    this.verifier = b.verifier;
    this.algorithms = b.algorithms;
    this.issuer = Optional.ofNullable(b.issuer);
    this.audience = Optional.ofNullable(b.audience);
    this.leeway = b.leeway;
    this.clock = b.clock;
    for (Verdict v : Verdict.values()) {
      decided.put(v, new LongAdder());
    }
  }

  /** A builder; give it the private sources and one key. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public boolean isPrivate(String source) {
    return privateSources.contains(source);
  }

  /** The names of the sources that need a token. */
  public Set<String> privateSources() {
    return privateSources;
  }

  @Override
  public Decision decide(String source, String token, String client) {
    Decision d = isPrivate(source) ? check(source, token) : Decision.allowed();
    decided.get(d.verdict()).increment();
    if (!d.isAllowed()) {
      logRefusal(source, client, d);
    }
    return d;
  }

  /** Clients refused with {@code verdict} so far (or let in, for {@link Verdict#ALLOWED}). */
  public long refused(Verdict verdict) {
    return decided.get(verdict).sum();
  }

  /** {@code arithmospora_access_decisions_total{verdict}}: every client of a source, by verdict. */
  @Override
  public void bindTo(MeterRegistry registry) {
    for (Verdict v : Verdict.values()) {
      FunctionCounter.builder("arithmospora.access.decisions", this, a -> a.refused(v))
          .description(
              "Clients asking for a source: allowed, or refused for no_token, bad_token (401),"
                  + " not_granted (403)")
          .tag("verdict", v.name().toLowerCase(Locale.ROOT))
          .register(registry);
    }
  }

  private Decision check(String source, String token) {
    if (token == null || token.isEmpty()) {
      return Decision.refused(
          Verdict.NO_TOKEN,
          "source '"
              + source
              + "' is private: present a token as ?token=, as the subprotocol after"
              + " 'arithmospora-token', or in an Authorization: Bearer header");
    }
    SignedJWT jwt;
    try {
      jwt = SignedJWT.parse(token);
    } catch (ParseException e) {
      return bad("the token is not a signed JWT (" + e.getMessage() + ")");
    }
    JWSHeader header = jwt.getHeader();
    if (!algorithms.contains(header.getAlgorithm())) {
      return bad(
          "the token is signed with "
              + header.getAlgorithm()
              + "; this server's key verifies "
              + names(algorithms));
    }
    try {
      if (!jwt.verify(verifier)) {
        return bad("the token's signature does not verify with this server's key");
      }
    } catch (JOSEException e) {
      return bad("the token's signature cannot be checked (" + e.getMessage() + ")");
    }
    JWTClaimsSet claims;
    try {
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      return bad("the token's claims are not a JSON object (" + e.getMessage() + ")");
    }
    Instant now = clock.instant();
    Date exp = claims.getExpirationTime();
    if (exp == null) {
      return bad("the token has no exp: tokens for private sources must expire");
    }
    if (exp.toInstant().plus(leeway).isBefore(now)) {
      return bad("the token expired at " + exp.toInstant());
    }
    Date nbf = claims.getNotBeforeTime();
    if (nbf != null && nbf.toInstant().minus(leeway).isAfter(now)) {
      return bad("the token is not valid before " + nbf.toInstant());
    }
    if (issuer.isPresent() && !issuer.get().equals(claims.getIssuer())) {
      return bad(
          "the token's iss is "
              + quoted(claims.getIssuer())
              + ", not the configured issuer '"
              + issuer.get()
              + "'");
    }
    if (audience.isPresent()
        && (claims.getAudience() == null || !claims.getAudience().contains(audience.get()))) {
      return bad(
          "the token's aud "
              + (claims.getAudience() == null ? "is absent" : claims.getAudience().toString())
              + ", and does not include '"
              + audience.get()
              + "'");
    }
    List<String> granted;
    try {
      granted = claims.getStringListClaim(SOURCES_CLAIM);
    } catch (ParseException e) {
      return bad("the token's " + SOURCES_CLAIM + " claim is not a list of source names");
    }
    if (granted == null) {
      return Decision.refused(
          Verdict.NOT_GRANTED,
          "the token has no "
              + SOURCES_CLAIM
              + " claim: it grants no source, and so not '"
              + source
              + "'");
    }
    if (!granted.contains(source) && !granted.contains("*")) {
      return Decision.refused(
          Verdict.NOT_GRANTED, "the token grants " + granted + ", not source '" + source + "'");
    }
    return Decision.allowedUntil(exp.toInstant().plus(leeway));
  }

  /** HS256 needs a key of at least its hash's size (RFC 7518 §3.2); signing and verifying alike. */
  static void requireHmacStrength(byte[] secret) {
    if (secret.length < 32) {
      throw new IllegalArgumentException(
          "an HMAC secret needs at least 32 bytes (256 bits, RFC 7518 §3.2), but has "
              + secret.length);
    }
  }

  private static Decision bad(String reason) {
    return Decision.refused(Verdict.BAD_TOKEN, reason);
  }

  private static String quoted(String s) {
    return s == null ? "absent" : "'" + s + "'";
  }

  private static String names(Collection<JWSAlgorithm> algorithms) {
    List<String> names = new ArrayList<>();
    algorithms.forEach(a -> names.add(a.getName()));
    names.sort(null);
    return String.join(", ", names);
  }

  private void logRefusal(String source, String client, Decision d) {
    long now = clock.millis();
    long start = logPeriodStart.get();
    if (now - start > LOG_PERIOD_SECONDS * 1000L && logPeriodStart.compareAndSet(start, now)) {
      long unsaid = notLoggedInPeriod.getAndSet(0);
      loggedInPeriod.set(0);
      if (unsaid > 0) {
        log.info(
            "{} more clients of private sources were refused in the last {} s",
            unsaid,
            LOG_PERIOD_SECONDS);
      }
    }
    if (loggedInPeriod.incrementAndGet() <= LOG_BURST) {
      log.info(
          "Refused client {} of private source '{}' ({}): {}",
          client,
          source,
          status(d),
          d.reason());
    } else {
      notLoggedInPeriod.incrementAndGet();
    }
  }

  private static String status(Decision d) {
    return d.httpStatus() + " " + d.verdict().name().toLowerCase(Locale.ROOT);
  }

  /** Builds a {@link JwtSourceAccess}. */
  public static final class Builder {
    private final List<String> privateSources = new ArrayList<>();
    private JWSVerifier verifier;
    private Set<JWSAlgorithm> algorithms;
    private String issuer;
    private String audience;
    private Duration leeway = Duration.ofSeconds(30);
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** Sources that need a token; every other source stays open. */
    public Builder privateSources(Collection<String> names) {
      privateSources.addAll(names);
      return this;
    }

    /**
     * Tokens are signed with this shared secret (HS256, HS384 or HS512, as its length allows).
     *
     * @throws IllegalArgumentException when the secret is shorter than 32 bytes, which HS256 needs
     *     (RFC 7518 §3.2)
     */
    public Builder hmacSecret(byte[] secret) {
      requireHmacStrength(secret);
      try {
        verifier = new MACVerifier(secret);
      } catch (JOSEException e) {
        throw new IllegalArgumentException("not an HMAC secret: " + e.getMessage(), e);
      }
      // An HMAC is as strong as its key: a longer hash is accepted only with a key as long as it.
      algorithms =
          secret.length >= 64
              ? Set.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512)
              : secret.length >= 48
                  ? Set.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384)
                  : Set.of(JWSAlgorithm.HS256);
      return this;
    }

    /**
     * Tokens are signed with the private half of this RSA (RS256…, PS256…) or EC (ES256, ES384,
     * ES512, by the key's curve) key.
     *
     * @throws IllegalArgumentException for a key of another kind, or an RSA key under 2048 bits
     */
    public Builder publicKey(PublicKey key) {
      Objects.requireNonNull(key);
      if (key instanceof RSAPublicKey rsa) {
        try {
          verifier = new RSASSAVerifier(rsa);
        } catch (RuntimeException e) {
          throw new IllegalArgumentException("not a usable RSA key: " + e.getMessage(), e);
        }
        if (rsa.getModulus().bitLength() < 2048) {
          throw new IllegalArgumentException(
              "an RSA key needs at least 2048 bits, but has " + rsa.getModulus().bitLength());
        }
        algorithms = Set.copyOf(JWSAlgorithm.Family.RSA);
      } else if (key instanceof ECPublicKey ec) {
        try {
          ECDSAVerifier v = new ECDSAVerifier(ec);
          verifier = v;
          algorithms = Set.copyOf(v.supportedJWSAlgorithms());
        } catch (JOSEException e) {
          throw new IllegalArgumentException("not a usable EC key: " + e.getMessage(), e);
        }
      } else {
        throw new IllegalArgumentException(
            "a " + key.getAlgorithm() + " key cannot verify tokens: give an RSA or an EC key");
      }
      return this;
    }

    /** When set, a token's {@code iss} must be exactly this. */
    public Builder issuer(String iss) {
      this.issuer = iss;
      return this;
    }

    /** When set, a token's {@code aud} must include this. */
    public Builder audience(String aud) {
      this.audience = aud;
      return this;
    }

    /** How far clocks may disagree: {@code exp} and {@code nbf} are stretched by it (30 s). */
    public Builder leeway(Duration d) {
      if (d.isNegative()) {
        throw new IllegalArgumentException("leeway must not be negative, but is " + d);
      }
      this.leeway = d;
      return this;
    }

    /** The clock tokens are checked against (the system's); for tests. */
    public Builder clock(Clock c) {
      this.clock = Objects.requireNonNull(c);
      return this;
    }

    /**
     * The access policy.
     *
     * @throws IllegalStateException when no key was given
     */
    public JwtSourceAccess build() {
      if (verifier == null) {
        throw new IllegalStateException(
            "no key to verify tokens with: give hmacSecret or publicKey");
      }
      return new JwtSourceAccess(this);
    }
  }
}
