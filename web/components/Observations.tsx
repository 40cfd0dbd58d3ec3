import type { CatalogEntry } from '../../shared/protocol/catalog.js';
import type { EventOf, TraceEvent } from '../../shared/trace/schema.js';
import { eventResult, VERDICT_MARK } from '../../shared/trace/verdict.js';
import { t } from '../i18n/index.js';

/**
 * The expected observations as a checklist: the latest result of each, up to the cursor. A
 * result written while the run was live is "so far" (it can still change); the one written at
 * the end is final: held ✓, failed ✗, or not reached – (the run ended before the moment it needs).
 */
export function Observations({ entry, events, upTo }: { entry: CatalogEntry; events: readonly TraceEvent[]; upTo: number }) {
  const latest = new Map<string, EventOf<'observation'>>();
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
          const result = r ? eventResult(r) : null;
          // Older traces have no `final`: their results were written as they came, and are shown as such.
          const soFar = r?.final === false;
          const cls = !r ? 'pending' : soFar && result !== 'held' ? 'pending' : result!;
          const mark = !r || (soFar && result !== 'held') ? '…' : VERDICT_MARK[result!];
          const word = !r ? '' : soFar ? t('observations.so-far') : result === 'not-reached' ? t('observations.not-reached') : result === 'failed' ? t('observations.failed') : '';
          return (
            <li key={o.id} className={cls} data-observation={o.id} data-result={result ?? 'pending'} data-final={r ? String(!soFar) : 'false'}>
              <span className="mark" aria-hidden>{mark}</span>
              <span className="label">{o.label}</span>
              <span className="detail">{r ? <>{word && <b className="verdict-word">{word} </b>}{r.detail}</> : t('observations.pending')}</span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
