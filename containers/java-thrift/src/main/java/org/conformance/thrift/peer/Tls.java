package org.conformance.thrift.peer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.thrift.transport.TSSLTransportFactory.TSSLTransportParameters;

/**
 * The plan's PEM files (server certificate chain, its private key, the CA) turned into what Java's
 * TLS and libthrift's TSSLTransportFactory take: in-memory PKCS#12 key and trust stores. Private
 * keys: PKCS#8 ("PRIVATE KEY", RSA, EC or EdDSA) and PKCS#1 ("RSA PRIVATE KEY").
 */
final class Tls {
  private Tls() {}

  /** The password of the in-memory stores; they never leave the process. */
  static final String PASSWORD = "conformance";
  private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]+)-----END \\1-----");
  private static final Map<Path, byte[]> TRUST_STORES = new HashMap<>();

  static {
    // The stores live in memory only, for the moment libthrift reads them; the default 10,000
    // PBKDF2 rounds per store and load would cost most of a TLS connection's time (libthrift's
    // client builds a new SSLContext, so loads its trust store, for every connection).
    for (String kind : new String[] {"keyPbe", "certPbe", "mac"}) {
      System.setProperty("keystore.pkcs12." + kind + "IterationCount", "1");
    }
  }

  /** Paths from a plan's {@code tls} object; {@code cert} and {@code key} only for servers. */
  record Files3(Path cert, Path key, Path ca) {}

  static KeyStore keyStore(Files3 tls) throws IOException, GeneralSecurityException {
    List<Certificate> chain = certificates(tls.cert());
    if (chain.isEmpty()) throw new GeneralSecurityException("no certificate in " + tls.cert());
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry("server", privateKey(tls.key()), PASSWORD.toCharArray(), chain.toArray(new Certificate[0]));
    return store;
  }

  static KeyStore trustStore(Path ca) throws IOException, GeneralSecurityException {
    List<Certificate> cas = certificates(ca);
    if (cas.isEmpty()) throw new GeneralSecurityException("no certificate in " + ca);
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    for (int i = 0; i < cas.size(); i++) store.setCertificateEntry("ca" + i, cas.get(i));
    return store;
  }

  /** For TSSLTransportFactory.getServerSocket: the key store as a PKCS#12 stream. */
  static TSSLTransportParameters serverParameters(Files3 tls) throws IOException, GeneralSecurityException {
    TSSLTransportParameters parameters = new TSSLTransportParameters();
    parameters.setKeyStore(pkcs12(keyStore(tls)), PASSWORD, null, "PKCS12");
    return parameters;
  }

  /** For TSSLTransportFactory.getClientSocket: the CA as a PKCS#12 trust store stream. */
  static TSSLTransportParameters clientParameters(Path ca) throws IOException, GeneralSecurityException {
    byte[] store;
    synchronized (TRUST_STORES) {
      store = TRUST_STORES.get(ca);
      if (store == null) {
        store = pkcs12(trustStore(ca)).readAllBytes();
        TRUST_STORES.put(ca, store);
      }
    }
    TSSLTransportParameters parameters = new TSSLTransportParameters();
    parameters.setTrustStore(new ByteArrayInputStream(store), PASSWORD, null, "PKCS12");
    return parameters;
  }

  /** A client context that trusts exactly the plan's CA (https, raw TLS connections). */
  static SSLContext clientContext(Path ca) throws IOException, GeneralSecurityException {
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trustStore(ca));
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }

  private static InputStream pkcs12(KeyStore store) throws IOException, GeneralSecurityException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    store.store(bytes, PASSWORD.toCharArray());
    return new ByteArrayInputStream(bytes.toByteArray());
  }

  private static List<Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(pem)) {
      return new ArrayList<>(CertificateFactory.getInstance("X.509").generateCertificates(in));
    }
  }

  private static PrivateKey privateKey(Path pem) throws IOException, GeneralSecurityException {
    Matcher m = PEM.matcher(Files.readString(pem));
    while (m.find()) {
      byte[] der = Base64.getMimeDecoder().decode(m.group(2));
      switch (m.group(1)) {
        case "PRIVATE KEY":
          return pkcs8(der);
        case "RSA PRIVATE KEY":
          return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(wrapPkcs1(der)));
        default:
          // certificates or parameters in the same file: look further
      }
    }
    throw new GeneralSecurityException("no PKCS#8 \"PRIVATE KEY\" or PKCS#1 \"RSA PRIVATE KEY\" block in " + pem);
  }

  private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
    GeneralSecurityException last = null;
    for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        last = e;
      }
    }
    throw new GeneralSecurityException("a PKCS#8 key of no algorithm this JDK reads", last);
  }

  /** PKCS#1 RSAPrivateKey inside a PKCS#8 PrivateKeyInfo (version 0, rsaEncryption, NULL). */
  private static byte[] wrapPkcs1(byte[] pkcs1) {
    byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
    byte[] version = {0x02, 0x01, 0x00};
    byte[] octets = der(0x04, pkcs1);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(version);
    body.writeBytes(algorithm);
    body.writeBytes(octets);
    return der(0x30, body.toByteArray());
  }

  private static byte[] der(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int n = content.length;
    if (n < 0x80) {
      out.write(n);
    } else {
      int bytes = (32 - Integer.numberOfLeadingZeros(n) + 7) / 8;
      out.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) out.write(n >>> (8 * i));
    }
    out.writeBytes(content);
    return out.toByteArray();
  }
}
