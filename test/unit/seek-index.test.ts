import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ladderModel } from '../../shared/trace/ladder.js';
import { ladderView, ladderViewIndexed, WINDOW_FROM_EVENTS } from '../../shared/trace/ladder-window.js';
import { readTraceText } from '../../shared/trace/reader.js';
import type { TraceEvent } from '../../shared/trace/schema.js';
import { TraceStore } from '../../shared/trace/store.js';

/** Real recorded echo runs: one with the kernel observer only, one with captured segments too. */
function events(file: string): TraceEvent[] {
  const r = readTraceText(readFileSync(new URL(`../fixtures/${file}`, import.meta.url), 'utf8'));
  const s = new TraceStore();
  s.append(r.lines);
  return s.events;
}

/** The run repeated k times, shifted in time; new sockets and client ports each time, or the same ones. */
function repeated(base: TraceEvent[], k: number, reconnect: boolean): TraceEvent[] {
  const span = base[base.length - 1]!.t + 10;
  const listen = new Set(base.flatMap((e) => (e.kind === 'listen' ? [e.local.port] : [])));
  const out: TraceEvent[] = [];
  for (let r = 0; r < k; r++) {
    const port = (p: number) => (!reconnect || listen.has(p) || r === 0 ? p : p + r);
    for (const e of base) {
      const c = { ...e, t: e.t + r * span } as Record<string, unknown>;
      if (reconnect && r > 0 && typeof c.sock === 'string') c.sock = `${c.sock}.${r}`;
      for (const f of ['local', 'remote', 'src', 'dst']) if (c[f]) c[f] = { ...(c[f] as object), port: port((c[f] as { port: number }).port) };
      out.push(c as TraceEvent);
    }
  }
  return out;
}

/**
 * A connection whose reads split and merge the writes (as TCP may): arrows must follow byte
 * counts that started long before the window. Both directions, with an end and EOF at the close.
 */
function splitting(writes: number): TraceEvent[] {
  const A = { address: '127.0.0.1', port: 40000 };
  const B = { address: '127.0.0.1', port: 7000 };
  let rnd = 99;
  const next = (m: number) => { rnd = (rnd * 1103515245 + 12345) % 2 ** 31; return 1 + (rnd % m); };
  let t = 0;
  const ev = (actor: string, rest: Record<string, unknown>) => ({ type: 'event', t: (t += 0.5), actor, ...rest }) as TraceEvent;
  const out: TraceEvent[] = [ev('server', { kind: 'listen', sock: 'L1', local: B }), ev('client', { kind: 'connect', sock: 'c1', local: A, remote: B }), ev('server', { kind: 'accept', sock: 's1', local: B, remote: A })];
  const pending = { client: 0, server: 0 };
  for (let i = 0; i < writes; i++) {
    const [w, r, ws, rs] = i % 3 === 0 ? ['server', 'client', 's1', 'c1'] as const : ['client', 'server', 'c1', 's1'] as const;
    const bytes = next(100);
    out.push(ev(w, { kind: 'write', sock: ws, bytes, ok: true, queued: 0 }));
    pending[w] += bytes;
    while (pending[w] > 0 && next(3) === 1) { const got = Math.min(pending[w], next(150)); pending[w] -= got; out.push(ev(r, { kind: 'data', sock: rs, bytes: got })); }
  }
  for (const [w, r, ws, rs] of [['client', 'server', 'c1', 's1'], ['server', 'client', 's1', 'c1']] as const) {
    if (pending[w] > 0) out.push(ev(r, { kind: 'data', sock: rs, bytes: pending[w] }));
    out.push(ev(w, { kind: 'end', sock: ws }), ev(r, { kind: 'eof', sock: rs }));
  }
  return out;
}

