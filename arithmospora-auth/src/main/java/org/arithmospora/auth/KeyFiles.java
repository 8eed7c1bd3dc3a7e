package org.arithmospora.auth;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * Reads the keys tokens are verified with: a shared secret, or a PEM public key as {@code openssl}
 * writes it.
 */
public final class KeyFiles {
  private KeyFiles() {}

  /**
   * The HMAC secret in {@code file}: its bytes, less the line end that an editor or {@code echo}
   * adds (a secret made with {@code openssl rand -base64 48 > file} is the base64 text).
   *
   * @throws IllegalArgumentException naming the file when it cannot be read
   */
  public static byte[] hmacSecret(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(file + ": cannot read the secret: " + e, e);
    }
    int n = bytes.length;
    while (n > 0 && (bytes[n - 1] == '\n' || bytes[n - 1] == '\r')) {
      n--;
    }
    return Arrays.copyOf(bytes, n);
  }

  /**
   * The RSA or EC key in {@code file}: a {@code PUBLIC KEY} (SubjectPublicKeyInfo, as {@code
   * openssl pkey -pubout} writes) or a {@code CERTIFICATE}, whose key is taken.
   *
   * @throws IllegalArgumentException naming the file and what is wrong with it
   */
  public static PublicKey publicKey(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(file + ": cannot read the public key: " + e, e);
    }
    if (text.contains("PRIVATE KEY-----")) {
      throw new IllegalArgumentException(
          file
              + ": holds a private key; the server needs only the public half"
              + " (openssl pkey -in key.pem -pubout -out public.pem), and the private key belongs"
              + " where tokens are signed");
    }
    byte[] der;
    try {
      if (text.contains("-----BEGIN CERTIFICATE-----")) {
        return CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)))
            .getPublicKey();
      }
      der = Base64.getMimeDecoder().decode(body(file, text, "PUBLIC KEY"));
    } catch (CertificateException | IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": not a PEM public key or certificate: " + e, e);
    }
    for (String algorithm : new String[] {"RSA", "EC"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
      } catch (InvalidKeySpecException e) {
        // Not of this kind: try the next.
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("this JVM has no " + algorithm + " key factory", e);
      }
    }
    throw new IllegalArgumentException(file + ": the public key is neither RSA nor EC");
  }

  private static String body(Path file, String text, String label) {
    String begin = "-----BEGIN " + label + "-----";
    String end = "-----END " + label + "-----";
    int from = text.indexOf(begin);
    int to = text.indexOf(end);
    if (from < 0 || to < from) {
      throw new IllegalArgumentException(file + ": no " + begin + " … " + end + " block");
    }
    return text.substring(from + begin.length(), to);
  }
}
