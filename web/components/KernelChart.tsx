/**
 * The run's queues and windows over time (uPlot), with a vertical line at the cursor. Clicking
 * the chart moves the cursor there (onSeek), so the pipeline, the panes and the event list all
 * show that moment.
 */
import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { TraceStore } from '../../shared/trace/store.js';
import { chartData, kernelIndex, type ChartData, type ChartField, type KernelIndex } from '../../shared/trace/kernel-view.js';
import { t } from '../i18n/index.js';

interface Props { store: TraceStore | null; cursor: number; onSeek?: ((t: number) => void) | undefined }

/**
 * While live, rebuild the chart's columns at most this often (they cover the whole run, so a
 * rebuild is O(run length)): every 250 ms, or 20 times as long as the last rebuild took, so the
 * chart never takes more than about 5% of the page's time on a long run.
 */
const REBUILD_MS = 250;
const REBUILD_FACTOR = 20;
const HEIGHT = 220;

const COLORS: Record<ChartField, string[]> = {
  sendQ: ['#cf222e', '#e16f24'],
  recvQ: ['#0969da', '#54aeff'],
  sndWnd: ['#1a7f37', '#4ac26b'],
  writableLength: ['#8250df', '#c297ff'],
  readableLength: ['#9a6700', '#d4a72c'],
};

function label(ix: KernelIndex) {
  return (source: string, isKey: boolean) => {
    if (!isKey) return source.replace('/', ' ');
    const o = ix.ownerOf(source);
    return o ? `${o.actor} ${o.sock}` : source.split('>')[0]!;
  };
}

function fmtBytes(v: number): string {
  return v >= 1 << 20 ? `${(v / (1 << 20)).toFixed(1)} MiB` : v >= 1024 ? `${(v / 1024).toFixed(0)} KiB` : `${v} B`;
}

/** Axis ticks in short units, or exact bytes where the short form would repeat a label. */
function byteTicks(ticks: number[]): string[] {
  const short = ticks.map(fmtBytes);
  return new Set(short).size === short.length ? short : ticks.map((v) => `${Math.round(v).toLocaleString('en-US')} B`);
}

