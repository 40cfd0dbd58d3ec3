import { useEffect, useRef } from 'react';
import type { TraceEvent } from '../../shared/trace/schema.js';
import { describeEvent } from '../../shared/trace/derive.js';
import { t } from '../i18n/index.js';

/** Kinds shown elsewhere (terminal text in the panes, kernel samples in gauges) stay out of the list. */
const HIDDEN = new Set(['stdout', 'stderr', 'sample', 'nodestate', 'packet']);
const MAX_ROWS = 400;

/** The program-level events up to the cursor, newest at the bottom; click one to move the cursor there. */
export function EventList({ events, upTo, onPick }: { events: readonly TraceEvent[]; upTo: number; onPick?: (t: number) => void }) {
  const rows: TraceEvent[] = [];
  for (let i = upTo - 1; i >= 0 && rows.length < MAX_ROWS; i--) if (!HIDDEN.has(events[i]!.kind)) rows.push(events[i]!);
  rows.reverse();
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => { if (box.current) box.current.scrollTop = box.current.scrollHeight; }, [upTo]);
  return (
    <section className="events">
      <h2>{t('events.heading')}</h2>
      <div className="event-scroll" ref={box}>
        {rows.length === 0 ? <p className="empty">{t('events.empty')}</p> : (
          <table>
            <tbody>
              {rows.map((e, i) => (
                <tr key={i} className={`k-${e.kind} a-${e.actor}`} onClick={() => onPick?.(e.t)}>
                  <td className="t">{e.t.toFixed(1)} ms</td>
                  <td className="actor">{e.actor}</td>
                  <td>{describeEvent(e)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}
