import { useEffect, useId, useMemo, useRef, useState } from 'react';
import type { TraceEvent } from '../../shared/trace/schema.js';
import type { LadderRow } from '../../shared/trace/ladder.js';
import { ladderView } from '../../shared/trace/ladder-window.js';
import { t } from '../i18n/index.js';
import './ladder.css';

/**
 * Drawn at the panel's real width in CSS pixels (measured), so text stays readable in a narrow
 * panel instead of being scaled down. Lanes sit near the edges; labels go between them.
 */
const EDGE = 64;
const TOP = 38;
/** Approximate width of one character of the 11 px monospace labels. */
const CHAR_PX = 6.7;
/** Time layout: an idle stretch longer than this many pixels is cut to BREAK_PX and marked. */
const MAX_GAP_PX = 90;
const BREAK_PX = 40;
const ROW_HEIGHTS = [14, 22, 32] as const;
const MIN_PX_PER_MS = 1 / 256;
const MAX_PX_PER_MS = 64;
/** In time mode a label is drawn only if it keeps this distance from the last one in its column. */
const LABEL_GAP = 13;
/**
 * Rows kept: a window of the run's ladder (older rows are in the replay). While a live run streams
 * and the view follows its end, fewer: the box shows ~15 rows, and every row drawn is SVG the
 * browser styles, lays out and paints again on each update (test/bench/flow-ui.bench.ts measures
 * the frame rate). The full window returns as soon as the cursor is pinned or the run ends.
 */
const MAX_ROWS = { rows: 600, time: 2000 } as const;
const STREAMING_ROWS = { rows: 150, time: 400 } as const;
/** One arrowhead per colour: a marker takes its colour from its own definition, not from the line. */
const TONES = ['plain', 'syn', 'fin', 'rst', 'data', 'ack', 'zero', 'probe', 'update', 'handshake', 'bytes'] as const;

type Mode = 'rows' | 'time';

interface Props {
  events: readonly TraceEvent[];
  /** Number of events up to the cursor. */
  upTo: number;
  lanes: string[];
  /** The cursor (ms since start); Infinity or absent = following live. */
  cursor?: number;
  /** Move the cursor: clicking a row or an arrow. */
  onSeek?: ((t: number) => void) | undefined;
  /** The run's packet-capture capability ('on', or why it is off) from the trace header. */
  capture?: string | undefined;
  /** Section class: 'ladder' for the run's own ladder; another for secondary ladders. */
  className?: string;
  heading?: string;
  /** The trace is still growing and the view follows its end: keep fewer rows (STREAMING_ROWS). */
  streaming?: boolean;
}

/**
 * Two (or more) vertical lines, one per actor. Each program call is a dot on its actor's line with
 * its label outside; each captured TCP segment an arrow between the lines, labelled with its flags
 * (SYN, FIN, RST) and meaning (window 0, window probe, window update). Two layouts: one row per
 * event (dense: −/+ row height) or time-proportional (−/+ zoom, fit). Follows the cursor: rows
 * after a pinned cursor are dimmed and a line marks the cursor; clicking a row seeks there.
 */
