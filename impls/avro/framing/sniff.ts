// When the first bytes of a connection do not parse as the framing we expect, say what they look
// like instead: a peer configured for another transport is the usual cause (Flume's client with
// compression-type deflate against a plain Netty server, a SASL client against a plain socket
// server, HTTP or TLS against a socket). Used in error messages only.

/** A zlib stream header (RFC 1950): CM 8 (deflate), window <= 32 KB, header checksum. */
export function looksZlib(bytes: Buffer): boolean {
  if (bytes.length < 2) return false;
  const cmf = bytes[0] as number;
  const flg = bytes[1] as number;
  return (cmf & 0x0f) === 8 && cmf >> 4 <= 7 && ((cmf << 8) | flg) % 31 === 0;
}

function hex(bytes: Buffer): string {
  return [...bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

/**
 * A hint about what a stream starting with these bytes is, for a framing named `expected`;
 * an empty string when nothing is recognised.
 */
export function describeForeignStream(first: Buffer, expected: string): string {
  const at = `(first bytes ${hex(first)})`;
  if (looksZlib(first)) {
    return ` The stream looks zlib-compressed ${at}: the peer compresses (Flume's compression-type deflate does); this endpoint expects uncompressed ${expected} framing (netty-deflate:// speaks the compressed one).`;
  }
  const text = first.toString('latin1', 0, 8);
  if (/^(GET|POST|PUT|HEAD|OPTIONS) /.test(text)) return ` The stream looks like an HTTP request ${at}: use http:// for this peer.`;
  if (first[0] === 0x16 && first[1] === 0x03) return ` The stream looks like a TLS handshake ${at}: this endpoint does not speak TLS.`;
  if (first[0] === 0 && first.length >= 5 && first.readUInt32BE(1) > 0 && first.readUInt32BE(1) < 64 && expected !== 'SASL') {
    return ` The stream may be a SASL negotiation ${at}: use avro:// (SaslSocketServer) for this peer.`;
  }
  return ` It is not ${expected} framing ${at}.`;
}
