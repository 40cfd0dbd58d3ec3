/**
 * write-deadline: who had which bytes. Bars for what the program handed to write(), what Node
 * still said it queued, what the kernel had taken (the writer's own TCP_INFO + SIOCOUTQ read at the
 * deadline) and what the peer has read so far, all from the trace up to the cursor.
 */
import { useMemo } from 'react';
import { textOf } from '../../shared/json/values.js';
import type { TraceEvent } from '../../shared/trace/schema.js';
import { t } from '../i18n/index.js';
import type { ExperimentPanelProps } from './experiment-panels.js';

interface Figures {
  wrote: number;
  got: number;
  deadline?: { t: number; handed: number; nodeQueue: number; kernelTook: number | null; action: string };
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function figures(events: readonly TraceEvent[], upTo: number): Figures {
  const f: Figures = { wrote: 0, got: 0 };
  for (let i = 0; i < upTo && i < events.length; i++) {
    const e = events[i]!;
    if (e.kind === 'write' && e.actor === 'writer') f.wrote += e.bytes;
    else if (e.kind === 'data' && e.actor === 'reader') f.got += e.bytes;
    else if (e.kind === 'custom' && e.actor === 'writer' && e.name === 'write-deadline') {
      const handed = num(e.data.handed);
      if (handed !== null) f.deadline = { t: e.t, handed, nodeQueue: num(e.data.nodeQueue) ?? 0, kernelTook: num(e.data.kernelTook), action: textOf(e.data.action ?? '') };
    }
  }
  return f;
}

function bytes(n: number): string {
  return n < 1048576 ? `${n.toLocaleString('en-US')} B` : `${(n / 1048576).toFixed(2)} MiB`;
}

export function DeadlinePanel({ store, cursor }: ExperimentPanelProps) {
  const upTo = store ? store.indexAt(cursor) : 0;
  const version = store?.version ?? 0;
  const f = useMemo(() => (store ? figures(store.events, upTo) : null), [store, upTo, version]);
  if (!f || f.wrote === 0) return <section className="deadline-panel"><h2>{t('deadline.heading')}</h2><p className="empty">{t('deadline.empty')}</p></section>;
  const d = f.deadline;
  const rows: { key: string; label: string; value: number | null; cls: string }[] = [
    { key: 'wrote', label: t('deadline.wrote'), value: f.wrote, cls: 'wrote' },
  ];
  if (d) {
    rows.push({ key: 'atDeadline', label: t('deadline.handedAt', { t: (d.t / 1000).toFixed(2) }), value: d.handed, cls: 'wrote' });
    rows.push({ key: 'node', label: t('deadline.nodeSays'), value: d.nodeQueue, cls: 'node' });
    rows.push({ key: 'kernel', label: t('deadline.kernelTook'), value: d.kernelTook, cls: 'kernel' });
  }
  rows.push({ key: 'got', label: t('deadline.got'), value: f.got, cls: 'got' });
  const max = Math.max(1, ...rows.map((r) => r.value ?? 0));
  const lost = d && d.action === 'destroy' && d.kernelTook !== null ? d.handed - d.kernelTook : null;
  return (
    <section className="deadline-panel">
      <h2>{t('deadline.heading')}</h2>
      <ul className="deadline-bars">
        {rows.map((r) => (
          <li key={r.key} data-row={r.key}>
            <span className="label">{r.label}</span>
            <span className="track"><span className={`bar ${r.cls}`} style={{ width: `${(100 * (r.value ?? 0)) / max}%` }} /></span>
            <span className="value">{r.value === null ? t('deadline.unknown') : bytes(r.value)}</span>
          </li>
        ))}
      </ul>
      {d && <p className="deadline-note">{lost !== null ? t('deadline.lost', { n: bytes(lost) }) : t('deadline.waited')}</p>}
    </section>
  );
}
