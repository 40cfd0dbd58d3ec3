import { describe, expect, it } from 'vitest';
import { ladderModel } from '../../shared/trace/ladder.js';
import type { TraceEvent } from '../../shared/trace/schema.js';

const A = { address: '127.0.0.1', port: 5000 };
const B = { address: '127.0.0.1', port: 6000 };
const e = (t: number, actor: string, rest: Record<string, unknown>) => ({ type: 'event', t, actor, ...rest }) as TraceEvent;

describe('ladderModel', () => {
  it('links connect to accept, each write to the read that delivers its last byte, and end to EOF', () => {
    const events = [
      e(1, 'client', { kind: 'connect', sock: 'c1', local: A, remote: B }),
      e(1.2, 'server', { kind: 'accept', sock: 's1', local: B, remote: A }),
      e(2, 'client', { kind: 'write', sock: 'c1', bytes: 3, ok: true, queued: 0 }),
      e(3, 'client', { kind: 'write', sock: 'c1', bytes: 3, ok: true, queued: 0 }),
      e(4, 'server', { kind: 'data', sock: 's1', bytes: 4 }), // carries write 1 whole and part of write 2
      e(5, 'server', { kind: 'data', sock: 's1', bytes: 2 }),
      e(6, 'client', { kind: 'end', sock: 'c1' }),
      e(7, 'server', { kind: 'eof', sock: 's1' }),
    ];
    const m = ladderModel(events, events.length, ['client', 'server']);
    expect(m.rows).toHaveLength(8);
    expect(m.arrows).toEqual([
      { from: 0, to: 1, label: 'SYN · SYN-ACK · ACK', kind: 'handshake' },
      { from: 2, to: 4, label: '', kind: 'bytes' },
      { from: 3, to: 5, label: '', kind: 'bytes' },
      { from: 6, to: 7, label: 'FIN', kind: 'fin' },
    ]);
    // Up to the first read only: the second write has no arrow yet.
    expect(ladderModel(events, 5, ['client', 'server']).arrows.filter((a) => a.kind === 'bytes')).toHaveLength(1);
  });
});

describe('ladderModel handshake order', () => {
  it('draws the handshake from the connecting side even when accept was stamped first', () => {
    const events = [
      e(1, 'server', { kind: 'accept', sock: 's1', local: B, remote: A }),
      e(1.1, 'client', { kind: 'connect', sock: 'c1', local: A, remote: B }),
    ];
    expect(ladderModel(events, 2, ['client', 'server']).arrows).toEqual([{ from: 1, to: 0, label: 'SYN · SYN-ACK · ACK', kind: 'handshake' }]);
  });
});

describe('ladderModel with captured segments', () => {
  const pkt = (t: number, src: typeof A, dst: typeof A, flags: string[], rest: Record<string, unknown> = {}) =>
    e(t, 'wire', { kind: 'packet', src, dst, flags, seq: 0, fromSyn: true, win: 100, len: 0, labels: [], ...rest });
  const events = [
    pkt(0.9, A, B, ['SYN']),
    pkt(0.95, B, A, ['SYN', 'ACK'], { ack: 1 }),
    e(1, 'client', { kind: 'connect', sock: 'c1', local: A, remote: B }),
    e(1.2, 'server', { kind: 'accept', sock: 's1', local: B, remote: A }),
    e(2, 'client', { kind: 'write', sock: 'c1', bytes: 3, ok: true, queued: 0 }),
    pkt(2.1, A, B, ['ACK', 'PSH'], { len: 3, ack: 1 }),
    pkt(2.2, B, A, ['ACK'], { ack: 4, win: 0, labels: ['window 0'] }),
    e(3, 'client', { kind: 'end', sock: 'c1' }),
    pkt(3.1, A, B, ['FIN', 'ACK'], { seq: 4, ack: 1 }),
    e(4, 'server', { kind: 'eof', sock: 's1' }),
    pkt(5, A, B, ['RST'], { seq: 5 }),
  ] as TraceEvent[];

  it('draws each segment as an arrow from the sender’s lane to the receiver’s, labelled, and drops the inferred handshake and FIN', () => {
    const m = ladderModel(events, events.length, ['client', 'server']);
    const packets = m.rows.filter((r) => r.kind === 'packet');
    expect(packets.map((r) => [r.lane, r.toLane, r.label, r.tone])).toEqual([
      [0, 1, 'SYN', 'syn'],
      [1, 0, 'SYN ACK', 'syn'],
      [0, 1, 'ACK 3 B', 'data'],
      [1, 0, 'ACK · window 0', 'zero'],
      [0, 1, 'FIN ACK', 'fin'],
      [0, 1, 'RST', 'rst'],
    ]);
    // The wire shows the handshake and the FIN; only the write→read arrows are inferred (none here: no read).
    expect(m.arrows.filter((a) => a.kind === 'handshake' || a.kind === 'fin')).toEqual([]);
    // Program calls keep their rows, interleaved in time order with the segments.
    expect(m.rows.map((r) => r.kind)).toEqual(['packet', 'packet', 'connect', 'accept', 'write', 'packet', 'packet', 'end', 'packet', 'eof', 'packet']);
  });

  it('without segments (hidePackets) falls back to the inferred arrows', () => {
    const m = ladderModel(events, events.length, ['client', 'server'], 300, { hidePackets: true });
    expect(m.rows.some((r) => r.kind === 'packet')).toBe(false);
    expect(m.arrows.map((a) => a.kind)).toEqual(['handshake', 'fin']);
  });

  it('with a pinned cursor (ghosts) keeps the later rows, marked future, and only those', () => {
    const upTo = 5; // up to the client's write
    const m = ladderModel(events, upTo, ['client', 'server'], 300, { ghosts: true });
    expect(m.rows).toHaveLength(11);
    expect(m.rows.map((r) => Boolean(r.future))).toEqual([false, false, false, false, false, true, true, true, true, true, true]);
    expect(ladderModel(events, upTo, ['client', 'server']).rows).toHaveLength(5);
  });

  it('keeps a window of rows around the cursor when there are too many', () => {
    const many = Array.from({ length: 50 }, (_, i) => e(i, 'client', { kind: 'write', sock: 'c1', bytes: 1, ok: true, queued: 0 }));
    const m = ladderModel(many, 10, ['client', 'server'], 20, { ghosts: true });
    expect(m.rows).toHaveLength(20);
    expect(m.rows[0]!.t).toBe(0); // cursor at row 10: the window starts at 0, not at the newest rows
    expect(ladderModel(many, 50, ['client', 'server'], 20).rows[0]!.t).toBe(30); // following live: the newest
  });
});

describe('describeEvent', () => {
  it('rounds fractions in an actor report and keeps whole numbers and text as they are', async () => {
    const { describeEvent } = await import('../../shared/trace/derive.js');
    const ev = e(1, 'clients', { kind: 'custom', name: 'connected', data: { client: 1, ms: 4.710999999984, peer: '127.0.0.1' } });
    expect(describeEvent(ev)).toBe('connected client=1 ms=4.71 peer=127.0.0.1');
  });
});
