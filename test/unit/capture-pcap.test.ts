import { describe, expect, it } from 'vitest';
import { FLAG, PcapReader, decodeTcp, ipv6Text, type TcpSegment } from '../../server/capture/pcap.js';
import { FlowTracker } from '../../server/capture/tcp-flows.js';
import { wallToMonoOffset } from '../../server/capture/wall-clock.js';
import { monoMicros } from '../../server/actor/clock.js';
import { PacketEvent } from '../../shared/trace/capture-events.js';

/** A pcap global header (nanosecond magic, little-endian) for link type `link`. */
function globalHeader(link = 1, nanos = true): Buffer {
  const b = Buffer.alloc(24);
  b.writeUInt32LE(nanos ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  b.writeUInt16LE(2, 4); b.writeUInt16LE(4, 6);
  b.writeUInt32LE(160, 16); b.writeUInt32LE(link, 20);
  return b;
}

interface Seg { src?: string; dst?: string; sport: number; dport: number; seq: number; ack?: number; flags: number; win: number; len?: number; mss?: number; wscale?: number; v6?: boolean }

/** An Ethernet + IPv4/IPv6 + TCP frame as Linux `lo` delivers it, truncated like a snaplen would. */
function frame(s: Seg): { data: Buffer; origLen: number } {
  const opts: number[] = [];
  if (s.mss !== undefined) opts.push(2, 4, s.mss >> 8, s.mss & 0xff);
  if (s.wscale !== undefined) opts.push(1, 3, 3, s.wscale);
  while (opts.length % 4) opts.push(0);
  const tcpLen = 20 + opts.length;
  const tcp = Buffer.alloc(tcpLen);
  tcp.writeUInt16BE(s.sport, 0); tcp.writeUInt16BE(s.dport, 2);
  tcp.writeUInt32BE(s.seq >>> 0, 4); tcp.writeUInt32BE((s.ack ?? 0) >>> 0, 8);
  tcp[12] = (tcpLen / 4) << 4; tcp[13] = s.flags; tcp.writeUInt16BE(s.win, 14);
  Buffer.from(opts).copy(tcp, 20);
  const payload = s.len ?? 0;
  let ip: Buffer;
  let eth: Buffer;
  if (s.v6) {
    ip = Buffer.alloc(40);
    ip[0] = 0x60; ip.writeUInt16BE(tcpLen + payload, 4); ip[6] = 6; ip[7] = 64;
    ip[23] = 1; ip[39] = 1; // ::1 → ::1
    eth = Buffer.alloc(14); eth.writeUInt16BE(0x86dd, 12);
  } else {
    ip = Buffer.alloc(20);
    ip[0] = 0x45; ip.writeUInt16BE(20 + tcpLen + payload, 2); ip[9] = 6; ip[8] = 64;
    Buffer.from([127, 0, 0, 1]).copy(ip, 12); Buffer.from([127, 0, 0, 1]).copy(ip, 16);
    eth = Buffer.alloc(14); eth.writeUInt16BE(0x0800, 12);
  }
  // Captured bytes end after the TCP header (the payload is cut by the snaplen).
  const data = Buffer.concat([eth, ip, tcp]);
  return { data, origLen: data.length + payload };
}

function record(f: { data: Buffer; origLen: number }, sec: number, nsec: number): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt32LE(sec, 0); h.writeUInt32LE(nsec, 4); h.writeUInt32LE(f.data.length, 8); h.writeUInt32LE(f.origLen, 12);
  return Buffer.concat([h, f.data]);
}

