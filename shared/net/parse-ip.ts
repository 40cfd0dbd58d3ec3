/**
 * Go's `net.ParseIP`, in TypeScript, for the address panel (seed 003): text in, the bytes the
 * program would hold out.
 *
 * What Go does, and this module reproduces:
 * - an IPv4 address ("127.0.0.1") parses to a 16-byte value, the IPv4-mapped IPv6 form
 *   ::ffff:127.0.0.1 — `net.IP` always holds 16 bytes after ParseIP; `To4()` gives the 4;
 * - an IPv6 address takes "::" once for a run of zero groups and may end in a dotted IPv4 part;
 * - zones ("fe80::1%eth0"), ports, leading zeros in IPv4 parts ("010.0.0.1", refused since Go
 *   1.17) and anything else give nil ("Invalid address" in the seed's program);
 * - `String()` prints any address that has a 4-byte form (IPv4, and IPv4-mapped IPv6) as dotted
 *   decimal, so "::ffff:1.2.3.4" prints as "1.2.3.4", while inet_ntop (C, Node) prints
 *   "::ffff:1.2.3.4". Both texts are returned.
 *
 * Pure: no Node or DOM APIs, so the browser panel and the server share it.
 */

export type IpKind = 'IPv4' | 'IPv6' | 'IPv4-mapped IPv6';

export interface ParsedIp {
  ok: true;
  input: string;
  kind: IpKind;
  /** The 16 bytes Go's ParseIP returns (IPv4 as ::ffff:a.b.c.d). */
  bytes16: number[];
  /** Go's To4(): the 4 bytes when the address has an IPv4 form, else undefined. */
  bytes4?: number[];
  /** What Go's String() prints. */
  goString: string;
  /** What inet_ntop, and so Node, prints (RFC 5952 for IPv6). */
  ntopString: string;
  /** Special ranges the address falls in (loopback, private, ...). */
  ranges: string[];
}

export interface ParseIpError { ok: false; input: string; reason: string }

const V4_MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

function parseV4(s: string): number[] | string {
  const parts = s.split('.');
  if (parts.length !== 4) return `an IPv4 address has 4 dot-separated parts, "${s}" has ${parts.length}`;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return `"${p}" is not a decimal number of 1 to 3 digits`;
    if (p.length > 1 && p.startsWith('0')) return `"${p}" has a leading zero (Go refuses these since 1.17: octal or decimal?)`;
    const n = Number(p);
    if (n > 255) return `${n} is more than 255`;
    out.push(n);
  }
  return out;
}

function parseV6(s: string): number[] | string {
  if (s.includes('%')) return 'zones ("%eth0") are not accepted by ParseIP (ParseAddr / netip accepts them)';
  const halves = s.split('::');
  if (halves.length > 2) return '"::" may appear only once';
  const groupsOf = (part: string, allowV4Tail: boolean): number[] | string => {
    if (part === '') return [];
    const fields = part.split(':');
    const bytes: number[] = [];
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      if (f.includes('.')) {
        if (!allowV4Tail || i !== fields.length - 1) return `an embedded IPv4 part may only come last ("${f}")`;
        const v4 = parseV4(f);
        if (typeof v4 === 'string') return v4;
        bytes.push(...v4);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(f)) return f === '' ? 'an empty group (a single ":" where "::" was meant?)' : `"${f}" is not a group of 1 to 4 hex digits`;
      const n = parseInt(f, 16);
      bytes.push(n >> 8, n & 0xff);
    }
    return bytes;
  };
  const head = groupsOf(halves[0]!, halves.length === 1);
  if (typeof head === 'string') return head;
  if (halves.length === 1) return head.length === 16 ? head : `an IPv6 address has 8 groups (16 bytes); this one has ${head.length} bytes and no "::"`;
  const tail = groupsOf(halves[1]!, true);
  if (typeof tail === 'string') return tail;
  const missing = 16 - head.length - tail.length;
  if (missing < 2) return '"::" must stand for at least one group of zeros';
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}

