import { describe, expect, it } from 'vitest';
import { inOrder, TraceQuery } from '../../shared/trace/query.js';
import { TraceEvent } from '../../shared/trace/schema.js';

const ev = (o: Record<string, unknown>) => TraceEvent.parse({ type: 'event', ...o });
const a = (port: number) => ({ address: '127.0.0.1', port });

const trace = [
  ev({ t: 1, actor: 'server', kind: 'listen', sock: 'l1', local: a(9000) }),
  ev({ t: 2, actor: 'client', kind: 'connect', sock: 'c1', local: a(40000), remote: a(9000) }),
  ev({ t: 2.1, actor: 'server', kind: 'accept', sock: 's1', local: a(9000), remote: a(40000) }),
  ev({ t: 3, actor: 'server', kind: 'accept', sock: 's2', local: a(9000), remote: a(50000) }),
  ev({ t: 4, actor: 'kernel', kind: 'sample', key: 'k', local: a(9000), remote: a(40000), state: 'ESTABLISHED', recvQ: 6192 }),
  ev({ t: 5, actor: 'kernel', kind: 'sample', key: 'k', local: a(9000), remote: a(40000), state: 'GONE' }),
  ev({ t: 6, actor: 'client', kind: 'write', sock: 'c1', bytes: 3, ok: false, queued: 3 }),
];
const q = new TraceQuery(trace);

describe('TraceQuery for honest checks', () => {
  it('tells the run\'s own connections from those that came from outside', () => {
    const conns = q.connections();
    expect(conns.map((c) => [c.actor, c.sock, c.own])).toEqual([['client', 'c1', true], ['server', 's1', true], ['server', 's2', false]]);
  });
  it('pairs an IPv4 client with a dual-stack server that sees it as ::ffff:127.0.0.1', () => {
    const dual = new TraceQuery([
      ev({ t: 1, actor: 'client', kind: 'connect', sock: 'c1', local: a(40001), remote: a(9001) }),
      ev({ t: 1.1, actor: 'server', kind: 'accept', sock: 's1', local: { address: '::ffff:127.0.0.1', port: 9001 }, remote: { address: '::FFFF:127.0.0.1', port: 40001 } }),
    ]);
    expect(dual.connections().map((c) => c.own)).toEqual([true, true]);
  });
  it('reads the kernel\'s last look at a socket before it went away, not the GONE sample', () => {
    expect(q.lastLiveSample('k')?.recvQ).toBe(6192);
    expect(q.lastLiveSample('k', 3)).toBeUndefined();
    expect(q.lastLiveSample('nope')).toBeUndefined();
  });
  it('orders events: before, after, during', () => {
    expect(q.firstAfter('accept', 2.5)?.sock).toBe('s2');
    expect(q.lastBefore('accept', 2.5)?.sock).toBe('s1');
    expect(q.during('accept', 2, 2.9).map((e) => e.sock)).toEqual(['s1']);
    expect(inOrder(q.first('connect'), q.first('accept'), q.first('write'))).toBe(true);
    expect(inOrder(q.first('write'), q.first('connect'))).toBe(false);
    expect(inOrder(q.first('connect'), q.first('drain'))).toBe(false);
  });
});
