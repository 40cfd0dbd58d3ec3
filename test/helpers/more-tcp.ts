/** Helpers for the More-TCP integration tests: observation results and the no-leftovers check. */
import { expect } from 'vitest';
import type { TraceLine } from '../../shared/trace/schema.js';
import { alive, eventually, heldSockets, spawnedPids, tracePorts } from './processes.js';
import { finalObservations } from './runs.js';

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
