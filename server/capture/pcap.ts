/**
 * A streaming reader of the classic pcap file format (what `tcpdump -w -` writes), and a decoder
 * of the TCP segments inside. Binary pcap is parsed here rather than tcpdump's text output: the
 * text changes between tcpdump versions and options, the binary format has not changed since 1998.
 *
 * Format: a 24-byte global header (magic, version, snaplen, link type), then per packet a 16-byte
 * record header (seconds, micro- or nanoseconds, captured length, original length) and the
 * captured bytes. The magic number tells the byte order and the timestamp unit.
 */

import { formatIpv6 } from '../../shared/net/parse-ip.js';

export interface PcapPacket {
  /** Capture time, microseconds since the Unix epoch (CLOCK_REALTIME), fractional with ns precision. */
  tsMicros: number;
  /** Link-layer type of the capture (1 = Ethernet, as Linux reports `lo`). */
  linkType: number;
  /** The captured bytes (at most snaplen). */
  data: Buffer;
  /** The packet's length on the wire, before truncation to snaplen. */
  origLen: number;
}

const MAGIC_US = 0xa1b2c3d4;
const MAGIC_NS = 0xa1b23c4d;
/** A record larger than this is not a packet but a corrupt stream. */
const MAX_RECORD = 256 * 1024;

/** Feed it chunks as they arrive; it returns the complete packets in them. */
export class PcapReader {
  private buf: Buffer = Buffer.alloc(0);
  private header: { le: boolean; nanos: boolean; linkType: number } | null = null;

  push(chunk: Buffer): PcapPacket[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: PcapPacket[] = [];
    let at = 0;
    if (!this.header) {
      if (this.buf.length < 24) return out;
      const le = this.buf.readUInt32LE(0);
      const be = this.buf.readUInt32BE(0);
      const magic = le === MAGIC_US || le === MAGIC_NS ? le : be === MAGIC_US || be === MAGIC_NS ? be : null;
      if (magic === null) throw new Error(`not a pcap stream (magic 0x${be.toString(16)})`);
      const isLe = le === magic;
      this.header = { le: isLe, nanos: magic === MAGIC_NS, linkType: isLe ? this.buf.readUInt32LE(20) : this.buf.readUInt32BE(20) };
      at = 24;
    }
    const h = this.header;
    const u32 = (o: number) => (h.le ? this.buf.readUInt32LE(o) : this.buf.readUInt32BE(o));
    while (this.buf.length - at >= 16) {
      const incl = u32(at + 8);
      if (incl > MAX_RECORD) throw new Error(`corrupt pcap stream: a record of ${incl} bytes`);
      if (this.buf.length - at - 16 < incl) break;
      const sec = u32(at);
      const frac = u32(at + 4);
      out.push({
        tsMicros: sec * 1e6 + (h.nanos ? frac / 1000 : frac),
        linkType: h.linkType,
        origLen: u32(at + 12),
        // A view, not a copy: chunks from the pipe and the concatenations above are never
        // written to again, and nothing keeps `data` past decodeTcp.
        data: this.buf.subarray(at + 16, at + 16 + incl),
      });
      at += 16 + incl;
    }
    this.buf = this.buf.subarray(at);
    return out;
  }
}

export interface TcpSegment {
  family: 'IPv4' | 'IPv6';
  srcAddr: string;
  dstAddr: string;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  /** Raw TCP flag bits (FIN 0x01 ... CWR 0x80). */
  flags: number;
  win: number;
  /** Payload bytes, from the IP lengths (the capture itself is truncated to snaplen). */
  len: number;
  mss?: number;
  wscale?: number;
}

export const FLAG = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20, ECE: 0x40, CWR: 0x80 } as const;

/**
 * The TCP segment in one captured packet, or undefined for anything else (ARP, UDP, an IP
 * fragment, a truncated header). Link types: Ethernet (Linux `lo`), Linux cooked v1/v2
 * (`-i any`), BSD loopback (macOS `lo0`) and raw IP.
 */
