package org.arithmospora.ws;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * Builds server {@link SSLContext}s from the files sites already have: a PEM certificate chain with
 * a PEM private key, as the Go program took them, or a PKCS#12 keystore.
 *
 * <p>Private keys may be PKCS#8 ({@code BEGIN PRIVATE KEY}), encrypted PKCS#8 ({@code BEGIN
 * ENCRYPTED PRIVATE KEY}, with a password), PKCS#1 RSA ({@code BEGIN RSA PRIVATE KEY}) or SEC1 EC
 * ({@code BEGIN EC PRIVATE KEY}). Java has no PEM key reader, so the PKCS#1 and SEC1 forms are
 * wrapped into PKCS#8 here. Every failure names the file and what was wrong with it.
 */
public final class TlsContexts {
  private static final Pattern PEM =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);
  private static final byte[] OID_RSA = {
    0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01
  };
  private static final byte[] OID_EC = {
    0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01
  };
  private static final byte[] DER_NULL = {0x05, 0x00};

  private TlsContexts() {}

  /**
   * A context from a PEM certificate chain (server certificate first) and an unencrypted PEM
   * private key.
   *
   * @throws IllegalArgumentException naming the file and the problem
   */
  public static SSLContext fromPem(Path certificateChain, Path privateKey) {
    return fromPem(certificateChain, privateKey, null);
  }

  /**
   * A context from a PEM certificate chain and a PEM private key that may be encrypted (PKCS#8 with
   * {@code password}).
   *
   * @throws IllegalArgumentException naming the file and the problem
   */
  public static SSLContext fromPem(Path certificateChain, Path privateKey, char[] password) {
    List<X509Certificate> chain = readCertificates(certificateChain);
    PrivateKey key = readPrivateKey(privateKey, password);
    checkPair(key, chain.get(0), privateKey, certificateChain);
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      char[] inMemory = new char[0];
      store.setKeyEntry("server", key, inMemory, chain.toArray(new Certificate[0]));
      return context(store, inMemory);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "cannot use " + certificateChain + " with " + privateKey + ": " + e.getMessage(), e);
    }
  }

  /**
   * A context from a PKCS#12 keystore holding the server's key and certificate chain.
   *
   * @throws IllegalArgumentException naming the file and the problem
   */
  public static SSLContext fromPkcs12(Path keystore, char[] password) {
    try (InputStream in = Files.newInputStream(keystore)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, password);
      return context(store, password);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read PKCS#12 keystore " + keystore + ": " + why(e), e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "cannot use PKCS#12 keystore " + keystore + ": " + e.getMessage(), e);
    }
  }

  private static SSLContext context(KeyStore store, char[] password)
      throws GeneralSecurityException {
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(store, password);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    return ctx;
  }

  static List<X509Certificate> readCertificates(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      List<X509Certificate> chain = new ArrayList<>();
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        chain.add((X509Certificate) c);
      }
      if (chain.isEmpty()) {
        throw new IllegalArgumentException("no certificate found in " + file);
      }
      return chain;
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read certificate chain " + file + ": " + why(e), e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "certificate chain " + file + " is not valid PEM or DER: " + e.getMessage(), e);
    }
  }

  /**
   * Why a file could not be read, in words: the JDK's exceptions for a missing or unreadable file
   * carry only its path, which the message names already.
   */
  private static String why(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied (the server runs as " + System.getProperty("user.name") + ")";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  static PrivateKey readPrivateKey(Path file, char[] password) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read private key " + file + ": " + why(e), e);
    }
    Matcher m = PEM.matcher(text);
    while (m.find()) {
      String type = m.group(1);
      String body = m.group(2);
      if (type.equals("EC PARAMETERS")) {
        continue;
      }
      if (body.contains("Proc-Type:")) {
        throw new IllegalArgumentException(
            "private key "
                + file
                + " is encrypted in the legacy OpenSSL format;"
                + " convert it with: openssl pkcs8 -topk8 -in OLD -out NEW");
      }
      byte[] der = Base64.getMimeDecoder().decode(body);
      try {
        return switch (type) {
          case "PRIVATE KEY" -> pkcs8(der);
          case "RSA PRIVATE KEY" ->
              pkcs8(
                  Der.sequence(
                      Der.integerZero(), Der.sequence(OID_RSA, DER_NULL), Der.octetString(der)));
          case "EC PRIVATE KEY" ->
              pkcs8(
                  Der.sequence(
                      Der.integerZero(),
                      Der.sequence(OID_EC, Der.ecCurveOf(der)),
                      Der.octetString(der)));
          case "ENCRYPTED PRIVATE KEY" -> decrypt(der, password, file);
          default ->
              throw new IllegalArgumentException(
                  "private key "
                      + file
                      + " holds a '"
                      + type
                      + "' block; expected PRIVATE KEY, ENCRYPTED PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY");
        };
      } catch (GeneralSecurityException | IllegalStateException e) {
        throw new IllegalArgumentException(
            "private key " + file + " (" + type + ") cannot be read: " + e.getMessage(), e);
      }
    }
    throw new IllegalArgumentException("no PEM private key found in " + file);
  }

  private static PrivateKey decrypt(byte[] der, char[] password, Path file)
      throws GeneralSecurityException {
    if (password == null) {
      throw new IllegalArgumentException(
          "private key " + file + " is encrypted and no password was given");
    }
    try {
      EncryptedPrivateKeyInfo info = new EncryptedPrivateKeyInfo(der);
      String algorithm = info.getAlgName();
      if (algorithm.equals("PBES2") || algorithm.equals("1.2.840.113549.1.5.13")) {
        // What openssl pkcs8 -topk8 writes. Java 17 names no cipher "PBES2"; the parameters
        // name the concrete one, e.g. PBEWithHmacSHA256AndAES_256.
        algorithm = info.getAlgParameters().toString();
      }
      Cipher cipher = Cipher.getInstance(algorithm);
      SecretKeyFactory factory = SecretKeyFactory.getInstance(algorithm);
      cipher.init(
          Cipher.DECRYPT_MODE,
          factory.generateSecret(new PBEKeySpec(password)),
          info.getAlgParameters());
      return pkcs8(info.getKeySpec(cipher).getEncoded());
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "private key " + file + " is not valid encrypted PKCS#8: " + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "private key " + file + " cannot be decrypted (wrong password?): " + e.getMessage(), e);
    }
  }

  private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    InvalidKeySpecException last = null;
    for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "RSASSA-PSS"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (InvalidKeySpecException e) {
        last = e;
      }
    }
    throw last;
  }

  /**
   * Signs with the key and verifies with the certificate: a mismatch fails here, not in a
   * handshake.
   */
  private static void checkPair(PrivateKey key, X509Certificate cert, Path keyFile, Path certFile) {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          default -> null;
        };
    if (algorithm == null) {
      return;
    }
    try {
      byte[] probe = "arithmospora".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(cert.getPublicKey());
      verifier.update(probe);
      if (!verifier.verify(signature)) {
        throw new IllegalArgumentException(
            "private key " + keyFile + " does not belong to the first certificate in " + certFile);
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "private key "
              + keyFile
              + " does not belong to the first certificate in "
              + certFile
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /** The little DER needed to wrap PKCS#1 and SEC1 keys into PKCS#8. */
  static final class Der {
    private Der() {}

    static byte[] integerZero() {
      return new byte[] {0x02, 0x01, 0x00};
    }

    static byte[] sequence(byte[]... parts) {
      return tlv(0x30, parts);
    }

    static byte[] octetString(byte[] content) {
      return tlv(0x04, content);
    }

    static byte[] tlv(int tag, byte[]... parts) {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      for (byte[] p : parts) {
        body.writeBytes(p);
      }
      int n = body.size();
      ByteArrayOutputStream out = new ByteArrayOutputStream(n + 6);
      out.write(tag);
      if (n < 0x80) {
        out.write(n);
      } else if (n <= 0xFF) {
        out.write(0x81);
        out.write(n);
      } else if (n <= 0xFFFF) {
        out.write(0x82);
        out.write(n >> 8);
        out.write(n);
      } else {
        out.write(0x83);
        out.write(n >> 16);
        out.write(n >> 8);
        out.write(n);
      }
      out.writeBytes(body.toByteArray());
      return out.toByteArray();
    }

    /**
     * The named-curve OID (as a whole TLV) in the {@code [0] parameters} of a SEC1 {@code
     * ECPrivateKey}.
     */
    static byte[] ecCurveOf(byte[] sec1) {
      int[] seq = header(sec1, 0);
      if (sec1[0] != 0x30) {
        throw new IllegalStateException("SEC1 key is not a DER sequence");
      }
      int pos = seq[0];
      int end = seq[0] + seq[1];
      while (pos < end) {
        int tag = sec1[pos] & 0xFF;
        int[] h = header(sec1, pos);
        if (tag == 0xA0) {
          int inner = h[0];
          int[] oid = header(sec1, inner);
          int length = oid[0] - inner + oid[1];
          byte[] tlv = new byte[length];
          System.arraycopy(sec1, inner, tlv, 0, length);
          return tlv;
        }
        pos = h[0] + h[1];
      }
      throw new IllegalStateException(
          "the EC key names no curve; write it with its parameters (openssl ec -param_enc named_curve)");
    }

    /** For the TLV at {@code pos}: the offset of its content and the content's length. */
    private static int[] header(byte[] der, int pos) {
      int lengthByte = der[pos + 1] & 0xFF;
      if (lengthByte < 0x80) {
        return new int[] {pos + 2, lengthByte};
      }
      int count = lengthByte & 0x7F;
      int length = 0;
      for (int i = 0; i < count; i++) {
        length = (length << 8) | (der[pos + 2 + i] & 0xFF);
      }
      return new int[] {pos + 2 + count, length};
    }
  }
}
