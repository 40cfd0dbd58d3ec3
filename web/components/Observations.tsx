import type { CatalogEntry } from '../../shared/protocol/catalog.js';
import type { TraceEvent } from '../../shared/trace/schema.js';
import { t } from '../i18n/index.js';

/** The expected observations as a checklist: the latest result of each, up to the cursor. */
export function Observations({ entry, events, upTo }: { entry: CatalogEntry; events: readonly TraceEvent[]; upTo: number }) {
  const latest = new Map<string, { held: boolean; detail: string }>();
  for (let i = 0; i < upTo && i < events.length; i++) {
    const e = events[i]!;
    if (e.kind === 'observation') latest.set(e.id, e);
  }
  return (
    <section className="observations">
      <h2>{t('observations.heading')}</h2>
      <ul>
        {entry.observations.map((o) => {
          const r = latest.get(o.id);
          const cls = r ? (r.held ? 'held' : 'failed') : 'pending';
          return (
            <li key={o.id} className={cls} data-observation={o.id}>
              <span className="mark" aria-hidden>{r ? (r.held ? '✓' : '✗') : '…'}</span>
              <span className="label">{o.label}</span>
              <span className="detail">{r ? r.detail : t('observations.pending')}</span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
