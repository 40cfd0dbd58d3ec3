/**
 * Everything about the cursor and the trace as a file, shared by the live lab and the replay
 * page: the cursor bar, the timeline, bookmarks, Save trace / Export HTML / pictures, Open
 * trace, presenter mode and the keyboard (space, arrows, o, l, b, f, p, v, 1–9).
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { CatalogEntry } from '../../shared/protocol/catalog.js';
import type { TraceStore } from '../../shared/trace/store.js';
import { bookmarksOf } from '../../shared/trace/navigate.js';
import { t } from '../i18n/index.js';
import type { CursorCtl } from '../lib/cursor.js';
import { downloadBlob, fileStem, traceBlob } from '../lib/download.js';
import { exportHtml } from '../lib/export-html.js';
import { canvasToPng, standaloneSvg, svgToPng } from '../lib/export-image.js';
import type { TraceSource } from '../lib/trace-source.js';
import { Bookmarks } from './Bookmarks.js';
import { CursorBar } from './CursorBar.js';
import { Timeline } from './Timeline.js';
import '../replay.css';

/** Presenter mode's views, each one element of the page (replay.css shows it alone, large). */
export const PRESENT_VIEWS = ['panes', 'pipeline', 'chart', 'events', 'ladder', 'notes'] as const;
export type PresentView = (typeof PRESENT_VIEWS)[number];
const VIEW_SELECTOR: Record<PresentView, string> = {
  panes: '.panes', pipeline: '.pipelines', chart: '.kernel-chart', events: '.events', ladder: '.ladder', notes: '.side',
};

interface Props {
  ctl: CursorCtl;
  store: TraceStore | null;
  entry: CatalogEntry;
  /** Offer "Open trace…" (a file picked here goes to the replay page). */
  onOpen?: ((s: TraceSource) => void) | undefined;
  /** Open in presenter mode on this view. */
  initialPresent?: string | null | undefined;
}

