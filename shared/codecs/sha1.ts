/**
 * SHA-1, as specified in RFC 3174 ("US Secure Hash Algorithm 1 (SHA1)", section 6.1, method 1),
 * for the WebSocket accept key (RFC 6455 section 4.2.2). A small synchronous implementation
 * because the browser's crypto.subtle.digest is asynchronous and missing on plain-http origins.
 *
 * SHA-1 is broken for collision resistance; RFC 6455 uses it only to prove the server read the
 * handshake, which is all it is used for here. Do not use it for anything security-related.
 */
import { utf8Encode } from './bytes.js';

const K0 = 0x5a827999;
const K1 = 0x6ed9eba1;
const K2 = 0x8f1bbcdc;
const K3 = 0xca62c1d6;

/** The 20-byte SHA-1 digest of `input` (strings are hashed as UTF-8). */
export function sha1(input: Uint8Array | string): Uint8Array {
  const msg = typeof input === 'string' ? utf8Encode(input) : input;
  const ml = msg.length;
  // RFC 3174 section 4: append 0x80, zeros, then the message length in bits as 64 bits,
  // so the padded length is a multiple of 512 bits (64 bytes).
  const padded = new Uint8Array((((ml + 8) >>> 6) + 1) << 6);
  padded.set(msg);
  padded[ml] = 0x80;
  const view = new DataView(padded.buffer);
  const bits = ml * 8;
  view.setUint32(padded.length - 8, Math.floor(bits / 0x100000000));
  view.setUint32(padded.length - 4, bits >>> 0);

  let h0 = 0x67452301;
  let h1 = 0xefcdab89 | 0;
  let h2 = 0x98badcfe | 0;
  let h3 = 0x10325476;
  let h4 = 0xc3d2e1f0 | 0;
  const w = new Int32Array(80);

  for (let block = 0; block < padded.length; block += 64) {
    // Section 6.1 step a-b: the 16 words of the block, then W(t) = S^1(W(t-3) XOR W(t-8) XOR W(t-14) XOR W(t-16)).
    for (let t = 0; t < 16; t++) w[t] = view.getInt32(block + t * 4);
    for (let t = 16; t < 80; t++) {
      const x = w[t - 3]! ^ w[t - 8]! ^ w[t - 14]! ^ w[t - 16]!;
      w[t] = (x << 1) | (x >>> 31);
    }
    let a = h0;
    let b = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    // Step d: TEMP = S^5(A) + f(t;B,C,D) + E + W(t) + K(t); E = D; D = C; C = S^30(B); B = A; A = TEMP.
    for (let t = 0; t < 80; t++) {
      let f: number;
      let k: number;
      if (t < 20) {
        f = (b & c) | (~b & d);
        k = K0;
      } else if (t < 40) {
        f = b ^ c ^ d;
        k = K1;
      } else if (t < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = K2;
      } else {
        f = b ^ c ^ d;
        k = K3;
      }
      const temp = (((a << 5) | (a >>> 27)) + f + e + k + w[t]!) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = temp;
    }
    // Step e: H0 = H0 + A, ...
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
  }

  const out = new Uint8Array(20);
  const ov = new DataView(out.buffer);
  ov.setInt32(0, h0);
  ov.setInt32(4, h1);
  ov.setInt32(8, h2);
  ov.setInt32(12, h3);
  ov.setInt32(16, h4);
  return out;
}
