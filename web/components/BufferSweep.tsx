/**
 * The buffer-sizes sweep: per size, what the kernel kept of SO_SNDBUF / SO_RCVBUF, how many bytes
 * the writer handed to write() before it first returned false and before it truly stopped (a
 * log-scale bar chart), and where those bytes were at the stop (a table with a share bar). Built
 * only from the trace up to the cursor (shared/flow/buffer-sweep.ts).
 */
import { useMemo } from 'react';
import { sweepRows, type SweepRow } from '../../shared/flow/buffer-sweep.js';
import { t } from '../i18n/index.js';
import type { ExperimentPanelProps } from './experiment-panels.js';

const W = 1000;
const LABEL = 190;
const ROW = 44;
const BAR = 15;

function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return t('sweep.unknown');
  if (n < 65536) return `${n.toLocaleString('en-US')} B`;
  if (n < 1048576) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1048576).toFixed(2)} MiB`;
}

const sizeLabel = (r: SweepRow) => (r.size === 'auto' ? t('sweep.auto') : bytes(r.size));

/** The four places a stopped writer's bytes can be, in pipeline order. */
const PLACES = ['writerNode', 'writerKernel', 'readerKernel', 'readerNode'] as const;

function places(r: SweepRow): Record<(typeof PLACES)[number], number> | null {
  if (!r.writer || !r.reader || r.inWriterNode === null) return null;
  return { writerNode: Math.max(0, r.inWriterNode), writerKernel: r.writer.kernelSendQ ?? 0, readerKernel: r.reader.kernelRecvQ ?? 0, readerNode: r.reader.nodeBuffer };
}

export function BufferSweep({ store, cursor }: ExperimentPanelProps) {
  const upTo = store ? store.indexAt(cursor) : 0;
  const version = store?.version ?? 0;
  const rows = useMemo(() => (store ? sweepRows(store.events, upTo) : []), [store, upTo, version]);
  const measured = rows.filter((r) => r.writer);
  if (measured.length === 0) {
    return <section className="sweep-panel"><h2>{t('sweep.heading')}</h2><p className="empty">{t('sweep.empty')}</p></section>;
  }
  // Log scale: 4 KiB and 4 MiB on one axis. Ticks at powers of 4 from 1 KiB.
  const max = Math.max(...measured.map((r) => r.writer!.stopped), 2048);
  const lo = Math.log2(1024);
  const hi = Math.ceil(Math.log2(max));
  const x = (v: number) => LABEL + ((W - LABEL - 110) * (Math.log2(Math.max(v, 1024)) - lo)) / Math.max(1, hi - lo);
  const ticks: number[] = [];
  for (let e = lo; e <= hi; e += 2) ticks.push(2 ** e);
  const height = measured.length * ROW + 40;
  return (
    <section className="sweep-panel">
      <h2>{t('sweep.heading')}</h2>
      <svg viewBox={`0 0 ${W} ${height}`} className="sweep-svg" role="img" aria-label={t('sweep.chart')}>
        {ticks.map((v) => (
          <g key={v} className="tick">
            <line x1={x(v)} x2={x(v)} y1={4} y2={height - 26} />
            <text x={x(v)} y={height - 12}>{bytes(v)}</text>
          </g>
        ))}
        {measured.map((r, i) => {
          const y = 8 + i * ROW;
          const w = r.writer!;
          return (
            <g key={r.index} data-size={String(r.size)}>
              <text x={LABEL - 8} y={y + BAR + 4} className="size">{sizeLabel(r)}</text>
              <rect className="first" x={LABEL} y={y} width={Math.max(1, x(w.firstBackpressure) - LABEL)} height={BAR} />
              <text x={x(w.firstBackpressure) + 4} y={y + BAR - 3} className="value">{bytes(w.firstBackpressure)}</text>
              <rect className="stopped" x={LABEL} y={y + BAR + 3} width={Math.max(1, x(w.stopped) - LABEL)} height={BAR} />
              <text x={x(w.stopped) + 4} y={y + 2 * BAR} className="value">{bytes(w.stopped)}</text>
            </g>
          );
        })}
      </svg>
      <p className="sweep-legend">
        <span className="key first" /> {t('sweep.first')} <span className="key stopped" /> {t('sweep.stopped')} <span className="note">{t('sweep.log')}</span>
      </p>
      <table className="sweep-table">
        <thead>
          <tr>
            <th>{t('sweep.col.size')}</th><th>{t('sweep.col.sndbuf')}</th><th>{t('sweep.col.rcvbuf')}</th>
            <th>{t('sweep.col.first')}</th><th>{t('sweep.col.stopped')}</th><th>{t('sweep.col.share')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const w = r.writer;
            const p = places(r);
            const total = p ? PLACES.reduce((n, k) => n + p[k], 0) : 0;
            const snd = r.size === 'auto' ? t('sweep.autoTuned', { a: bytes(w?.sndbufAtConnect), b: bytes(w?.sndbufAtStop) }) : `${r.size.toLocaleString('en-US')} → ${bytes(w?.sndbufEffective)}`;
            const rcv = r.size === 'auto' ? t('sweep.autoNow', { n: bytes(r.reader?.rcvbufEffective) }) : `${r.size.toLocaleString('en-US')} → ${bytes(r.rcvbufKept ?? r.reader?.rcvbufEffective)}`;
            return (
              <tr key={r.index} data-size={String(r.size)}>
                <td className="size">{sizeLabel(r)}</td><td>{snd}</td><td>{rcv}</td>
                <td>{w ? bytes(w.firstBackpressure) : '…'}</td><td>{w ? bytes(w.stopped) : '…'}</td>
                <td className="share">
                  {p && total > 0 ? (
                    <>
                      <span className="sharebar" role="img" aria-label={PLACES.map((k) => `${t(`sweep.place.${k}`)} ${Math.round((100 * p[k]) / total)}%`).join(', ')}>
                        {PLACES.map((k) => <span key={k} className={k} style={{ width: `${(100 * p[k]) / total}%` }} title={`${t(`sweep.place.${k}`)}: ${bytes(p[k])}`} />)}
                      </span>
                      <span className="places">
                        {PLACES.map((k) => <span key={k} className="place"><span className={`key ${k}`} />{bytes(p[k])}</span>)}
                        {w && w.nodeQueue !== p.writerNode ? <small>{t('sweep.nodeSays', { n: bytes(w.nodeQueue) })}</small> : null}
                      </span>
                    </>
                  ) : '…'}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p className="sweep-legend">
        {PLACES.map((k) => <span key={k}><span className={`key ${k}`} /> {t(`sweep.place.${k}`)} </span>)}
      </p>
    </section>
  );
}
