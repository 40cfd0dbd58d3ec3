import { useEffect, useMemo, useState } from 'react';
import { Catalog } from './components/Catalog.js';
import { Controls } from './components/Controls.js';
import { defaultsOf, type ParamValues } from './components/ParamsForm.js';
import { RunBar } from './components/RunBar.js';
import { RunSide, RunView } from './components/RunView.js';
import { ReplayPanel } from './components/ReplayPanel.js';
import { RunPanels, runPaneBadge } from './components/RunPanels.js';
import { t } from './i18n/index.js';
import { useLab } from './lib/useLab.js';
import { LabContext } from './lib/lab-context.js';
import { useCursor } from './lib/cursor.js';
import { Gate, useLiveTick } from './lib/live-rate.js';
import type { TraceSource } from './lib/trace-source.js';
import { minutesSeconds } from '../shared/trace/run-length.js';

/** What "+3 min" adds to a live run (the lab caps the total at its maxRunMs). */
const EXTEND_MS = 3 * 60_000;

/**
 * The live lab: catalog, parameters, Run/Stop, and the run view following the live trace (or
 * pinned to a moment of it: the cursor). `onOpenTrace` shows a trace file on the replay page.
 */
export function App({ onOpenTrace }: { onOpenTrace?: ((s: TraceSource) => void) | undefined } = {}) {
  const lab = useLab();
  const [selected, setSelected] = useState<string | null>(null);
  const [params, setParams] = useState<Record<string, ParamValues>>({});

  useEffect(() => {
    if (!selected && lab.catalog.length) setSelected(new URLSearchParams(location.search).get('experiment') ?? lab.catalog[0]!.id);
  }, [lab.catalog, selected]);

  const entry = lab.catalog.find((e) => e.id === selected) ?? null;
  const values = useMemo(() => (entry ? { ...defaultsOf(entry.paramsSchema), ...(params[entry.id] ?? {}) } : {}), [entry, params]);
  const run = entry ? lab.runs.get(entry.id) : undefined;
  const store = run?.store ?? null;
  const live = Boolean(run?.live);
  // The cursor follows the live trace (Infinity) until a click pins it to a moment.
  const timeline = useCursor(store, { live });
  const cursor = timeline.cursor;
  const onSeek = timeline.pin;
  // Its controls show the cursor's state too (playing, speed, live): a change there shows at once.
  const replayTick = useLiveTick(store, cursor, `${entry?.id}|${timeline.playing}|${timeline.speed}|${timeline.live}`);
  const pending = entry ? lab.pending.has(entry.id) : false;

  let status = t('run.none');
  if (store?.footer) status = t('run.ended', { outcome: store.footer.outcome, reason: store.footer.reason ? `: ${store.footer.reason}` : '', t: `${(store.footer.t / 1000).toFixed(1)} s` });
  else if (live && store) {
    // When the run ends comes from the trace (its header, or the latest run-length event).
    const endsAt = store.endsAtMs;
    const now = `${(store.endTime / 1000).toFixed(1)} s`;
    status = endsAt === undefined ? t('run.live', { t: now }) : t('run.live.until', { t: now, end: minutesSeconds(endsAt) });
  }
  else if (pending) status = t('run.starting');

  return (
    <div className="app">
      <header className="topbar">
        <h1>{t('app.title')}</h1>
        <span className="tagline">{t('app.tagline')}</span>
        <span className={`conn ${lab.state.status}`}>
          {lab.state.status === 'closed' ? t('conn.closed', { reason: lab.state.reason }) : lab.state.status === 'open' ? t('conn.open') : t('conn.connecting')}
        </span>
      </header>
      {lab.errors.map((e, i) => (
        <div className="error-banner" role="alert" key={i}>{t('error.prefix', { message: e })} <button onClick={() => lab.dismissError(i)}>×</button></div>
      ))}
      <Catalog entries={lab.catalog} selected={selected} onSelect={setSelected} />
      {entry && (
        <main className="experiment">
          <div className="exp-head">
            <h2>{entry.title}</h2>
            <p>{entry.summary}</p>
          </div>
          <RunBar entry={entry} values={values} onChange={(v) => setParams({ ...params, [entry.id]: v })} live={live && Boolean(run)} pending={pending}
            canRun={lab.state.status === 'open'} status={status} onRun={() => lab.start(entry.id, values)}
            onStop={() => run && lab.send({ type: 'stop', runId: run.runId })}
            controls={live && run ? (
              <>
                <button className="extend" title={t('run.extend.title', { max: minutesSeconds(lab.limits?.maxRunMs ?? 0) })}
                  disabled={lab.limits !== null && store?.endsAtMs !== undefined && store.endsAtMs >= lab.limits.maxRunMs}
                  onClick={() => lab.send({ type: 'extend', runId: run.runId, byMs: EXTEND_MS })}>{t('run.extend')}</button>
                <Controls entry={entry} onControl={(role, command, args) => lab.send({ type: 'control', runId: run.runId, role, command, args })} />
              </>
            ) : undefined} />
          {/* The timeline bins and bookmarks are O(run) per trace version: ≤ 10 Hz while following live. */}
          <Gate tick={replayTick} render={() => <ReplayPanel ctl={timeline} store={store} entry={entry} onOpen={onOpenTrace} />} />
          <LabContext.Provider value={{ lab, params: values }}>
            <RunView entry={entry} store={store} cursor={cursor} onSeek={onSeek}
              panels={<RunPanels entry={entry} store={store} cursor={cursor} onSeek={onSeek} />}
              paneBadge={runPaneBadge(store, cursor)}
              live={live && run ? { onLine: (role, text) => lab.send({ type: 'stdin', runId: run.runId, role, text }) } : undefined} />
          </LabContext.Provider>
        </main>
      )}
      {entry && <RunSide entry={entry} store={store} cursor={cursor} />}
    </div>
  );
}
