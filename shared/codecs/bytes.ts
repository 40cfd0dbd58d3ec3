/**
 * Small byte helpers for the codecs: no `node:` imports, no `Buffer`.
 */

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenientDecoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

export function utf8Encode(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Decodes UTF-8; returns null when the bytes are not valid UTF-8. */
export function utf8DecodeStrict(bytes: Uint8Array): string | null {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return null;
  }
}

/** Decodes UTF-8, replacing invalid sequences with U+FFFD (for display only). */
export function utf8DecodeLenient(bytes: Uint8Array): string {
  return lenientDecoder.decode(bytes);
}

/** Bytes as a string of code points 0-255 (HTTP heads are octets, not UTF-8). */
export function latin1Decode(bytes: Uint8Array): string {
  let out = '';
  const step = 8192;
  for (let i = 0; i < bytes.length; i += step) {
    out += String.fromCharCode.apply(null, Array.from(bytes.subarray(i, i + step)));
  }
  return out;
}

/** Strings to UTF-8 bytes; bytes as they are. */
export function toBytes(value: Uint8Array | string): Uint8Array {
  return typeof value === 'string' ? utf8Encode(value) : value;
}

/**
 * A copy of bytes[start, end) in a new plain Uint8Array. Never `bytes.slice()`: on a Node Buffer
 * (a Uint8Array subclass the decoders may be fed) `slice` returns a view, not a copy.
 */
export function copyBytes(bytes: Uint8Array, start = 0, end = bytes.length): Uint8Array {
  const out = new Uint8Array(end - start);
  out.set(bytes.subarray(start, end));
  return out;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const HEX = '0123456789abcdef';
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += HEX[b >>> 4]! + HEX[b & 15]!;
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** Standard base64 with padding (RFC 4648 section 4). */
export function base64Encode(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += B64[(n >>> 18) & 63]! + B64[(n >>> 12) & 63]! + B64[(n >>> 6) & 63]! + B64[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += B64[(n >>> 18) & 63]! + B64[(n >>> 12) & 63]! + '==';
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += B64[(n >>> 18) & 63]! + B64[(n >>> 12) & 63]! + B64[(n >>> 6) & 63]! + '=';
  }
  return out;
}

/** Decodes standard padded base64; returns null for anything else. */
export function base64Decode(text: string): Uint8Array | null {
  if (text.length % 4 !== 0) return null;
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    let n = 0;
    for (let j = 0; j < 4; j++) {
      const c = text[i + j]!;
      let v: number;
      if (c === '=') {
        if (i + 4 !== text.length || j < 4 - pad) return null;
        v = 0;
      } else {
        v = B64.indexOf(c);
        if (v < 0) return null;
      }
      n = (n << 6) | v;
    }
    if (o < out.length) out[o++] = (n >>> 16) & 255;
    if (o < out.length) out[o++] = (n >>> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}

/**
 * The bytes of one incomplete frame, held as views of the chunks they arrived in (no copy while
 * waiting). `take` copies them once into a fresh buffer of the exact size when the frame completes.
 */
export class Pieces {
  private parts: Uint8Array[] = [];
  private total = 0;

  get length(): number {
    return this.total;
  }

  add(view: Uint8Array): void {
    if (view.length === 0) return;
    this.parts.push(view);
    this.total += view.length;
  }

  clear(): void {
    if (this.parts.length !== 0) this.parts = [];
    this.total = 0;
  }

  /** Whether the last `take` had to copy (false when the bytes were already one contiguous view). */
  lastTakeCopied = false;

  /**
   * The first `keep` held bytes followed by `tail`, then clears. When those bytes are contiguous in
   * one pushed chunk (one held view, or only the tail) that view is returned as is; otherwise they
   * are copied once into a new buffer of the exact size: the single copy a spanning message gets.
   */
  take(keep: number = this.total, tail?: Uint8Array): Uint8Array {
    const tailLen = tail === undefined ? 0 : tail.length;
    const first = this.parts[0];
    if (tailLen === 0 && (keep === 0 || (first !== undefined && first.length >= keep))) {
      const view = first === undefined || keep === 0 ? new Uint8Array(0) : first.subarray(0, keep);
      this.clear();
      this.lastTakeCopied = false;
      return view;
    }
    if (keep === 0 && tail !== undefined) {
      this.clear();
      this.lastTakeCopied = false;
      return tail;
    }
    const out = new Uint8Array(keep + tailLen);
    let at = 0;
    for (const p of this.parts) {
      if (at >= keep) break;
      const n = Math.min(p.length, keep - at);
      out.set(n === p.length ? p : p.subarray(0, n), at);
      at += n;
    }
    if (tail !== undefined && tailLen > 0) out.set(tail, keep);
    this.clear();
    this.lastTakeCopied = true;
    return out;
  }
}
