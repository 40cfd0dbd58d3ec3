/**
 * A run whose trace outgrows its memory budget spills to a file and is still judged over its whole
 * trace; one that reaches the cap is stopped, saying why; no spill file outlives its run.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findExperiment } from '../../server/experiments/index.js';
import { defaultPlugins } from '../../server/run/default-plugins.js';
import { Run } from '../../server/run/run.js';
import type { TraceFooter, TraceLine } from '../../shared/trace/schema.js';

async function run(opts: { maxTraceBytesInMemory?: number; maxTraceBytes?: number }) {
  const r = new Run({ experiment: findExperiment('echo')!, params: { count: 3, intervalMs: 50 }, durationMs: 2500, plugins: defaultPlugins(), ...opts });
  const streamed: TraceLine[] = [];
  r.on('line', (l) => streamed.push(l));
  let spillFile: string | undefined;
  const watch = setInterval(() => { spillFile ??= r.spillFile; }, 5);
  const ended = new Promise<TraceFooter>((resolve) => r.once('end', resolve));
  await r.start();
  const footer = await ended;
  clearInterval(watch);
  return { r, streamed, footer, spillFile };
}

describe('trace memory', () => {
  it('judges a spilled run over its whole trace, as it judges one held in memory', async () => {
    const inMemory = await run({});
    const spilled = await run({ maxTraceBytesInMemory: 8000 });
    expect(inMemory.r.spilled).toBe(false);
    expect(spilled.r.spilled).toBe(true);
    expect(spilled.r.lines.length).toBe(0);
    expect(spilled.streamed.some((l) => l.type === 'event' && l.kind === 'note' && /the rest is kept in a file/.test(l.text))).toBe(true);
    expect(spilled.footer.observations).toEqual(inMemory.footer.observations);
    expect(spilled.footer.observations.held).toBe(spilled.footer.observations.total);
    expect([...spilled.r.observationResults.values()].map((o) => [o.id, o.held])).toEqual([...inMemory.r.observationResults.values()].map((o) => [o.id, o.held]));
    // The browser's stream is the whole trace either way; the file is gone with the run.
    expect(spilled.streamed[0]?.type).toBe('header');
    expect(spilled.streamed.at(-1)?.type).toBe('footer');
    expect(spilled.spillFile).toBeDefined();
    expect(existsSync(spilled.spillFile!)).toBe(false);
  });

  it('stops a run whose trace reaches the cap, and still writes how it ended', async () => {
    const capped = await run({ maxTraceBytes: 14_000 });
    expect(capped.footer).toMatchObject({ outcome: 'stopped', reason: 'trace limit reached (0 MiB)' });
    expect(capped.r.traceBytes).toBeLessThan(14_000 + 10_000); // the lab's own closing lines go past it
    expect(capped.streamed.some((l) => l.type === 'event' && l.kind === 'note' && /the most one run may write/.test(l.text))).toBe(true);
    expect(capped.streamed.at(-1)?.type).toBe('footer');
  });

  it('never keeps a line its own reader would refuse: a report nested past 64 levels is dropped with a note', () => {
    const r = new Run({ experiment: findExperiment('echo')!, params: {}, durationMs: 1000 });
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 500; i++) deep = { d: deep };
    r.append({ actor: 'server', kind: 'custom', name: 'deep', data: deep });
    r.append({ actor: 'server', kind: 'custom', name: 'shallow', data: { a: { b: 1 } } });
    expect(r.lines.some((l) => l.type === 'event' && l.kind === 'custom' && l.name === 'deep')).toBe(false);
    expect(r.lines.some((l) => l.type === 'event' && l.kind === 'custom' && l.name === 'shallow')).toBe(true);
    expect(r.lines.some((l) => l.type === 'event' && l.kind === 'note' && /dropped a custom event of server: nested more than 64 levels deep/.test(l.text))).toBe(true);
  });
});