export function ReplayPanel({ ctl, store, entry, onOpen, initialPresent }: Props) {
  const version = store?.version ?? 0;
  const bookmarks = useMemo(() => (store ? bookmarksOf(store.events) : []), [store, version]);
  const lanes = useMemo(() => [...entry.roles].reverse().map((r) => r.name), [entry]);
  const timelineRef = useRef<SVGSVGElement>(null);
  const panel = useRef<HTMLElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const [notice, setNotice] = useState<{ level: 'ok' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [present, setPresent] = useState<PresentView | null>(() => (PRESENT_VIEWS as readonly string[]).includes(initialPresent ?? '') ? initialPresent as PresentView : initialPresent ? 'panes' : null);
  const [addingBookmark, setAddingBookmark] = useState(0);

  const views = presentViews();
  // Presenter mode is a page-wide style: the page shows one view, large and high-contrast.
  useEffect(() => {
    if (present) document.body.dataset.present = present;
    else delete document.body.dataset.present;
    return () => { delete document.body.dataset.present; };
  }, [present]);

  // Mark the focused view and the elements on the way to it (replay.css shows only those). After
  // every render, since panels come and go; only changed marks are touched.
  useEffect(() => {
    const want = new Map<Element, 'focus' | 'path'>();
    const focus = present ? document.querySelector(VIEW_SELECTOR[present]) : null;
    if (focus) {
      want.set(focus, 'focus');
      for (let p = focus.parentElement; p && !p.classList.contains('experiment') && p !== document.body; p = p.parentElement) want.set(p, 'path');
    }
    for (const el of document.querySelectorAll('[data-present-focus], [data-present-path]')) {
      const w = want.get(el);
      if (w !== 'focus') el.removeAttribute('data-present-focus');
      if (w !== 'path') el.removeAttribute('data-present-path');
    }
    for (const [el, w] of want) {
      const attr = w === 'focus' ? 'data-present-focus' : 'data-present-path';
      if (!el.hasAttribute(attr)) el.setAttribute(attr, '');
    }
  });

  const say = (level: 'ok' | 'error', text: string) => setNotice({ level, text });
  const run = async (what: () => Promise<void> | void) => {
    setBusy(true);
    try { await what(); } catch (err) { say('error', (err as Error).message); } finally { setBusy(false); }
  };

  const saveTrace = () => run(() => {
    if (!store) return;
    downloadBlob(traceBlob(store), `${fileStem(store)}.jsonl`);
    say('ok', t('tools.saved', { n: store.events.length }));
  });
  const saveHtml = () => run(async () => {
    if (!store) return;
    downloadBlob(await exportHtml(store, `${fileStem(store)}.jsonl`), `${fileStem(store)}.html`);
    say('ok', t('tools.htmlSaved'));
  });
  const exportSvg = (which: 'timeline' | 'ladder', format: 'svg' | 'png') => run(async () => {
    const svg = which === 'timeline' ? timelineRef.current : document.querySelector<SVGSVGElement>('.ladder svg');
    if (!svg) throw new Error(t('tools.nothingToExport', { what: t(which === 'timeline' ? 'timeline.heading' : 'ladder.heading') }));
    const bg = getComputedStyle(document.body).getPropertyValue('--panel').trim() || '#ffffff';
    const out = standaloneSvg(svg, bg);
    const name = `${fileStem(store)}-${which}-${Math.round(ctl.at)}ms.${format}`;
    downloadBlob(format === 'svg' ? new Blob([out.text], { type: 'image/svg+xml' }) : await svgToPng(out.text, out.width, out.height), name);
    say('ok', t('tools.exported', { name }));
  });
  const exportCharts = () => run(async () => {
    const canvases = [...document.querySelectorAll<HTMLCanvasElement>('.experiment canvas')].filter((c) => !c.closest('.xterm') && c.width > 0);
    if (canvases.length === 0) throw new Error(t('tools.noCharts'));
    const bg = getComputedStyle(document.body).getPropertyValue('--panel').trim() || '#ffffff';
    for (let i = 0; i < canvases.length; i++) downloadBlob(await canvasToPng(canvases[i]!, bg), `${fileStem(store)}-chart${i + 1}-${Math.round(ctl.at)}ms.png`);
    say('ok', t('tools.chartsExported', { n: canvases.length }));
  });

  const toggleFullscreen = () => {
    if (document.fullscreenElement) void document.exitFullscreen();
    else void document.documentElement.requestFullscreen?.().catch(() => say('error', t('present.noFullscreen')));
  };

  // The keyboard, everywhere except while typing (a pane, a field).
  const keys = useRef<(e: KeyboardEvent) => void>(() => {});
  keys.current = (e: KeyboardEvent) => {
    if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
    // The live lab stays mounted (hidden) behind the replay page: only the visible panel answers.
    if (!panel.current || panel.current.offsetParent === null) return;
    const k = e.key;
    const handled = () => { e.preventDefault(); if (e.target instanceof HTMLButtonElement) e.target.blur(); };
    if (k === ' ') { handled(); ctl.toggle(); }
    else if (k === 'ArrowRight') { handled(); ctl.step(1); }
    else if (k === 'ArrowLeft') { handled(); ctl.step(-1); }
    else if (k >= '1' && k <= '9') { handled(); ctl.bookmark(Number(k)); }
    else if (k === 'o') { handled(); ctl.nextObservation(); }
    else if (k === 'l' && ctl.live) { handled(); ctl.follow(); }
    else if (k === 'b') { handled(); setAddingBookmark((n) => n + 1); }
    else if (k === 'f') { handled(); toggleFullscreen(); }
    else if (k === 'p') { handled(); setPresent((p) => (p ? null : 'panes')); }
    else if (k === 'v' && present) { handled(); setPresent((p) => next(views, p, e.shiftKey ? -1 : 1)); }
    else if (k === 'Escape' && present && !document.fullscreenElement) { handled(); setPresent(null); }
  };
  useEffect(() => {
    const h = (e: KeyboardEvent) => keys.current(e);
    window.addEventListener('keydown', h);
    return () => window.removeEventListener('keydown', h);
  }, []);

  return (
    <section ref={panel} className="replay-panel" aria-label={t('cursor.toolbar')}>
      {present && (
        <div className="presenter-bar">
          <span className="present-title">{entry.title}</span>
          <span className="present-views" role="tablist" aria-label={t('present.views')}>
            {views.map((v) => (
              <button key={v} role="tab" aria-selected={present === v} className={present === v ? 'on' : ''} onClick={() => setPresent(v)}>{t(`present.view.${v}`)}</button>
            ))}
          </span>
          <button onClick={toggleFullscreen}>{t('present.fullscreen')}</button>
          <button className="present-exit" onClick={() => setPresent(null)}>{t('present.exit')}</button>
          <p className="present-keys">{t('present.keys')}</p>
        </div>
      )}
      <CursorBar ctl={ctl} />
      <Timeline ref={timelineRef} store={store} lanes={lanes} at={ctl.at} end={ctl.end} bookmarks={bookmarks} onSeek={ctl.pin} />
      <Bookmarks key={addingBookmark} store={store} bookmarks={bookmarks} at={ctl.at} onJump={ctl.pin} onChange={ctl.touch} startOpen={addingBookmark > 0} />
      <div className="trace-tools">
        <button className="save-trace" disabled={!store || busy} onClick={saveTrace}>{t('tools.saveTrace')}</button>
        <button className="export-html" disabled={!store || busy} onClick={saveHtml}>{t('tools.exportHtml')}</button>
        <details className="export-images">
          <summary>{t('tools.exportImages')}</summary>
          <div>
            <button data-export="timeline-svg" onClick={() => exportSvg('timeline', 'svg')}>{t('tools.timelineSvg')}</button>
            <button data-export="timeline-png" onClick={() => exportSvg('timeline', 'png')}>{t('tools.timelinePng')}</button>
            <button data-export="ladder-svg" onClick={() => exportSvg('ladder', 'svg')}>{t('tools.ladderSvg')}</button>
            <button data-export="ladder-png" onClick={() => exportSvg('ladder', 'png')}>{t('tools.ladderPng')}</button>
            <button data-export="charts-png" onClick={exportCharts}>{t('tools.chartsPng')}</button>
          </div>
        </details>
        {onOpen && (
          <>
            <button className="open-trace" onClick={() => fileInput.current?.click()}>{t('tools.openTrace')}</button>
            <input ref={fileInput} type="file" accept=".jsonl,.ndjson,.json,.txt,application/x-ndjson" hidden
              onChange={(e) => { const f = e.target.files?.[0]; if (f) onOpen({ kind: 'file', file: f, name: f.name }); e.target.value = ''; }} />
          </>
        )}
        {!present && <button className="present" onClick={() => setPresent('panes')} aria-keyshortcuts="p">{t('present.enter')}</button>}
        {notice && <span className={`tool-notice ${notice.level}`} role={notice.level === 'error' ? 'alert' : 'status'}>{notice.text}</span>}
      </div>
    </section>
  );
}

/** The views presenter mode can focus on: those on the page now (a run without kernel data has no chart). */
function presentViews(): PresentView[] {
  if (typeof document === 'undefined') return ['panes'];
  return PRESENT_VIEWS.filter((v) => v === 'panes' || v === 'notes' || document.querySelector(VIEW_SELECTOR[v]));
}

function next(views: PresentView[], cur: PresentView | null, dir: 1 | -1): PresentView {
  const i = cur ? views.indexOf(cur) : -1;
  return views[(i + dir + views.length) % views.length]!;
}

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.closest('.xterm')) return true;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return !['range', 'button', 'checkbox', 'radio', 'file'].includes(target.type);
  return false;
}
