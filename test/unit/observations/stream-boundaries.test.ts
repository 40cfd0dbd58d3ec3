/**
 * stream-boundaries observations on hand-made traces: every byte (counts and content), and
 * boundaries that differ (a split, a merge, none), each with a case where it must not hold.
 */
import { describe, expect, it } from 'vitest';
import exp from '../../../server/experiments/stream-boundaries/index.js';
import { addr, b64, connectPair, ev, judge } from '../../helpers/hand-trace.js';

const open = () => [
  ev({ t: 1, actor: 'server', kind: 'listen', sock: 'L1', local: addr(9000) }),
  ...connectPair(2, { actor: 'client', sock: 'c1', port: 40000 }, { actor: 'server', sock: 's1', port: 9000 }),
];
const msg = (i: number) => `#${i} ` + String.fromCharCode(97 + i).repeat(6); // 9 B each
const write = (t: number, text: string) => ev({ t, actor: 'client', kind: 'write', sock: 'c1', bytes: text.length, ok: true, queued: 0, head: b64(text) });
const read = (t: number, text: string) => ev({ t, actor: 'server', kind: 'data', sock: 's1', bytes: text.length, head: b64(text) });
const end = (t: number) => [ev({ t, actor: 'client', kind: 'end', sock: 'c1' }), ev({ t: t + 1, actor: 'server', kind: 'eof', sock: 's1' })];
const stream = [0, 1, 2].map(msg).join('');

describe('stream-boundaries: every-byte', () => {
  it('holds when the reads carry the written bytes, in order', () => {
    const r = judge(exp, 'every-byte', [...open(), write(3, msg(0)), write(3.1, msg(1)), write(3.2, msg(2)), read(4, stream.slice(0, 12)), read(5, stream.slice(12)), ...end(6)]);
    expect(r.result).toBe('held');
    expect(r.detail).toMatch(/3 writes of 27 B in all; 2 reads of 27 B in all; the 27 B .* are the same/);
  });
  it('fails when the same number of bytes arrives with other content (reordered)', () => {
    const swapped = msg(1) + msg(0) + msg(2);
    const r = judge(exp, 'every-byte', [...open(), write(3, msg(0)), write(3.1, msg(1)), write(3.2, msg(2)), read(4, swapped), ...end(6)]);
    expect(r.result).toBe('failed');
    expect(r.detail).toMatch(/at byte 1 the writer wrote '0' and the reader read '1'/);
  });
  it('fails when bytes are lost: the FIN came with bytes never read', () => {
    const r = judge(exp, 'every-byte', [...open(), write(3, msg(0)), write(3.1, msg(1)), read(4, msg(0)), ...end(6)]);
    expect(r.result).toBe('failed');
    expect(r.detail).toMatch(/stream ended \(FIN\) with 9 B never read/);
  });
  it('is not reached while bytes are still on their way, or before anything was written', () => {
    const r = judge(exp, 'every-byte', [...open(), write(3, msg(0)), write(3.1, msg(1)), read(4, msg(0))]);
    expect(r.result).toBe('not-reached');
    expect(r.detail).toMatch(/9 B still on their way/);
    expect(judge(exp, 'every-byte', open()).result).toBe('not-reached');
  });
  it('does not count a connection from outside the run (the reader listens on --port)', () => {
    const outside = [
      ev({ t: 1, actor: 'server', kind: 'listen', sock: 'L1', local: addr(9000) }),
      ev({ t: 2, actor: 'server', kind: 'accept', sock: 's9', local: addr(9000), remote: addr(51000) }),
      ev({ t: 3, actor: 'server', kind: 'data', sock: 's9', bytes: 9, head: b64(msg(0)) }),
      ev({ t: 4, actor: 'client', kind: 'error', code: 'ECONNREFUSED', message: 'refused' }),
    ];
    const r = judge(exp, 'every-byte', outside);
    expect(r.result).toBe('not-reached');
    expect(r.detail).toMatch(/written nothing/);
  });
});

describe('stream-boundaries: boundaries-differ', () => {
  it('holds when writes merged into one read', () => {
    const r = judge(exp, 'boundaries-differ', [...open(), write(3, msg(0)), write(3.1, msg(1)), write(3.2, msg(2)), read(4, stream), ...end(6)]);
    expect(r.result).toBe('held');
    expect(r.detail).toMatch(/3 writes arrived as 1 read: 0 split across reads, 1 read carried several writes \(up to 3\)/);
  });
  it('holds when a write was split across reads', () => {
    const r = judge(exp, 'boundaries-differ', [...open(), write(3, msg(0)), read(4, msg(0).slice(0, 4)), read(5, msg(0).slice(4)), ...end(6)]);
    expect(r.result).toBe('held');
    expect(r.detail).toMatch(/1 split across reads \(up to 2 reads each\)/);
  });
  it('fails when every write came back as exactly one read and the stream ended', () => {
    const r = judge(exp, 'boundaries-differ', [...open(), write(3, msg(0)), write(3.1, msg(1)), read(4, msg(0)), read(5, msg(1)), ...end(6)]);
    expect(r.result).toBe('failed');
    expect(r.detail).toMatch(/2 reads were exactly one write/);
  });
  it('is not reached while the reads so far lined up but more are to come', () => {
    const r = judge(exp, 'boundaries-differ', [...open(), write(3, msg(0)), write(3.1, msg(1)), read(4, msg(0))]);
    expect(r.result).toBe('not-reached');
    expect(r.detail).toMatch(/1 complete so far/);
  });
});
