import { memo, useEffect, useRef } from 'react';
import type { TraceEvent } from '../../shared/trace/schema.js';
import { describeEvent } from '../../shared/trace/derive.js';
import { t } from '../i18n/index.js';

/** Kinds shown elsewhere (terminal text in the panes, kernel samples in gauges) stay out of the list. */
const HIDDEN = new Set(['stdout', 'stderr', 'sample', 'nodestate', 'packet']);
/** An observation's live "so far" refresh (same result, new figures) is for the checklist, not the list. */
const listed = (e: TraceEvent) => !HIDDEN.has(e.kind) && !(e.kind === 'observation' && e.refresh === true);
const MAX_ROWS = 400;
/**
 * While a live run streams and the list follows its end: the box shows ~14 rows, and each update
 * lays the whole table out again (hundreds of rows at 10 Hz were most of a frame at a few hundred
 * events/s). The full list returns when the cursor is pinned or the run ends.
 */
const STREAMING_ROWS = 100;
/**
 * How far back to look for those rows: in a capture-heavy run most events are hidden kinds, and an
 * unbounded scan would walk the whole trace on every render. Past this many events back, fewer
 * rows are listed (the ladder and the timeline still reach them).
 */
const MAX_SCAN = 20_000;

/** The program-level events up to the cursor, newest at the bottom; click one to move the cursor there. */
export function EventList({ events, upTo, onPick, streaming = false }: { events: readonly TraceEvent[]; upTo: number; onPick?: (t: number) => void; streaming?: boolean }) {
  const max = streaming ? STREAMING_ROWS : MAX_ROWS;
  // Each row keyed by its place in the trace: when new events arrive, the rows already shown are
  // left alone (memo) instead of every row's text being rewritten one place up.
  const rows: { e: TraceEvent; i: number }[] = [];
  const stop = Math.max(0, upTo - MAX_SCAN);
  for (let i = upTo - 1; i >= stop && rows.length < max; i--) if (listed(events[i]!)) rows.push({ e: events[i]!, i });
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
              {rows.map(({ e, i }) => <Row key={i} e={e} onPick={onPick} />)}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}

const Row = memo(function Row({ e, onPick }: { e: TraceEvent; onPick?: ((t: number) => void) | undefined }) {
  return (
    <tr className={`k-${e.kind} a-${e.actor}`} onClick={() => onPick?.(e.t)}>
      <td className="t">{e.t.toFixed(1)} ms</td>
      <td className="actor">{e.actor}</td>
      <td>{describeEvent(e)}</td>
    </tr>
  );
});
