/**
 * Stream boundaries, drawn: the writer's messages (one write() each) on one strip and the
 * reader's read() calls on the strip below, both along the same byte axis. A read edge that cuts
 * through a message is a write split across reads; a read spanning several messages merged them.
 * Everything comes from the trace's write and data events up to the cursor.
 */
import { useMemo } from 'react';
import { boundaryStats, readsAgainst, ruler } from '../../shared/stream/boundaries.js';
import { streamSides } from '../../shared/stream/from-trace.js';
import { t } from '../i18n/index.js';
import type { ExperimentPanelProps } from './experiment-panels.js';

const W = 1000;
const LEFT = 70;
/** Rows of the read table shown; the event list has every read. */
const TABLE_ROWS = 200;

export function BoundaryPanel({ store, cursor }: ExperimentPanelProps) {
  const upTo = store ? store.indexAt(cursor) : 0;
  const version = store?.version ?? 0;
  const sides = useMemo(() => (store ? streamSides(store.events, 'client', 'server', upTo) : null), [store, upTo, version]);
  if (!sides || sides.writes.length === 0) {
    return <section className="boundary-panel"><h2>{t('boundary.heading')}</h2><p className="empty">{t('boundary.empty')}</p></section>;
  }
  const { writes, reads } = sides;
  const total = Math.max(writes.reduce((a, b) => a + b, 0), reads.reduce((a, b) => a + b, 0), 1);
  const x = (o: number) => LEFT + ((W - LEFT - 4) * o) / total;
  const stats = boundaryStats(writes, reads);
  const perRead = readsAgainst(writes, reads);
  let at = 0;
  const msgRects = writes.map((n, i) => { const r = { i, start: at, end: at + n }; at += n; return r; });
  const splitSet = new Set<number>();
  for (const r of perRead) for (const p of r.pieces) if (p.from > 0 || p.to < p.size) splitSet.add(p.index);
  return (
    <section className="boundary-panel">
      <h2>{t('boundary.heading')}</h2>
      <p className="boundary-summary">
        {t('boundary.summary', { writes: stats.messages, reads: stats.reads, split: stats.splitMessages, merged: stats.mergedReads, exact: stats.exactReads })}
      </p>
      <svg viewBox={`0 0 ${W} 118`} className="boundary-svg" role="img" aria-label={t('boundary.heading')}>
        <text x={4} y={30} className="lane">{t('boundary.writes')}</text>
        <text x={4} y={84} className="lane">{t('boundary.reads')}</text>
        {msgRects.map((m) => (
          <g key={`m${m.i}`} className={`msg m${m.i % 2}${splitSet.has(m.i) ? ' split' : ''}`}>
            <rect x={x(m.start)} y={12} width={Math.max(0.5, x(m.end) - x(m.start))} height={30} />
            {x(m.end) - x(m.start) > 24 && <text x={(x(m.start) + x(m.end)) / 2} y={32}>#{m.i}</text>}
          </g>
        ))}
        {perRead.map((r, i) => (
          <g key={`r${i}`} className={`read r${i % 2}${r.pieces.length > 1 ? ' merged' : ''}`}>
            <rect x={x(r.start)} y={66} width={Math.max(0.5, x(r.start + r.bytes) - x(r.start))} height={30} />
            {x(r.start + r.bytes) - x(r.start) > 44 && <text x={x(r.start) + (x(r.start + r.bytes) - x(r.start)) / 2} y={86}>{r.bytes} B</text>}
            {/* where this read began, carried up across the messages: a line through a message is a split */}
            {i > 0 && <line x1={x(r.start)} x2={x(r.start)} y1={8} y2={100} className="cut" />}
          </g>
        ))}
        <text x={LEFT} y={114} className="axis">0</text>
        <text x={W - 4} y={114} className="axis end">{total} B</text>
      </svg>
      <p className="boundary-key">{t('boundary.key')}</p>
      <div className="boundary-scroll">
      <table className="boundary-table">
        <thead><tr><th>{t('boundary.readNo')}</th><th>{t('boundary.bytes')}</th><th>{t('boundary.carried')}</th></tr></thead>
        <tbody>
          {perRead.slice(0, TABLE_ROWS).map((r, i) => (
            <tr key={i} className={r.pieces.length > 1 ? 'merged' : r.pieces.some((p) => p.from > 0 || p.to < p.size) ? 'split' : ''}>
              <td>{i + 1}</td><td>{r.bytes}</td><td className="t">{ruler(r.pieces)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      </div>
      {perRead.length > TABLE_ROWS && <p className="empty">{t('boundary.more', { n: perRead.length - TABLE_ROWS })}</p>}
    </section>
  );
}
