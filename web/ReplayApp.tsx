/**
 * The replay page: a trace (a file, a URL, or embedded in an exported page) shown through the
 * same run view as the live lab, with the cursor, bookmarks, exports and presenter mode. Needs
 * no lab server. Whatever the reader could read is shown, with what was wrong beside it.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { CatalogEntry } from '../shared/protocol/catalog.js';
import { ReplayPanel } from './components/ReplayPanel.js';
import { RunPanels, runPaneBadge } from './components/RunPanels.js';
import { RunSide, RunView } from './components/RunView.js';
import { TraceIssues } from './components/TraceIssues.js';
import { t } from './i18n/index.js';
import { useCursor } from './lib/cursor.js';
import { replayEntry } from './lib/replay-entry.js';
import { startLoad, type LoadHandle } from './lib/trace-loader.js';
import type { TraceSource } from './lib/trace-source.js';

/** While a big trace streams in, redraw at most this often (the first lines are drawn at once). */
const LOADING_REDRAW_MS = 250;

interface Props {
  source: TraceSource | null;
  onOpen(s: TraceSource): void;
  /** Back to the live lab, when there is one behind this page. */
  onBack?: (() => void) | undefined;
  labAvailable: boolean;
  initialT?: number | undefined;
  present?: string | null | undefined;
  /** A problem found before loading (a bad ?trace=, an unreadable embedded trace). */
  problem?: string | null | undefined;
}

