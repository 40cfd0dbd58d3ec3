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
