/**
 * The backlog experiment's gauge: the listener's accept queue (ss Recv-Q) against its limit
 * (ss Send-Q = min(backlog, somaxconn)), and the clients by their kernel state — established,
 * or still in SYN_SENT with their SYN retransmissions — as of the cursor, from kernel samples.
 */
import { useMemo } from 'react';
import { textOf } from '../../shared/json/values.js';
import type { TraceEvent } from '../../shared/trace/schema.js';
import { t } from '../i18n/index.js';
import type { ExperimentPanelProps } from './experiment-panels.js';
import './more-tcp.css';

type Sample = Extract<TraceEvent, { kind: 'sample' }>;

export function BacklogPanel({ store, cursor }: ExperimentPanelProps) {
  const upTo = store ? store.indexAt(cursor) : 0;
  const version = store?.version ?? 0;
  const view = useMemo(() => {
    const events = store?.events ?? [];
    const latest = new Map<string, Sample>();
    let port: number | undefined;
    let somaxconn: unknown;
    for (let i = 0; i < upTo && i < events.length; i++) {
      const e = events[i]!;
      if (e.kind === 'listen' && e.actor === 'server' && port === undefined) port = e.local.port;
      if (e.kind === 'custom' && e.name === 'somaxconn') somaxconn = e.data.somaxconn;
      if (e.kind === 'sample') latest.set(e.key, e);
    }
    const now = [...latest.values()].filter((s) => s.state !== 'GONE');
    const listener = now.find((s) => s.state === 'LISTEN' && s.local.port === port);
    const clients = now.filter((s) => s.remote.port === port);
    return {
      listener, somaxconn,
      established: clients.filter((s) => s.state === 'ESTABLISHED').length,
      synSent: clients.filter((s) => s.state === 'SYN_SENT'),
    };
  }, [store, upTo, version]);
  const q = view.listener?.acceptQ ?? 0;
  const max = view.listener?.acceptMax;
  // One slot per connection the queue can hold (limit + 1); a large limit is only written out.
  const cells = max !== undefined && max + 1 <= 24 ? Math.max(q, max + 1) : 0;
  return (
    <section className="backlog-panel">
      <h2>{t('backlog.heading')}</h2>
      {!view.listener ? <p className="empty">{t('backlog.empty')}</p> : (
        <>
          {cells > 0 && <div className="backlog-queue" aria-label={t('backlog.queue', { q, max: max ?? '?' })}>
            {Array.from({ length: cells }, (_, i) => (
              <span key={i} className={`backlog-slot${i < q ? ' full' : ''}${max !== undefined && i >= max ? ' extra' : ''}`} />
            ))}
          </div>}
          {cells > 0 && <p className="backlog-legend">{t('backlog.legend')}</p>}
          <p>{t('backlog.queue', { q, max: max ?? '?' })} · {t('backlog.somaxconn', { n: textOf(view.somaxconn ?? '?') })}</p>
          <p>{t('backlog.clients', { est: view.established, syn: view.synSent.length, retrans: Math.max(0, ...view.synSent.map((s) => s.retransmits ?? 0)) })}</p>
        </>
      )}
    </section>
  );
}