/** inet_ntop's IPv6 text: lowercase, the longest run (>= 2) of zero groups as "::", mapped tail dotted. */
export function formatIpv6(b: readonly number[]): string {
  const w: number[] = [];
  for (let i = 0; i < 8; i++) w.push((b[2 * i]! << 8) | b[2 * i + 1]!);
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  if (bestLen < 2) best = -1;
  if (best === 0 && (bestLen === 6 || (bestLen === 5 && w[5] === 0xffff))) {
    return `::${bestLen === 5 ? 'ffff:' : ''}${b.slice(12).join('.')}`;
  }
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === best) { s += '::'; i += bestLen - 1; continue; }
    if (s !== '' && !s.endsWith(':')) s += ':';
    s += w[i]!.toString(16);
  }
  return s;
}

function rangesOf(b16: readonly number[], b4: readonly number[] | undefined): string[] {
  const r: string[] = [];
  if (b4) {
    const [a, b] = b4 as [number, number];
    if (a === 127) r.push('loopback (127.0.0.0/8)');
    if (b4.every((x) => x === 0)) r.push('unspecified (0.0.0.0: every address)');
    if (a === 10 || (a === 172 && b >= 16 && b < 32) || (a === 192 && b === 168)) r.push('private (RFC 1918)');
    if (a === 169 && b === 254) r.push('link-local (169.254.0.0/16)');
    if (a >= 224 && a < 240) r.push('multicast (224.0.0.0/4)');
    if (a === 198 && (b === 18 || b === 19)) r.push('benchmarking (198.18.0.0/15)');
    return r;
  }
  if (b16.every((x, i) => (i < 15 ? x === 0 : x === 1))) r.push('loopback (::1)');
  if (b16.every((x) => x === 0)) r.push('unspecified (::: every address)');
  if ((b16[0]! & 0xfe) === 0xfc) r.push('unique local (fc00::/7)');
  if (b16[0] === 0xfe && (b16[1]! & 0xc0) === 0x80) r.push('link-local (fe80::/10)');
  if (b16[0] === 0xff) r.push('multicast (ff00::/8)');
  if (b16[0] === 0x20 && b16[1] === 0x01 && b16[2] === 0x0d && b16[3] === 0xb8) r.push('documentation (2001:db8::/32)');
  return r;
}

/** Parse like Go's net.ParseIP; never throws. */
export function parseIp(input: string): ParsedIp | ParseIpError {
  const s = input.trim();
  if (s === '') return { ok: false, input, reason: 'empty' };
  if (s.length > 64) return { ok: false, input, reason: 'too long for an IP address' };
  if (!s.includes(':')) {
    const v4 = parseV4(s);
    if (typeof v4 === 'string') return { ok: false, input, reason: v4 };
    const bytes16 = [...V4_MAPPED_PREFIX, ...v4];
    return { ok: true, input, kind: 'IPv4', bytes16, bytes4: v4, goString: v4.join('.'), ntopString: v4.join('.'), ranges: rangesOf(bytes16, v4) };
  }
  const v6 = parseV6(s);
  if (typeof v6 === 'string') return { ok: false, input, reason: v6 };
  const mapped = V4_MAPPED_PREFIX.every((x, i) => v6[i] === x);
  const bytes4 = mapped ? v6.slice(12) : undefined;
  return {
    ok: true, input, kind: mapped ? 'IPv4-mapped IPv6' : 'IPv6', bytes16: v6,
    ...(bytes4 ? { bytes4 } : {}),
    goString: bytes4 ? bytes4.join('.') : formatIpv6(v6),
    ntopString: formatIpv6(v6),
    ranges: rangesOf(v6, bytes4),
  };
}

/** Bytes as Go's %v of a []byte would not show them, but as a student reads them: hex pairs. */
export function hexBytes(bytes: readonly number[]): string {
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ');
}