export function decodeTcp(p: PcapPacket): TcpSegment | undefined {
  const d = p.data;
  let ipAt: number;
  switch (p.linkType) {
    case 1: { // Ethernet, possibly with 802.1Q tags
      if (d.length < 14) return undefined;
      ipAt = 14;
      let type = d.readUInt16BE(12);
      while ((type === 0x8100 || type === 0x88a8) && d.length >= ipAt + 4) { type = d.readUInt16BE(ipAt + 2); ipAt += 4; }
      if (type !== 0x0800 && type !== 0x86dd) return undefined;
      break;
    }
    case 113: ipAt = 16; break; // LINUX_SLL
    case 276: ipAt = 20; break; // LINUX_SLL2
    case 0: case 108: ipAt = 4; break; // NULL / LOOP: a 4-byte address family
    case 101: case 12: case 14: case 228: case 229: ipAt = 0; break; // raw IP
    default: return undefined;
  }
  if (d.length < ipAt + 1) return undefined;
  const version = d[ipAt]! >> 4;
  let tcpAt: number;
  let tcpTotal: number; // TCP header + payload
  let family: TcpSegment['family'];
  let srcAddr: string;
  let dstAddr: string;
  if (version === 4) {
    if (d.length < ipAt + 20) return undefined;
    const ihl = (d[ipAt]! & 0x0f) * 4;
    if (d[ipAt + 9] !== 6) return undefined;
    const fragment = d.readUInt16BE(ipAt + 6) & 0x3fff; // MF flag or a fragment offset
    if (fragment !== 0) return undefined;
    let total = d.readUInt16BE(ipAt + 2);
    // GSO super-packets on loopback may carry tot_len 0 (BIG TCP); the original length tells.
    if (total === 0) total = p.origLen - ipAt;
    tcpAt = ipAt + ihl;
    tcpTotal = total - ihl;
    family = 'IPv4';
    srcAddr = ipv4Text(d, ipAt + 12);
    dstAddr = ipv4Text(d, ipAt + 16);
  } else if (version === 6) {
    if (d.length < ipAt + 40) return undefined;
    let next = d[ipAt + 6]!;
    let payload = d.readUInt16BE(ipAt + 4);
    if (payload === 0) payload = p.origLen - ipAt - 40; // jumbogram / BIG TCP
    let at = ipAt + 40;
    // Skip hop-by-hop (0), routing (43) and destination options (60) headers.
    for (let i = 0; i < 8 && (next === 0 || next === 43 || next === 60); i++) {
      if (d.length < at + 2) return undefined;
      const hdrLen = (d[at + 1]! + 1) * 8;
      next = d[at]!;
      payload -= hdrLen;
      at += hdrLen;
    }
    if (next !== 6) return undefined;
    tcpAt = at;
    tcpTotal = payload;
    family = 'IPv6';
    srcAddr = ipv6Text(d, ipAt + 8);
    dstAddr = ipv6Text(d, ipAt + 24);
  } else return undefined;

  if (d.length < tcpAt + 20) return undefined;
  const dataOffset = (d[tcpAt + 12]! >> 4) * 4;
  if (dataOffset < 20) return undefined;
  const seg: TcpSegment = {
    family, srcAddr, dstAddr,
    srcPort: d.readUInt16BE(tcpAt),
    dstPort: d.readUInt16BE(tcpAt + 2),
    seq: d.readUInt32BE(tcpAt + 4),
    ack: d.readUInt32BE(tcpAt + 8),
    flags: d[tcpAt + 13]!,
    win: d.readUInt16BE(tcpAt + 14),
    len: Math.max(0, tcpTotal - dataOffset),
  };
  // Options (only what the flow tracker needs: MSS and window scale, both SYN-only).
  const optEnd = Math.min(tcpAt + dataOffset, d.length);
  for (let o = tcpAt + 20; o < optEnd; ) {
    const kind = d[o]!;
    if (kind === 0) break;
    if (kind === 1) { o++; continue; }
    if (o + 1 >= optEnd) break;
    const len = d[o + 1]!;
    if (len < 2 || o + len > optEnd) break;
    if (kind === 2 && len === 4) seg.mss = d.readUInt16BE(o + 2);
    if (kind === 3 && len === 3) seg.wscale = Math.min(14, d[o + 2]!);
    o += len;
  }
  return seg;
}

/**
 * Dotted IPv4 text, remembered per address: a capture sees a handful of addresses (127.0.0.1
 * mostly), and building the same string twice per segment was a good part of decoding.
 */
const ipv4Names = new Map<number, string>();
export function ipv4Text(b: Buffer, at: number): string {
  const n = b.readUInt32BE(at);
  let s = ipv4Names.get(n);
  if (s === undefined) {
    s = `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
    if (ipv4Names.size >= 1024) ipv4Names.clear();
    ipv4Names.set(n, s);
  }
  return s;
}

/** The 16 address bytes at `at` as text (as inet_ntop writes it): the one IPv6 formatter, shared/net/parse-ip.ts, that the kernel view uses too. */
export function ipv6Text(b: Buffer, at: number): string {
  return formatIpv6(Array.from(b.subarray(at, at + 16)));
}
