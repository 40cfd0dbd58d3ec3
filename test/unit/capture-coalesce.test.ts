/**
 * The capture's summarising of fast runs (server/capture/coalesce.ts), fed segments through the
 * real FlowTracker so the labels it must never hide are the tracker's own.
 */
import { describe, expect, it } from 'vitest';
import { Coalescer, GAP_US, MAX_SPAN_US } from '../../server/capture/coalesce.js';
import { FlowTracker, type PacketFields } from '../../server/capture/tcp-flows.js';
import { FLAG, type TcpSegment } from '../../server/capture/pcap.js';
import { TraceEvent } from '../../shared/trace/schema.js';
import { packetLabel } from '../../shared/trace/ladder.js';

const C = 40000;
const S = 7000;
function seg(from: 'c' | 's', flags: number, seq: number, ack: number, len = 0, win = 512): TcpSegment {
  const [srcPort, dstPort] = from === 'c' ? [C, S] : [S, C];
  return { family: 'IPv4', srcAddr: '127.0.0.1', dstAddr: '127.0.0.1', srcPort, dstPort, seq, ack, flags, win, len, ...(flags & FLAG.SYN ? { mss: 65495, wscale: 7 } : {}) };
}

/** Runs segments (with their capture times, µs) through tracker + coalescer; returns the events. */
function feed(segs: [TcpSegment, number][]): { out: { f: PacketFields; mono: number }[]; c: Coalescer } {
  const flows = new FlowTracker();
  const out: { f: PacketFields; mono: number }[] = [];
  const c = new Coalescer((f, mono) => out.push({ f, mono }));
  for (const [s, mono] of segs) c.push(flows.observe(s), mono);
  c.flushAll();
  return { out, c };
}

const handshake = (): [TcpSegment, number][] => [
  [seg('c', FLAG.SYN, 100, 0), 0],
  [seg('s', FLAG.SYN | FLAG.ACK, 900, 101), 10],
  [seg('c', FLAG.ACK, 101, 901), 20],
];

