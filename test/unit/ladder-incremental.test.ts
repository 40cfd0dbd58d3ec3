/**
 * The ladder index carries on from where it stopped when a live trace grows (instead of indexing
 * the whole run again every frame). Grown batch by batch in one array, as TraceStore does — with
 * late events inserted before the end now and then, and new connections — it must give exactly
 * ladderModel's rows and arrows after every batch.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ladderModel } from '../../shared/trace/ladder.js';
import { ladderViewIndexed } from '../../shared/trace/ladder-window.js';
import { readTraceText } from '../../shared/trace/reader.js';
import type { TraceEvent } from '../../shared/trace/schema.js';
import { insertByTime, TraceStore } from '../../shared/trace/store.js';

function events(file: string): TraceEvent[] {
  const r = readTraceText(readFileSync(new URL(`../fixtures/${file}`, import.meta.url), 'utf8'));
  const s = new TraceStore();
  s.append(r.lines);
  return s.events;
}

/** The run k times in a row, new sockets and client ports each time (new connections mid-trace). */
function repeated(base: TraceEvent[], k: number): TraceEvent[] {
  const span = base[base.length - 1]!.t + 10;
  const listen = new Set(base.flatMap((e) => (e.kind === 'listen' ? [e.local.port] : [])));
  const out: TraceEvent[] = [];
  for (let r = 0; r < k; r++) {
    const port = (p: number) => (listen.has(p) || r === 0 ? p : p + r);
    for (const e of base) {
      const c = { ...e, t: e.t + r * span } as Record<string, unknown>;
      if (r > 0 && typeof c.sock === 'string') c.sock = `${c.sock}.${r}`;
      for (const f of ['local', 'remote', 'src', 'dst']) if (c[f]) c[f] = { ...(c[f] as object), port: port((c[f] as { port: number }).port) };
      out.push(c as TraceEvent);
    }
  }
  return out;
}

describe('ladder index grown as a live trace grows', () => {
  // One option set per growing array: the index is cached per array and per lanes/packets setting,
  // so alternating settings on one array would rebuild it each time and never carry on.
  for (const [file, opts] of [['echo-trace.jsonl', {}], ['echo-capture-trace.jsonl', {}], ['echo-capture-trace.jsonl', { ghosts: true }], ['echo-capture-trace.jsonl', { hidePackets: true }]] as const) {
    it(`matches ladderModel after every batch: ${file} ${JSON.stringify(opts)}`, () => {
      const all = repeated(events(file), 8);
      const lanes = ['client', 'server'];
      const live: TraceEvent[] = [];
      let rnd = 777;
      const next = (m: number) => { rnd = (rnd * 1103515245 + 12345) % 2 ** 31; return rnd % m; };
      let i = 0;
      let batches = 0;
      let late = 0;
      let held: TraceEvent | null = null;
      let arrows = 0;
      while (i < all.length || held) {
        const size = 1 + next(40);
        const batch = all.slice(i, i + size);
        i += size;
        // Now and then an event arrives a batch late (as actors' batches can): it goes in before
        // the end of what was indexed, and the index must notice.
        if (held) { batch.push(held); held = null; late++; }
        if (batch.length > 2 && next(6) === 0) held = batch.shift()!;
        for (const e of batch) insertByTime(live, e);
        batches++;
        const n = 'ghosts' in opts ? next(live.length + 1) : live.length;
        const want = ladderModel(live, n, lanes, 60, opts);
        expect(ladderViewIndexed(live, n, lanes, 60, opts), `batch ${batches}`).toEqual(want);
        arrows += want.arrows.length;
      }
      expect(batches).toBeGreaterThan(20);
      expect(late).toBeGreaterThan(2);
      expect(arrows).toBeGreaterThan(50);
    });
  }
});
