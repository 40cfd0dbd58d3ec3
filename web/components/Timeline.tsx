/**
 * The whole run in one strip: a lane per actor with how busy it was (events per slice of time),
 * the observations as they came true, the bookmarks with their notes written out (nothing is
 * only on hover), and the cursor. Click or drag anywhere to move the cursor there. It is an SVG,
 * so it exports as SVG and PNG.
 */
import { forwardRef, useMemo, useRef } from 'react';
import { eventResult, VERDICT_MARK, type VerdictResult } from '../../shared/trace/verdict.js';
import type { TraceStore } from '../../shared/trace/store.js';
import { timelineBins } from '../../shared/trace/navigate.js';
import type { BookmarkEvent } from '../../shared/trace/user-events.js';
import { t } from '../i18n/index.js';

const W = 1000;
const LEFT = 80;
const RIGHT = 12;
const LANE_H = 22;
const TOP = 34;
const BINS = 200;

interface Props {
  store: TraceStore | null;
  lanes: string[];
  /** The cursor as a time. */
  at: number;
  end: number;
  bookmarks: readonly BookmarkEvent[];
  onSeek(t: number): void;
}

export const Timeline = forwardRef<SVGSVGElement, Props>(function Timeline({ store, lanes, at, end, bookmarks, onSeek }, ref) {
  const version = store?.version ?? 0;
  const bins = useMemo(() => timelineBins(store?.events ?? [], lanes, end, BINS), [store, version, lanes.join(','), end]);
  const observations = useMemo(() => {
    // One tick per observation: where it first held, unless its final result is a failure or
    // "not reached" (then that, at the end). A live "not yet" is no tick at all.
    const held = new Map<string, { t: number; result: VerdictResult; label: string }>();
    const last = new Map<string, { t: number; result: VerdictResult; label: string }>();
    for (const e of store?.events ?? []) {
      if (e.kind !== 'observation') continue;
      const result = eventResult(e);
      if (result === 'held' && !held.has(e.id)) held.set(e.id, { t: e.t, result, label: e.label });
      if (e.final !== false && result !== 'held') last.set(e.id, { t: e.t, result, label: e.label });
      else if (e.final !== false) last.delete(e.id);
    }
    const ids = new Set([...held.keys(), ...last.keys()]);
    return [...ids].map((id) => last.get(id) ?? held.get(id)!);
  }, [store, version]);
  const dragging = useRef(false);
  const span = end > 0 ? end : 1;
  const x = (time: number) => LEFT + (Math.max(0, Math.min(time, span)) / span) * (W - LEFT - RIGHT);
  const bookmarkRows = Math.min(3, bookmarks.length);
  const lanesTop = TOP + bookmarkRows * 16;
  const height = lanesTop + lanes.length * LANE_H + 30;
  const seekAt = (ev: React.PointerEvent<SVGSVGElement>) => {
    const r = ev.currentTarget.getBoundingClientRect();
    const ux = ((ev.clientX - r.left) / r.width) * W;
    onSeek(((Math.max(LEFT, Math.min(ux, W - RIGHT)) - LEFT) / (W - LEFT - RIGHT)) * span);
  };
  const bw = (W - LEFT - RIGHT) / BINS;
  const ticks = axisTicks(span);
  return (
    <svg ref={ref} className="timeline-svg" viewBox={`0 0 ${W} ${height}`} role="img" aria-label={t('timeline.heading')}
      style={{ width: '100%', height: 'auto', display: 'block', touchAction: 'none' }}
      onPointerDown={(e) => { dragging.current = true; e.currentTarget.setPointerCapture(e.pointerId); seekAt(e); }}
      onPointerMove={(e) => { if (dragging.current) seekAt(e); }}
      onPointerUp={() => { dragging.current = false; }}>
      <text x={4} y={14} className="tl-title">{t('timeline.heading')}</text>
      {observations.map((o, i) => (
        <g key={`o${i}`} className={`tl-obs ${o.result}`}>
          <line x1={x(o.t)} x2={x(o.t)} y1={18} y2={height - 24} />
          <text x={x(o.t)} y={28} textAnchor="middle">{VERDICT_MARK[o.result]}</text>
        </g>
      ))}
      {bookmarks.map((b, i) => {
        const row = i % Math.max(1, bookmarkRows);
        const bx = x(b.t);
        const right = bx > W * 0.7;
        return (
          <g key={`b${i}`} className="tl-bookmark">
            <line x1={bx} x2={bx} y1={TOP + row * 16 - 10} y2={height - 24} />
            <text x={bx + (right ? -4 : 4)} y={TOP + row * 16} textAnchor={right ? 'end' : 'start'}>
              {`${i + 1} ${b.note.length > 40 ? `${b.note.slice(0, 40)}…` : b.note}`}
            </text>
          </g>
        );
      })}
      {bins.lanes.map((lane, li) => {
        const y0 = lanesTop + li * LANE_H;
        return (
          <g key={lane} className={`tl-lane lane-${li}`} data-lane={lane}>
            <text x={LEFT - 8} y={y0 + LANE_H / 2 + 4} textAnchor="end" className="tl-lane-name">{lane}</text>
            <line x1={LEFT} x2={W - RIGHT} y1={y0 + LANE_H / 2} y2={y0 + LANE_H / 2} className="tl-lane-line" />
            {bins.counts[li]!.map((c, bi) => {
              if (c === 0) return null;
              const h = Math.max(3, Math.sqrt(c / bins.max) * (LANE_H - 4));
              return <rect key={bi} x={LEFT + bi * bw} width={Math.max(1, bw - 0.5)} y={y0 + (LANE_H - h) / 2} height={h} className="tl-bin" />;
            })}
          </g>
        );
      })}
      <g className="tl-axis">
        {ticks.map((tk) => (
          <g key={tk}>
            <line x1={x(tk)} x2={x(tk)} y1={height - 26} y2={height - 20} />
            <text x={x(tk)} y={height - 8} textAnchor="middle">{formatSeconds(tk)}</text>
          </g>
        ))}
      </g>
      <g className="tl-cursor">
        <line x1={x(at)} x2={x(at)} y1={18} y2={height - 22} />
        <text x={x(at) + (x(at) > W * 0.8 ? -4 : 4)} y={14} textAnchor={x(at) > W * 0.8 ? 'end' : 'start'}>{formatSeconds(at)}</text>
      </g>
    </svg>
  );
});

function axisTicks(span: number): number[] {
  const target = span / 6;
  const pow = 10 ** Math.floor(Math.log10(Math.max(target, 1e-3)));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= target) ?? pow * 10;
  const out: number[] = [];
  for (let v = 0; v <= span + 1e-9 && out.length < 20; v += step) out.push(v);
  return out;
}

export function formatSeconds(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  return ms < 10_000 ? `${(ms / 1000).toFixed(2)} s` : `${(ms / 1000).toFixed(1)} s`;
}
