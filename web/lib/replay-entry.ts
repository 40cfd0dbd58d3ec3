/**
 * What a replay knows about its experiment: the catalog entry saved in the trace's header (the
 * normal case), else the lab's entry for the same experiment id, else only what the trace itself
 * shows (its roles, the observations it reported) — never an invented description.
 */
import type { CatalogEntry } from '../../shared/protocol/catalog.js';
import type { TraceStore } from '../../shared/trace/store.js';
import { t } from '../i18n/index.js';

export type EntryOrigin = 'trace' | 'lab' | 'derived';

const NOT_ROLES = new Set(['lab', 'kernel', 'user']);

export function replayEntry(store: TraceStore | null, labCatalog: readonly CatalogEntry[] | null): { entry: CatalogEntry; origin: EntryOrigin } {
  const h = store?.header ?? null;
  if (h?.catalog) return { entry: h.catalog, origin: 'trace' };
  const fromLab = h ? labCatalog?.find((e) => e.id === h.experiment) : undefined;
  if (fromLab) return { entry: fromLab, origin: 'lab' };
  const roles: string[] = [...(h?.roles ?? [])];
  const observations = new Map<string, string>();
  for (const e of store?.events ?? []) {
    if (!NOT_ROLES.has(e.actor) && !roles.includes(e.actor)) roles.push(e.actor);
    if (e.kind === 'observation' && !observations.has(e.id)) observations.set(e.id, e.label);
  }
  return {
    origin: 'derived',
    entry: {
      id: h?.experiment ?? 'unknown',
      title: h?.title ?? h?.experiment ?? t('replay.untitled'),
      group: '',
      summary: t('replay.noCatalog'),
      seeds: [],
      paramsSchema: {},
      roles: roles.map((name) => ({ name, summary: '', source: t('replay.noSource') })),
      narrative: t('replay.noNarrative'),
      observations: [...observations].map(([id, label]) => ({ id, label })),
      controls: [],
    },
  };
}