describe('ladder window (the ladder of a long trace from an index)', () => {
  const cases = [
    { name: 'reads that split and merge writes, both ways', ev: splitting(12_000) },
    { name: 'observer only, reconnecting', ev: repeated(events('echo-trace.jsonl'), 40, true) },
    { name: 'with captured segments, one connection', ev: repeated(events('echo-capture-trace.jsonl'), 15, false) },
    { name: 'with captured segments, reconnecting', ev: repeated(events('echo-capture-trace.jsonl'), 15, true) },
  ];
  for (const { name, ev } of cases) {
    it(`gives exactly ladderModel's rows and arrows: ${name}`, () => {
      const lanes = ['client', 'server'];
      let rnd = 12345;
      const next = () => { rnd = (rnd * 1103515245 + 12345) % 2 ** 31; return rnd / 2 ** 31; };
      let compared = 0;
      for (let k = 0; k < 40; k++) {
        const n = k === 0 ? ev.length : k === 1 ? 0 : Math.floor(next() * ev.length);
        for (const maxRows of [7, 60, 600]) {
          for (const opts of [{}, { ghosts: true }, { ghosts: true, hidePackets: true }, { hidePackets: true }]) {
            const want = ladderModel(ev, n, lanes, maxRows, opts);
            const got = ladderViewIndexed(ev, n, lanes, maxRows, opts);
            expect(got, `n=${n} maxRows=${maxRows} ${JSON.stringify(opts)}`).toEqual(want);
            compared += want.arrows.length;
          }
        }
      }
      expect(compared).toBeGreaterThan(100); // the comparison covered real arrows, not empty models
    });
  }

  it('uses the plain model for short traces and the index for long ones, with the same result', () => {
    const short = events('echo-trace.jsonl');
    expect(ladderView(short, short.length, ['client', 'server'])).toEqual(ladderModel(short, short.length, ['client', 'server']));
    const long = repeated(events('echo-trace.jsonl'), Math.ceil(WINDOW_FROM_EVENTS / short.length) + 1, true);
    expect(long.length).toBeGreaterThanOrEqual(WINDOW_FROM_EVENTS);
    const n = Math.floor(long.length / 2);
    expect(ladderView(long, n, ['client', 'server'], 300, { ghosts: true })).toEqual(ladderModel(long, n, ['client', 'server'], 300, { ghosts: true }));
  });
});

describe('actors index (actorsAt from checkpoints)', () => {
  it('gives exactly actorsAt at any point of a long real trace', async () => {
    const { actorsAt } = await import('../../shared/trace/derive.js');
    const { actorsAtIndexed, CHECKPOINT } = await import('../../shared/trace/actors-index.js');
    const ev = repeated(events('echo-capture-trace.jsonl'), 100, true);
    expect(ev.length).toBeGreaterThan(3 * CHECKPOINT);
    const roles = ['server', 'client'];
    for (const n of [0, 1, CHECKPOINT - 1, CHECKPOINT, CHECKPOINT + 1, 2 * CHECKPOINT + 17, Math.floor(ev.length / 2), ev.length - 1, ev.length, ev.length + 5]) {
      expect(actorsAtIndexed(ev, n, roles, true), `n=${n}`).toEqual(actorsAt(ev, n, roles));
    }
    // Asking twice gives equal answers: the checkpoints were not changed by the first.
    const n = CHECKPOINT + 100;
    expect(actorsAtIndexed(ev, n, roles, true)).toEqual(actorsAtIndexed(ev, n, roles, true));
  });
});

describe('terminal tail (what a pane rewrites after a seek)', () => {
  it('starts where the last maxLines lines begin, or at `from` when there are fewer', async () => {
    const { tailStart } = await import('../../web/lib/terminal-tail.js');
    const list = Array.from({ length: 100 }, (_, i) => ({ text: i % 10 === 9 ? `line ${i}\nand more\n` : `line ${i}\n` }));
    // 100 events, 110 newlines; the last 5 lines need events 96..99 (event 99 has two) + one more line.
    expect(tailStart(list, 0, 100, 5)).toBe(95);
    expect(tailStart(list, 0, 100, 1000)).toBe(0);
    expect(tailStart(list, 97, 100, 1000)).toBe(97);
    expect(tailStart(list, 0, 0, 5)).toBe(0);
  });
});