describe('PcapReader + decodeTcp', () => {
  it('reads records split across arbitrary chunk boundaries, with ns timestamps and payload lengths from the IP header', () => {
    const stream = Buffer.concat([
      globalHeader(),
      record(frame({ sport: 40000, dport: 7000, seq: 1000, flags: FLAG.SYN, win: 65495, mss: 65495, wscale: 7 }), 1_700_000_000, 123_456_789),
      record(frame({ sport: 7000, dport: 40000, seq: 5000, ack: 1001, flags: FLAG.ACK | FLAG.PSH, win: 512, len: 30000 }), 1_700_000_001, 1),
    ]);
    const r = new PcapReader();
    const packets = [];
    // Feed it 7 bytes at a time: every boundary case (inside a header, inside a record) occurs.
    for (let i = 0; i < stream.length; i += 7) packets.push(...r.push(stream.subarray(i, i + 7)));
    expect(packets).toHaveLength(2);
    expect(packets[0]!.tsMicros).toBeCloseTo(1_700_000_000 * 1e6 + 123_456.789, 3);
    const syn = decodeTcp(packets[0]!)!;
    expect(syn).toMatchObject({ family: 'IPv4', srcAddr: '127.0.0.1', srcPort: 40000, dstPort: 7000, seq: 1000, flags: FLAG.SYN, win: 65495, len: 0, mss: 65495, wscale: 7 });
    const data = decodeTcp(packets[1]!)!;
    expect(data).toMatchObject({ srcPort: 7000, ack: 1001, len: 30000 });
    expect(data.mss).toBeUndefined();
  });

  it('decodes IPv6, rejects non-TCP and says clearly when the stream is not pcap', () => {
    const r = new PcapReader();
    const [p] = r.push(Buffer.concat([globalHeader(1, false), record(frame({ v6: true, sport: 1, dport: 2, seq: 3, flags: FLAG.ACK, win: 4, len: 5 }), 1, 2)]));
    expect(p!.tsMicros).toBe(1e6 + 2);
    expect(decodeTcp(p!)).toMatchObject({ family: 'IPv6', srcAddr: '::1', dstAddr: '::1', len: 5 });
    const udp = { ...p!, data: Buffer.from(p!.data) };
    udp.data[14 + 6] = 17; // next header: UDP
    expect(decodeTcp(udp)).toBeUndefined();
    expect(() => new PcapReader().push(Buffer.from('this is not a capture file at all'))).toThrow(/not a pcap stream/);
  });

  it('formats IPv6 like inet_ntop', () => {
    const b = Buffer.alloc(16);
    b[15] = 1;
    expect(ipv6Text(b, 0)).toBe('::1');
    b.writeUInt16BE(0xfe80, 0);
    expect(ipv6Text(b, 0)).toBe('fe80::1');
    const mapped = Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1]);
    expect(ipv6Text(mapped, 0)).toBe('::ffff:127.0.0.1');
  });
});