export function Ladder({ events, upTo, lanes, cursor = Infinity, onSeek, capture, className = 'ladder', heading, streaming = false }: Props) {
  const [mode, setMode] = useState<Mode>('rows');
  const [density, setDensity] = useState(1);
  const [pxPerMs, setPxPerMs] = useState<number | null>(null); // null = fit
  const [showWire, setShowWire] = useState(true);
  const pinned = Number.isFinite(cursor);
  const hasPackets = useMemo(() => events.some((e) => e.kind === 'packet'), [events, events.length]);
  // ladderView: the same model, from an index on long traces (a seek need not walk the whole run).
  const model = ladderView(events, upTo, lanes, (streaming && !pinned ? STREAMING_ROWS : MAX_ROWS)[mode], { ghosts: pinned, hidePackets: !showWire });
  const box = useRef<HTMLDivElement>(null);
  const [boxWidth, setBoxWidth] = useState(560);
  useEffect(() => {
    const el = box.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => setBoxWidth(Math.max(320, el.clientWidth - 4)));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const uid = useId().replace(/[^a-zA-Z0-9_-]/g, '');
  const marker = (tone: string) => `url(#${uid}-${tone})`;
  const cursorLine = useRef<SVGLineElement>(null);

  const width = boxWidth;
  const gap = (width - 2 * EDGE) / Math.max(1, lanes.length - 1);
  const x = (lane: number) => EDGE + lane * gap;
  const maxChars = Math.max(12, Math.floor((gap - 24) / CHAR_PX));
  const rows = model.rows;
  // "Fit": scale so the busy parts fill about 700 px once long idle stretches are cut.
  const scale = pxPerMs ?? fitScale(rows.map((r) => r.t));
  const rowH = ROW_HEIGHTS[density]!;
  // Time layout: y grows with time, except that idle stretches longer than MAX_GAP_PX are cut to
  // BREAK_PX and marked with their real length, so a 3 s pause does not push everything off screen.
  const ys: number[] = [];
  const breaks: { y: number; ms: number }[] = [];
  let yPrev = TOP;
  rows.forEach((r, i) => {
    if (mode === 'rows') { ys.push(TOP + i * rowH); return; }
    if (i === 0) { ys.push(TOP); return; }
    const dt = r.t - rows[i - 1]!.t;
    const dy = dt * scale;
    if (dy > MAX_GAP_PX) { breaks.push({ y: yPrev + 14, ms: dt }); yPrev += BREAK_PX; }
    else yPrev += dy;
    ys.push(yPrev);
  });
  const yOf = (_r: LadderRow, i: number) => ys[i] ?? TOP;
  /** y of any time: between the rows around it (time layout), or between rows (rows layout). */
  const yAt = (time: number) => {
    let i = 0;
    while (i < rows.length && rows[i]!.t <= time) i++;
    if (i === 0) return TOP - 6;
    if (i === rows.length) return ys[i - 1]! + 8;
    if (mode === 'rows') return (ys[i - 1]! + ys[i]!) / 2;
    const a = rows[i - 1]!;
    const b = rows[i]!;
    return ys[i - 1]! + ((time - a.t) / Math.max(1e-9, b.t - a.t)) * (ys[i]! - ys[i - 1]!);
  };
  const height = (rows.length ? ys[ys.length - 1]! : TOP) + 24;
  const cursorY = pinned ? yAt(cursor) : null;

  // Following live: stay at the bottom. Pinned: keep the cursor line in view.
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    if (!pinned) el.scrollTop = el.scrollHeight;
    else if (cursorLine.current) {
      // Scroll the ladder's own box only: scrollIntoView would also scroll the page, pulling the
      // panes out of view on every step and every frame of a replay.
      const line = cursorLine.current.getBoundingClientRect();
      el.scrollTop += line.top - el.getBoundingClientRect().top - el.clientHeight / 2;
    }
  }, [upTo, pinned, mode, density, scale]);

  // Time mode: labels that would overprint the previous one in the same column are left out.
  const lastLabelY = new Map<string, number>();
  const showLabel = (column: string, y: number) => {
    if (mode === 'rows') return true;
    const last = lastLabelY.get(column);
    if (last !== undefined && y - last < LABEL_GAP) return false;
    lastLabelY.set(column, y);
    return true;
  };
  const fitText = (text: string) => (text.length > maxChars ? `${text.slice(0, maxChars - 1)}…` : text);

  const zoom = (f: number) => setPxPerMs(Math.min(MAX_PX_PER_MS, Math.max(MIN_PX_PER_MS, scale * f)));
  const seek = (r: LadderRow) => onSeek?.(r.t);

  return (
    <section className={className} data-mode={mode}>
      <div className="ladder-head">
        <h2>{heading ?? t('ladder.heading')}</h2>
        <div className="ladder-tools" role="toolbar" aria-label={t('ladder.tools')}>
          <button className={mode === 'rows' ? 'on' : ''} onClick={() => setMode('rows')} title={t('ladder.rowsHelp')}>{t('ladder.rows')}</button>
          <button className={mode === 'time' ? 'on' : ''} onClick={() => setMode('time')} title={t('ladder.timeHelp')}>{t('ladder.time')}</button>
          {mode === 'rows' ? (
            <>
              <button aria-label={t('ladder.denser')} disabled={density === 0} onClick={() => setDensity(density - 1)}>−</button>
              <button aria-label={t('ladder.roomier')} disabled={density === ROW_HEIGHTS.length - 1} onClick={() => setDensity(density + 1)}>+</button>
            </>
          ) : (
            <>
              <button aria-label={t('ladder.zoomOut')} onClick={() => zoom(0.5)}>−</button>
              <button aria-label={t('ladder.zoomIn')} onClick={() => zoom(2)}>+</button>
              <button onClick={() => setPxPerMs(null)} className={pxPerMs === null ? 'on' : ''}>{t('ladder.fit')}</button>
              <span className="ladder-scale">{t('ladder.scale', { ms: formatMs(100 / scale) })}</span>
            </>
          )}
          {hasPackets && (
            <label className="ladder-wire"><input type="checkbox" checked={showWire} onChange={(e) => setShowWire(e.target.checked)} /> {t('ladder.wire')}</label>
          )}
        </div>
      </div>
      {capture !== undefined && capture !== 'on' && <p className="ladder-capture-off">{t('ladder.captureOff', { why: capture.replace(/^off:\s*/, '') })}</p>}
      <div className="ladder-scroll" ref={box}>
        {rows.length === 0 ? <p className="empty">{t('ladder.empty')}</p> : (
          <svg width={width} height={height} style={{ display: 'block' }} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={heading ?? t('ladder.heading')}>
            <defs>
              {TONES.map((tone) => (
                <marker key={tone} id={`${uid}-${tone}`} className={`m-${tone}`} viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse">
                  <path d="M 0 0 L 10 5 L 0 10 z" />
                </marker>
              ))}
            </defs>
            {lanes.map((l, i) => (
              <g key={l}>
                <text x={x(i)} y={18} textAnchor="middle" className="lane-name">{l}</text>
                <line x1={x(i)} x2={x(i)} y1={TOP - 10} y2={height} className="lane" />
              </g>
            ))}
            {model.arrows.map((a, i) => {
              const from = rows[a.from]!;
              const to = rows[a.to]!;
              const y1 = yOf(from, a.from);
              const y2 = yOf(to, a.to);
              return (
                <g key={`a${i}`} className={`arrow ${a.kind}`} opacity={from.future || to.future ? 0.3 : 1}>
                  <line x1={x(from.lane)} y1={y1} x2={x(to.lane)} y2={y2} markerEnd={marker(a.kind === 'fin' ? 'fin' : a.kind)} />
                  {a.label && <text x={(x(from.lane) + x(to.lane)) / 2} y={(y1 + y2) / 2 - 4} textAnchor="middle">{a.label}</text>}
                </g>
              );
            })}
            {rows.map((r, i) => {
              const y = yOf(r, i);
              const dim = r.future ? 0.3 : 1;
              if (r.toLane !== undefined) {
                const x1 = x(r.lane);
                const x2 = x(r.toLane);
                // A slight slope shows the direction even where arrowheads crowd.
                return (
                  <g key={`r${i}`} className={`packet tone-${r.tone}`} opacity={dim} onClick={() => seek(r)} data-t={r.t}>
                    <title>{`${r.t.toFixed(3)} ms  ${r.label}`}</title>
                    <line x1={x1} y1={y - 3} x2={x2 + (x2 > x1 ? -3 : 3)} y2={y + 3} markerEnd={marker(r.tone ?? 'plain')} />
                    {showLabel('mid', y) && (
                      <text x={(x1 + x2) / 2} y={y - 5} textAnchor="middle">{fitText(`${r.label}  ${r.t.toFixed(1)} ms`)}</text>
                    )}
                  </g>
                );
              }
              // Labels go between the lanes: the last lane's to its left, the others' to their right.
              const right = r.lane === lanes.length - 1 && lanes.length > 1;
              return (
                <g key={`r${i}`} className={`row k-${r.kind}`} opacity={dim} onClick={() => seek(r)} data-t={r.t}>
                  <title>{`${r.t.toFixed(3)} ms  ${r.label}`}</title>
                  <circle cx={x(r.lane)} cy={y} r={4} />
                  {showLabel('mid', y) && (
                    <text x={x(r.lane) + (right ? -10 : 10)} y={y + 4} textAnchor={right ? 'end' : 'start'}>
                      {fitText(`${r.t.toFixed(1)} ms  ${r.label}`)}
                    </text>
                  )}
                </g>
              );
            })}
            {breaks.map((b, i) => (
              <g key={`b${i}`} className="ladder-break">
                <line x1={EDGE - 30} x2={width - EDGE + 30} y1={b.y} y2={b.y} />
                <text x={width / 2} y={b.y + 4} textAnchor="middle">{t('ladder.idle', { t: formatMs(b.ms) })}</text>
              </g>
            ))}
            {cursorY !== null && (
              <g className="ladder-cursor">
                <line ref={cursorLine} x1={0} x2={width} y1={cursorY} y2={cursorY} />
                <text x={width - 4} y={cursorY - 4} textAnchor="end">{t('ladder.cursor', { t: `${cursor.toFixed(1)} ms` })}</text>
              </g>
            )}
          </svg>
        )}
      </div>
    </section>
  );
}

/** Pixels per ms so that the gaps that are not cut add up to about 700 px. */
function fitScale(times: number[]): number {
  let busy = 0;
  for (let i = 1; i < times.length; i++) busy += Math.min(times[i]! - times[i - 1]!, 50);
  return Math.min(MAX_PX_PER_MS, Math.max(MIN_PX_PER_MS, 700 / Math.max(1, busy)));
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)} s` : ms >= 1 ? `${ms.toFixed(ms >= 10 ? 0 : 1)} ms` : `${(ms * 1000).toFixed(0)} µs`;
}
