/** Helpers for the More-TCP integration tests: observation results and the no-leftovers check. */
import { expect } from 'vitest';
import type { TraceLine } from '../../shared/trace/schema.js';
import { alive, eventually, heldSockets, spawnedPids, tracePorts } from './processes.js';
import { finalObservations, runExperiment } from './runs.js';

/** Every listed observation held at the end; returns all final results for further checks. */
export function expectHeld(lines: readonly TraceLine[], ids: readonly string[]): Map<string, { held: boolean; detail: string }> {
  const obs = finalObservations(lines);
  for (const id of ids) {
    const o = obs.get(id);
    expect(o, `observation ${id} missing`).toBeDefined();
    expect({ id, held: o!.held, detail: o!.detail }).toEqual({ id, held: true, detail: o!.detail });
  }
  return obs;
}

/** No actor process and no socket of the run is left. */
export async function expectClean(lines: readonly TraceLine[]): Promise<void> {
  const pids = spawnedPids(lines);
  expect(pids.length).toBeGreaterThan(0);
  expect(await eventually(() => pids.every((p) => !alive(p)))).toBe(true);
  expect(heldSockets(tracePorts(lines))).toEqual([]);
}

/** Custom reports of one name, with their data. */
export function reportsOf<T>(lines: readonly TraceLine[], name: string, actor?: string): Array<T & { t: number }> {
  return lines.flatMap((l) => (l.type === 'event' && l.kind === 'custom' && l.name === name && (!actor || l.actor === actor) ? [{ ...(l.data as T), t: l.t }] : []));
}

/**
 * Run an experiment until `done(lines)` holds (checked every 50 ms), then stop it — no sooner,
 * however slow the machine, and no later than `maxMs` (the run's own duration). The tests then
 * assert on the whole trace, so they wait for events, never for a fixed time.
 */
export async function runUntil(id: string, params: Record<string, unknown>, done: (lines: readonly TraceLine[]) => boolean, maxMs = 20_000) {
  return runExperiment(id, params, maxMs, async (run) => {
    if (await eventually(() => done(run.lines), maxMs, 50)) await run.stop('stopped', 'test: what it waited for happened');
  });
}

/** How many events of this kind (and actor) the lines hold. */
export function count(lines: readonly TraceLine[], kind: string, actor?: string, pred: (e: Record<string, unknown>) => boolean = () => true): number {
  return lines.filter((l) => l.type === 'event' && l.kind === kind && (!actor || l.actor === actor) && pred(l as unknown as Record<string, unknown>)).length;
}