describe('FlowTracker', () => {
  const seg = (s: Partial<TcpSegment> & Pick<TcpSegment, 'srcPort' | 'dstPort' | 'seq' | 'flags' | 'win'>): TcpSegment => ({
    family: 'IPv4', srcAddr: '127.0.0.1', dstAddr: '127.0.0.1', ack: 0, len: 0, ...s,
  });
  const C = 40000;
  const S = 7000;

  it('numbers sequences from each SYN, scales windows once both SYNs are seen, and labels a zero-window episode', () => {
    const f = new FlowTracker();
    const out = [
      f.observe(seg({ srcPort: C, dstPort: S, seq: 100, flags: FLAG.SYN, win: 65495, wscale: 7, mss: 65495 })),
      f.observe(seg({ srcPort: S, dstPort: C, seq: 900, ack: 101, flags: FLAG.SYN | FLAG.ACK, win: 65483, wscale: 7 })),
      f.observe(seg({ srcPort: C, dstPort: S, seq: 101, ack: 901, flags: FLAG.ACK, win: 512 })),
      f.observe(seg({ srcPort: C, dstPort: S, seq: 101, ack: 901, flags: FLAG.ACK | FLAG.PSH, win: 512, len: 1000 })),
      f.observe(seg({ srcPort: S, dstPort: C, seq: 901, ack: 1101, flags: FLAG.ACK, win: 0 })), // receiver full
      f.observe(seg({ srcPort: C, dstPort: S, seq: 1100, ack: 901, flags: FLAG.ACK, win: 512 })), // zero-window probe (snd_una - 1)
      f.observe(seg({ srcPort: S, dstPort: C, seq: 901, ack: 1101, flags: FLAG.ACK, win: 0 })), // answer: still 0
      f.observe(seg({ srcPort: S, dstPort: C, seq: 901, ack: 1101, flags: FLAG.ACK, win: 300 })), // the reader read: window update
      f.observe(seg({ srcPort: C, dstPort: S, seq: 101, ack: 901, flags: FLAG.ACK, win: 512, len: 1000 })), // old bytes again
      f.observe(seg({ srcPort: C, dstPort: S, seq: 1101, ack: 901, flags: FLAG.ACK | FLAG.FIN, win: 512 })),
      f.observe(seg({ srcPort: S, dstPort: C, seq: 901, ack: 1102, flags: FLAG.RST | FLAG.ACK, win: 0 })),
    ];
    for (const p of out) expect(() => PacketEvent.parse({ type: 'event', t: 0, actor: 'wire', ...p })).not.toThrow();
    expect(out.map((p) => [p.seq, p.ack])).toEqual([[0, undefined], [0, 1], [1, 1], [1, 1], [1, 1001], [1000, 1], [1, 1001], [1, 1001], [1, 1], [1001, 1], [1, 1002]]);
    expect(out[0]!.window).toBe(65495); // SYN windows are never scaled
    expect(out[2]!.window).toBe(512 * 128);
    expect(out[0]).toMatchObject({ mss: 65495, wscale: 7, flags: ['SYN'], fromSyn: true });
    expect(out.map((p) => p.labels)).toEqual([[], [], [], [], ['window 0'], ['window probe'], ['window 0'], ['window update'], ['retransmission'], [], []]);
    expect(out[9]!.flags).toEqual(['ACK', 'FIN']);
    expect(out[10]!.flags).toEqual(['ACK', 'RST']);
  });

  it('without the SYNs counts from the first segment seen, leaves the window unscaled-unknown, and spots keepalives and dup acks', () => {
    const f = new FlowTracker();
    const a = f.observe(seg({ srcPort: C, dstPort: S, seq: 5000, ack: 9000, flags: FLAG.ACK, win: 100, len: 10 }));
    expect(a).toMatchObject({ seq: 0, ack: 0, fromSyn: false, win: 100 });
    expect(a.window).toBeUndefined();
    const b = f.observe(seg({ srcPort: S, dstPort: C, seq: 9000, ack: 5010, flags: FLAG.ACK, win: 200 }));
    expect(b).toMatchObject({ seq: 0, ack: 10 });
    expect(f.observe(seg({ srcPort: C, dstPort: S, seq: 5009, ack: 9000, flags: FLAG.ACK, win: 100 })).labels).toEqual(['keepalive']);
    f.observe(seg({ srcPort: C, dstPort: S, seq: 5010, ack: 9000, flags: FLAG.ACK, win: 100, len: 50 }));
    expect(f.observe(seg({ srcPort: S, dstPort: C, seq: 9000, ack: 5010, flags: FLAG.ACK, win: 200 })).labels).toEqual(['dup ack']);
  });

  it('treats a new SYN on a reused 4-tuple as a new connection', () => {
    const f = new FlowTracker();
    f.observe(seg({ srcPort: C, dstPort: S, seq: 100, flags: FLAG.SYN, win: 1 }));
    expect(f.observe(seg({ srcPort: C, dstPort: S, seq: 77777, flags: FLAG.SYN, win: 1 })).seq).toBe(0);
  });
});

describe('wallToMonoOffset', () => {
  it('maps the wall clock onto the monotonic clock to within a millisecond', () => {
    const o = wallToMonoOffset();
    expect(o.uncertaintyMicros).toBeLessThan(1000);
    // Now, by both clocks: Date.now() is whole milliseconds, so allow 1 ms plus the uncertainty.
    const mono = monoMicros();
    const predictedWall = mono + o.offsetMicros;
    expect(Math.abs(predictedWall - Date.now() * 1000)).toBeLessThan(2000 + o.uncertaintyMicros);
  });
});
