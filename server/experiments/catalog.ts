import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { CatalogEntry } from '../../shared/protocol/catalog.js';
import { actorProgramPath, actorSourcePath } from '../run/paths.js';
import type { Experiment } from './experiment.js';
import { experiments } from './index.js';

function source(expId: string, program: string): string {
  for (const p of [actorSourcePath(expId, program), actorProgramPath(expId, program)]) {
    try { return readFileSync(p, 'utf8'); } catch { /* try the next */ }
  }
  return '(source not found)';
}

export function catalogEntry(e: Experiment): CatalogEntry {
  return {
    id: e.id, title: e.title, group: e.group, summary: e.summary, seeds: e.seeds,
    paramsSchema: z.toJSONSchema(e.params, { io: 'input' }) as Record<string, unknown>,
    roles: e.roles.map((r) => ({ name: r.name, summary: r.summary, source: source(e.id, r.program) })),
    narrative: e.narrative,
    observations: e.observations.map((o) => ({ id: o.id, label: o.label })),
    controls: (e.controls ?? []).map((c) => ({ id: c.id, label: c.label, role: c.role, command: c.command, ...(c.args ? { args: c.args } : {}) })),
  };
}

let cached: CatalogEntry[] | null = null;
export function catalog(): CatalogEntry[] {
  cached ??= experiments.map(catalogEntry);
  return cached;
}
