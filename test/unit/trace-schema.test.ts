import { describe, expect, it } from 'vitest';
import { TraceLine, TraceEvent } from '../../shared/trace/schema.js';
import { TraceStore } from '../../shared/trace/store.js';
import { ClientMessage } from '../../shared/protocol/messages.js';

const header = { type: 'header', version: 1, experiment: 'echo', params: {}, platform: { os: 'linux', kernel: '6', node: 'v20' }, startedAt: '2026-01-01T00:00:00Z' };

describe('trace schema', () => {
  it('accepts a header, events of each concern and a footer', () => {
    expect(TraceLine.safeParse(header).success).toBe(true);
    expect(TraceLine.safeParse({ type: 'event', t: 1.5, actor: 'client', kind: 'write', sock: 'c1', bytes: 10, ok: false, queued: 10 }).success).toBe(true);
    expect(TraceLine.safeParse({ type: 'event', t: 2, actor: 'server', kind: 'stdout', text: 'hi\n' }).success).toBe(true);
    expect(TraceLine.safeParse({ type: 'footer', t: 3, outcome: 'completed', observations: { held: 1, total: 1 } }).success).toBe(true);
  });

  it('rejects unknown kinds, missing fields, negative times and newer versions', () => {
    expect(TraceEvent.safeParse({ type: 'event', t: 1, actor: 'x', kind: 'teleport' }).success).toBe(false);
    expect(TraceEvent.safeParse({ type: 'event', t: 1, actor: 'x', kind: 'write', sock: 'c1', ok: true, queued: 0 }).success).toBe(false);
    expect(TraceEvent.safeParse({ type: 'event', t: -1, actor: 'x', kind: 'end', sock: 'c1' }).success).toBe(false);
    expect(TraceLine.safeParse({ ...header, version: 2 }).success).toBe(false);
  });

  it('validates browser messages and names the bad field', () => {
    const r = ClientMessage.safeParse({ type: 'stdin', runId: 'r', role: 'client', text: 'x'.repeat(5000) });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['text']);
    expect(ClientMessage.safeParse({ type: 'run', req: '1', experiment: 'echo' }).success).toBe(true);
  });
});

describe('TraceStore', () => {
  it('keeps events in time order when a batch arrives late, and answers indexAt', () => {
    const s = new TraceStore();
    const ev = (t: number, text: string) => ({ type: 'event' as const, t, actor: 'a', kind: 'stdout' as const, text });
    s.append([header as never, ev(1, 'a'), ev(5, 'c')]);
    s.append([ev(3, 'b')]);
    expect(s.events.map((e) => e.t)).toEqual([1, 3, 5]);
    expect(s.stdio('a').map((e) => (e as { text: string }).text).join('')).toBe('abc');
    expect(s.indexAt(0)).toBe(0);
    expect(s.indexAt(3)).toBe(2);
    expect(s.indexAt(Infinity)).toBe(3);
    expect(s.toLines()[0]).toEqual(header);
  });
});