export function KernelChart({ store, cursor, onSeek }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = useRef('');
  const built = useRef({ store: null as TraceStore | null, count: -1, nodeCount: -1, at: 0, costMs: 0 });
  const cursorRef = useRef(cursor);
  cursorRef.current = Number.isFinite(cursor) ? cursor : store?.endTime ?? 0;
  const seekRef = useRef(onSeek);
  seekRef.current = onSeek;
  const [empty, setEmpty] = useState(true);
  // A rebuild held back by the rate limit is done by a timer, so the last change is never left out.
  const [, setTick] = useState(0);
  const pendingTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => () => {
    plot.current?.destroy();
    plot.current = null;
    if (pendingTimer.current) clearTimeout(pendingTimer.current);
  }, []);

  // Keep the chart's width with its box.
  useEffect(() => {
    const el = host.current!;
    const ro = new ResizeObserver(() => plot.current?.setSize({ width: el.clientWidth, height: HEIGHT }));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    const el = host.current;
    if (!el || !store) return;
    const ix = kernelIndex(store);
    const b = built.current;
    let nodeCount = 0;
    for (const l of ix.nodestates.values()) nodeCount += l.length;
    const changed = b.store !== store || b.count !== ix.sampleCount || b.nodeCount !== nodeCount;
    const now = performance.now();
    // Rebuilding is O(run length): do it when something changed, and not more than 4 times a second.
    const every = Math.max(REBUILD_MS, REBUILD_FACTOR * b.costMs);
    if (changed && (b.store !== store || now - b.at >= every || store.footer)) {
      const data = chartData(ix, label(ix));
      built.current = { store, count: ix.sampleCount, nodeCount, at: now, costMs: performance.now() - now };
      setEmpty(data.series.length === 0);
      draw(el, data);
    } else {
      if (changed && !pendingTimer.current) {
        pendingTimer.current = setTimeout(() => { pendingTimer.current = null; setTick((n) => n + 1); }, Math.max(0, every - (now - b.at)));
      }
      // Pinned, the cursor line moves: redraw it. Following live, the line sits at the end and
      // moves with the next rebuild (≤ 4 Hz); redrawing axes and series in between costs frames.
      if (Number.isFinite(cursor)) plot.current?.redraw(false, false);
    }
  });

  function draw(el: HTMLDivElement, data: ChartData) {
    const key = data.series.map((s) => `${s.source}:${s.field}`).join('|');
    if (plot.current && key === shape.current) {
      plot.current.setData(data.columns as uPlot.AlignedData);
      return;
    }
    plot.current?.destroy();
    plot.current = null;
    shape.current = key;
    if (data.series.length === 0) return;
    const used: Partial<Record<ChartField, number>> = {};
    const opts: uPlot.Options = {
      width: el.clientWidth || 600,
      height: HEIGHT,
      // Queues and windows are counts from zero: a flat line at 64 KiB should not fill the chart.
      scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.08 : 1] } },
      // No drag-zoom: a click is a seek. (uPlot's default drag.click swallows every click on the plot.)
      cursor: { drag: { x: false, y: false, click: () => {} } },
      axes: [
        { label: t('chart.x'), values: (_u, ticks, _i, _space, incr) => ticks.map((v) => `${v.toFixed(Math.max(0, Math.min(3, Math.ceil(-Math.log10(incr)))))} s`) },
        { label: t('chart.y'), size: 80, values: (_u, ticks) => byteTicks(ticks) },
      ],
      series: [
        { label: t('chart.time'), value: (_u, v) => (v == null ? '—' : `${v.toFixed(3)} s`) },
        ...data.series.map((s) => {
          const i = used[s.field] ?? 0;
          used[s.field] = i + 1;
          const palette = COLORS[s.field];
          return {
            label: s.label,
            stroke: palette[i % palette.length]!,
            width: 2,
            ...(s.field === 'sndWnd' ? { dash: [6, 4] } : {}),
            paths: uPlot.paths.stepped!({ align: 1 }),
            value: (_u: uPlot, v: number | null) => (v == null ? '—' : `${v.toLocaleString('en-US')} B`),
          };
        }),
      ],
      hooks: {
        draw: [(u) => {
          const x = u.valToPos(cursorRef.current / 1000, 'x', true);
          if (!Number.isFinite(x)) return;
          const { top, height } = u.bbox;
          u.ctx.save();
          u.ctx.strokeStyle = '#16202a';
          u.ctx.lineWidth = 2 * devicePixelRatio;
          u.ctx.beginPath();
          u.ctx.moveTo(x, top);
          u.ctx.lineTo(x, top + height);
          u.ctx.stroke();
          u.ctx.restore();
        }],
      },
    };
    plot.current = new uPlot(opts, data.columns as uPlot.AlignedData, el);
  }

  // A click in the plotting area moves the cursor to that moment.
  function onClick(e: React.MouseEvent) {
    const u = plot.current;
    if (!u || !seekRef.current) return;
    const r = u.over.getBoundingClientRect();
    const x = e.clientX - r.left;
    if (x < 0 || x > r.width || e.clientY < r.top || e.clientY > r.bottom) return;
    const v = u.posToVal(x, 'x');
    if (Number.isFinite(v)) seekRef.current(Math.max(0, v * 1000));
  }

  const avail = store?.header?.capabilities?.kernel;
  return (
    <section className="kernel-chart">
      <h2>{t('chart.heading')}</h2>
      {avail !== undefined && !avail.startsWith('on') && <p className="kernel-off">{t('kernel.off', { reason: avail.replace(/^off:\s*/, '') })}</p>}
      {onSeek && !empty && <p className="chart-hint">{t('chart.hint')}</p>}
      <div ref={host} className="chart-host" onClick={onClick} />
      {empty && <p className="empty">{t('chart.empty')}</p>}
    </section>
  );
}