describe('capture coalescing', () => {
  it('summarises a fast run of data segments into one event with count, byte total, first seq and last ack', () => {
    const segs = handshake();
    for (let i = 0; i < 10; i++) segs.push([seg('c', FLAG.ACK | FLAG.PSH, 101 + i * 1000, 901, 1000), 1000 + i * 100]);
    const { out, c } = feed(segs);
    // Handshake segments one by one (SYNs are never summarised; the lone ACK is a run of one).
    expect(out.slice(0, 3).map((e) => [e.f.flags.join(' '), e.f.count])).toEqual([['SYN', undefined], ['SYN ACK', undefined], ['ACK', undefined]]);
    expect(out).toHaveLength(4);
    const sum = out[3]!;
    expect(sum.f).toMatchObject({ count: 10, len: 10_000, seq: 1, ack: 1, spanUs: 900 });
    expect(sum.mono).toBe(1000);
    expect(c.summarised).toBe(10);
    expect(c.summaries).toBe(1);
    // A valid trace event, drawn as "×10 segments".
    const ev = TraceEvent.parse({ type: 'event', t: 1, actor: 'wire', ...sum.f });
    expect(ev.kind === 'packet' && packetLabel(ev)).toBe('ACK ×10 segments 10000 B');
  });

  it('leaves segments further apart than the gap alone: a slow exchange looks exactly as captured', () => {
    const segs = handshake();
    for (let i = 0; i < 5; i++) segs.push([seg('c', FLAG.ACK | FLAG.PSH, 101 + i * 10, 901, 10), 1000 + i * (GAP_US + 1)]);
    const { out } = feed(segs);
    expect(out).toHaveLength(8);
    expect(out.every((e) => e.f.count === undefined)).toBe(true);
    expect(out.slice(3).map((e) => e.f.seq)).toEqual([1, 11, 21, 31, 41]);
  });

  it('writes pending runs of both directions before a FIN, and keeps the FIN and RST as their own events', () => {
    const segs = handshake();
    let t = 1000;
    for (let i = 0; i < 4; i++) {
      segs.push([seg('c', FLAG.ACK, 101 + i * 500, 901, 500), t += 50]);
      segs.push([seg('s', FLAG.ACK, 901, 101 + (i + 1) * 500), t += 50]);
    }
    segs.push([seg('c', FLAG.ACK | FLAG.FIN, 2101, 901), t += 50]);
    segs.push([seg('s', FLAG.RST, 901, 0), t += 50]);
    const { out } = feed(segs);
    const rest = out.slice(3).map((e) => [e.f.src.port, e.f.flags.join(' '), e.f.count ?? 1, e.f.len]);
    expect(rest).toEqual([
      [C, 'ACK', 4, 2000], // the data run began first
      [S, 'ACK', 4, 0], // the ACK run in the other direction
      [C, 'ACK FIN', 1, 0],
      [S, 'RST', 1, 0],
    ]);
    // Written in time order around the FIN.
    const monos = out.map((e) => e.mono);
    expect([...monos].sort((a, b) => a - b)).toEqual(monos);
  });

  it('never summarises a labelled segment (window 0, window update, retransmission, dup ack)', () => {
    const segs = handshake();
    let t = 1000;
    segs.push([seg('c', FLAG.ACK, 101, 901, 1000), t += 10]);
    segs.push([seg('c', FLAG.ACK, 1101, 901, 1000), t += 10]);
    segs.push([seg('s', FLAG.ACK, 901, 2101, 0, 0), t += 10]); // window 0
    segs.push([seg('s', FLAG.ACK, 901, 2101, 0, 512), t += 10]); // window update
    segs.push([seg('c', FLAG.ACK, 1101, 901, 1000), t += 10]); // retransmission
    segs.push([seg('c', FLAG.ACK, 2101, 901, 1000), t += 10]);
    segs.push([seg('s', FLAG.ACK, 901, 2101, 0, 512), t += 10]); // dup ack (data in flight)
    segs.push([seg('s', FLAG.ACK, 901, 2101, 0, 512), t += 10]); // dup ack
    const { out } = feed(segs);
    const labelled = out.filter((e) => e.f.labels.length > 0);
    expect(labelled.map((e) => e.f.labels[0])).toEqual(['window 0', 'window update', 'retransmission', 'dup ack', 'dup ack']);
    expect(labelled.every((e) => e.f.count === undefined)).toBe(true);
    // The two data segments before the window 0 are one run, written before it.
    expect(out[3]!.f).toMatchObject({ count: 2, len: 2000 });
  });

  it('keeps every byte and segment: totals over events equal totals over segments; runs end at MAX_SPAN_US', () => {
    const segs = handshake();
    let seq = 101;
    let t = 1000;
    const n = 2000;
    for (let i = 0; i < n; i++) {
      const len = 1 + (i % 7) * 100;
      segs.push([seg('c', FLAG.ACK | FLAG.PSH, seq, 901, len), t += 97]);
      seq += len;
    }
    const { out } = feed(segs);
    const data = out.slice(3);
    expect(data.reduce((s, e) => s + (e.f.count ?? 1), 0)).toBe(n);
    expect(data.reduce((s, e) => s + e.f.len, 0)).toBe(seq - 101);
    expect(data.every((e) => (e.f.spanUs ?? 0) < MAX_SPAN_US)).toBe(true);
    expect(data.length).toBeGreaterThan(1);
    // Each run starts where the previous one ended, in sequence space.
    for (let i = 1; i < data.length; i++) expect(data[i]!.f.seq).toBe(data[i - 1]!.f.seq + data[i - 1]!.f.len);
  });

  it('flushIdle writes a run only once no segment can join it any more', () => {
    const flows = new FlowTracker();
    const out: PacketFields[] = [];
    const c = new Coalescer((f) => out.push(f));
    for (const [s, mono] of handshake()) c.push(flows.observe(s), mono);
    c.push(flows.observe(seg('c', FLAG.ACK, 101, 901, 100)), 1000);
    c.push(flows.observe(seg('c', FLAG.ACK, 201, 901, 100)), 1100);
    c.flushIdle(1100 + GAP_US);
    expect(out.length).toBe(3); // SYN, SYN-ACK, the handshake ACK (a run of one, ended by the data); the data run is pending
    expect(c.pending).toBe(1);
    c.flushIdle(1101 + GAP_US);
    expect(out.map((f) => f.count ?? 1)).toEqual([1, 1, 1, 2]);
    expect(c.pending).toBe(0);
  });
});
