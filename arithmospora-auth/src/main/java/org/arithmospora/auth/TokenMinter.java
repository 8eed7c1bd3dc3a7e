package org.arithmospora.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Objects;

/**
 * Makes HS256 tokens that {@link JwtSourceAccess} accepts: for {@code arithmospora token}, for
 * tests, and as the reference for a site's own token service (which any JWT library can be).
 *
 * <pre>{@code
 * String token = TokenMinter.hmac(secret).source("results").validFor(Duration.ofHours(12)).mint();
 * }</pre>
 */
public final class TokenMinter {
  private final byte[] secret;
  private final List<String> sources = new ArrayList<>();
  private Duration validFor = Duration.ofHours(1);
  private String subject;
  private String issuer;
  private String audience;
  private Clock clock = Clock.systemUTC();

  private TokenMinter(byte[] secret) {
    this.secret = secret.clone();
  }

  /**
   * Tokens signed with this shared secret.
   *
   * @throws IllegalArgumentException when it is shorter than 32 bytes
   */
  public static TokenMinter hmac(byte[] secret) {
    JwtSourceAccess.requireHmacStrength(secret);
    return new TokenMinter(secret);
  }

  /** The token grants {@code name} ({@code "*"}: every private source). */
  public TokenMinter source(String name) {
    sources.add(Objects.requireNonNull(name));
    return this;
  }

  /** The token grants each of {@code names}. */
  public TokenMinter sources(Collection<String> names) {
    names.forEach(this::source);
    return this;
  }

  /** How long from now the token is good for (default one hour): its {@code exp}. */
  public TokenMinter validFor(Duration d) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("a token must be valid for some time, not " + d);
    }
    this.validFor = d;
    return this;
  }

  /** Who holds it, for the site's own records: its {@code sub}. */
  public TokenMinter subject(String sub) {
    this.subject = sub;
    return this;
  }

  /** Its {@code iss}: what {@code [auth] issuer} checks. */
  public TokenMinter issuer(String iss) {
    this.issuer = iss;
    return this;
  }

  /** Its {@code aud}: what {@code [auth] audience} checks. */
  public TokenMinter audience(String aud) {
    this.audience = aud;
    return this;
  }

  /** The clock {@code iat} and {@code exp} are counted on (the system's). */
  public TokenMinter clock(Clock c) {
    this.clock = Objects.requireNonNull(c);
    return this;
  }

  /**
   * The signed token, compact form.
   *
   * @throws IllegalArgumentException when it grants no source, or the secret is under 32 bytes
   */
  public String mint() {
    if (sources.isEmpty()) {
      throw new IllegalArgumentException("a token must grant at least one source");
    }
    Instant now = clock.instant();
    JWTClaimsSet.Builder claims =
        new JWTClaimsSet.Builder()
            .claim(JwtSourceAccess.SOURCES_CLAIM, List.copyOf(sources))
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plus(validFor)));
    if (subject != null) {
      claims.subject(subject);
    }
    if (issuer != null) {
      claims.issuer(issuer);
    }
    if (audience != null) {
      claims.audience(audience);
    }
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(),
            claims.build());
    try {
      jwt.sign(new MACSigner(secret));
    } catch (JOSEException e) {
      throw new IllegalArgumentException("cannot sign with this secret: " + e.getMessage(), e);
    }
    return jwt.serialize();
  }
}