export function ReplayApp({ source, onOpen, onBack, labAvailable, initialT, present, problem }: Props) {
  const [handle, setHandle] = useState<LoadHandle | null>(null);
  const [, setTick] = useState(0);
  const [labCatalog, setLabCatalog] = useState<CatalogEntry[] | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (!source) return;
    let lastDraw = 0;
    let timer = 0;
    const h = startLoad(source, () => {
      const l = h.load;
      const now = performance.now();
      const urgent = l.phase !== 'loading' || l.timing.firstLines === undefined || lastDraw === 0;
      if (urgent || now - lastDraw >= LOADING_REDRAW_MS) {
        lastDraw = now;
        clearTimeout(timer);
        setTick((x) => x + 1);
      } else if (!timer) {
        timer = window.setTimeout(() => { timer = 0; lastDraw = performance.now(); setTick((x) => x + 1); }, LOADING_REDRAW_MS);
      }
    });
    setHandle(h);
    return () => { clearTimeout(timer); h.cancel(); };
  }, [source]);

  const load = handle?.load ?? null;
  const store = load && (load.store.header || load.store.events.length) ? load.store : null;
  const ctl = useCursor(store, { live: false, initial: initialT });
  const needLabCatalog = Boolean(labAvailable && store?.header && !store.header.catalog);
  useEffect(() => {
    if (!needLabCatalog) return;
    fetch(new URL('api/catalog', location.href)).then((r) => (r.ok ? r.json() : null)).then((c) => setLabCatalog(Array.isArray(c) ? c : null), () => {});
  }, [needLabCatalog]);
  const version = store?.version ?? 0;
  // While a long trace streams in, the views stay at the moment first shown (drawing the growing
  // end again and again would slow the loading down); once it is read, or as soon as the user
  // moves the cursor, they follow the cursor.
  const firstShown = useRef<{ handle: LoadHandle | null; t: number }>({ handle: null, t: 0 });
  if (store && firstShown.current.handle !== handle) firstShown.current = { handle, t: store.endTime };
  const viewCursor = load?.phase === 'loading' && ctl.following ? firstShown.current.t : ctl.cursor;
  const shownCtl = viewCursor === ctl.cursor ? ctl : { ...ctl, cursor: viewCursor, at: viewCursor };
  const { entry, origin } = useMemo(() => replayEntry(store, labCatalog), [store, store?.header, labCatalog, store?.header?.catalog ? 0 : version]);

  // Marks for the benchmark and for anyone profiling: first lines drawn, whole trace drawn.
  const marked = useRef<{ first?: LoadHandle; done?: LoadHandle }>({});
  useEffect(() => {
    if (!handle || !store) return;
    if (marked.current.first !== handle) { marked.current.first = handle; performance.mark('socket-lab:first-render'); }
    if (load?.phase === 'done' && marked.current.done !== handle) { marked.current.done = handle; performance.mark('socket-lab:loaded'); }
  });

  const state = !source ? 'empty' : !load || load.phase === 'loading' ? 'loading' : load.failure || load.fatal ? 'failed' : 'ready';
  const h = store?.header;
  const pct = load?.progress.total ? Math.round((100 * load.progress.done) / load.progress.total) : null;
  return (
    <div className="app replay-app" data-trace-state={state} data-reader={load ? (load.mainThread ? 'main-thread' : 'worker') : undefined}>
      <header className="topbar">
        <h1>{t('app.title')}</h1>
        <span className="mode-badge">{t('replay.badge')}</span>
        <span className="tagline">{load ? load.name : t('replay.tagline')}</span>
        <span className="topbar-actions">
          <button className="open-trace" onClick={() => fileInput.current?.click()}>{t('tools.openTrace')}</button>
          <input ref={fileInput} type="file" accept=".jsonl,.ndjson,.json,.txt,application/x-ndjson" hidden data-testid="trace-file"
            onChange={(e) => { const f = e.target.files?.[0]; if (f) onOpen({ kind: 'file', file: f, name: f.name }); e.target.value = ''; }} />
          {onBack && <button className="back-to-lab" onClick={onBack}>{t('replay.back')}</button>}
        </span>
      </header>
      <aside className="catalog replay-info">
        <h2>{t('replay.traceHeading')}</h2>
        {h ? (
          <dl>
            <dt>{t('replay.experiment')}</dt><dd>{h.title ?? h.experiment}</dd>
            <dt>{t('replay.started')}</dt><dd>{h.startedAt}</dd>
            <dt>{t('replay.platform')}</dt><dd>{`${h.platform.os} ${h.platform.kernel}, Node ${h.platform.node}`}</dd>
            <dt>{t('replay.params')}</dt><dd><code>{Object.entries(h.params).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')}</code></dd>
            {Object.entries(h.capabilities).map(([k, v]) => <span key={k} className="cap"><dt>{k}</dt><dd>{v}</dd></span>)}
            <dt>{t('replay.outcome')}</dt><dd>{store?.footer ? `${store.footer.outcome}${store.footer.reason ? ` (${store.footer.reason})` : ''}` : t('replay.noFooter')}</dd>
            <dt>{t('replay.events')}</dt><dd>{store?.events.length ?? 0}</dd>
          </dl>
        ) : <p className="empty">{t(load ? 'replay.noHeader' : 'replay.nothingYet')}</p>}
        {origin === 'lab' && <p className="hint">{t('replay.entryFromLab')}</p>}
        <p className="hint">{t('replay.dropHint')}</p>
      </aside>
      <main className="experiment">
        {problem && <div className="trace-issues error" role="alert"><ul><li className="error">{problem}</li></ul></div>}
        {!source && (
          <section className="welcome">
            <h2>{t('replay.welcomeHeading')}</h2>
            <p>{t('replay.welcome')}</p>
            <button className="open-trace big" onClick={() => fileInput.current?.click()}>{t('tools.openTrace')}</button>
          </section>
        )}
        {load && <TraceIssues issues={load.fatal ? [load.fatal, ...load.issues.filter((i) => i !== load.fatal)] : load.issues} failure={load.failure} name={load.name} />}
        {load?.phase === 'loading' && (
          <div className="load-progress" role="status">
            {t('replay.loading', { name: load.name, pct: pct === null ? '' : `${pct}%`, events: store?.events.length ?? 0 })}
            {pct !== null && <progress max={100} value={pct} />}
          </div>
        )}
        {store && (
          <>
            <div className="exp-head">
              <h2>{entry.title}</h2>
              <p>{entry.summary}</p>
            </div>
            <ReplayPanel ctl={shownCtl} store={store} entry={entry} onOpen={onOpen} initialPresent={present} />
            <RunView entry={entry} store={store} cursor={viewCursor} onSeek={ctl.pin}
              panels={<RunPanels entry={origin === 'derived' ? null : entry} store={store} cursor={viewCursor} onSeek={ctl.pin} />} paneBadge={runPaneBadge(store, viewCursor)} />
          </>
        )}
      </main>
      {store && <RunSide entry={entry} store={store} cursor={viewCursor} />}
    </div>
  );
}
