/**
 * Chooses how the page runs: the live lab when a lab server is behind it, otherwise (a static
 * server, file://, an exported page, `?replay`, `?trace=`) the replay page, which needs no
 * server and never tries to connect to one. Opening a trace from the live lab shows the replay
 * page while the lab stays connected behind it (its runs keep going); "Back to the lab" returns.
 * A trace file dropped anywhere on the page opens it.
 */
import { useEffect, useState } from 'react';
import { App } from './App.js';
import { ReplayApp } from './ReplayApp.js';
import { t } from './i18n/index.js';
import { probeLab, readBoot } from './lib/boot.js';
import type { TraceSource } from './lib/trace-source.js';

export function Root() {
  const boot = readBoot();
  const canProbe = !boot.singleFile && location.protocol !== 'file:';
  const [lab, setLab] = useState<'probing' | 'yes' | 'no'>(canProbe ? 'probing' : 'no');
  const [view, setView] = useState<'live' | 'replay'>(boot.replayOnly ? 'replay' : 'live');
  const [source, setSource] = useState<TraceSource | null>(boot.source);
  const [wasLive, setWasLive] = useState(false);
  const [dragging, setDragging] = useState(false);

  useEffect(() => {
    if (!canProbe) return;
    let alive = true;
    void probeLab().then((ok) => { if (alive) setLab(ok ? 'yes' : 'no'); });
    return () => { alive = false; };
  }, []);

  const showLive = lab === 'yes' && view === 'live';
  useEffect(() => { if (showLive) setWasLive(true); }, [showLive]);
  const open = (s: TraceSource) => { setSource(s); setView('replay'); };

  // Drag and drop a trace anywhere.
  useEffect(() => {
    let depth = 0;
    const hasFiles = (e: DragEvent) => Boolean(e.dataTransfer?.types.includes('Files'));
    const enter = (e: DragEvent) => { if (hasFiles(e)) { depth++; setDragging(true); e.preventDefault(); } };
    const over = (e: DragEvent) => { if (hasFiles(e)) { e.preventDefault(); if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy'; } };
    const leave = () => { depth = Math.max(0, depth - 1); if (depth === 0) setDragging(false); };
    const drop = (e: DragEvent) => {
      depth = 0;
      setDragging(false);
      const f = e.dataTransfer?.files?.[0];
      if (!f) return;
      e.preventDefault();
      open({ kind: 'file', file: f, name: f.name });
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, []);

  const replay = view === 'replay' || lab === 'no';
  return (
    <>
      {lab === 'probing' && !boot.replayOnly && <p className="booting" role="status">{t('boot.starting')}</p>}
      {lab === 'yes' && (showLive || wasLive) && <div hidden={!showLive}><App onOpenTrace={open} /></div>}
      {replay && (lab !== 'probing' || boot.replayOnly) && (
        <ReplayApp source={source} onOpen={open} onBack={lab === 'yes' ? () => setView('live') : undefined} labAvailable={lab === 'yes'}
          initialT={boot.initialT} present={boot.present} problem={boot.problem} />
      )}
      {dragging && <div className="drop-overlay" aria-hidden="true"><p>{t('replay.dropHere')}</p></div>}
    </>
  );
}
