/**
 * The keepalive experiment at a glance: whether the vanishing peer could run (the namespace
 * fixture's status from the trace header: on, or why not — not root, no ip netns), and the
 * client connection's kernel state: its timer (keepalive, counting down), unanswered probes.
 */
import { useMemo } from 'react';
import { textOf } from '../../shared/json/values.js';
import type { TraceEvent } from '../../shared/trace/schema.js';
import { t } from '../i18n/index.js';
import type { ExperimentPanelProps } from './experiment-panels.js';
import './more-tcp.css';

type Sample = Extract<TraceEvent, { kind: 'sample' }>;

export function KeepalivePanel({ store, cursor }: ExperimentPanelProps) {
  const upTo = store ? store.indexAt(cursor) : 0;
  const version = store?.version ?? 0;
  const view = useMemo(() => {
    const events = store?.events ?? [];
    let local: number | undefined;
    let last: Sample | undefined;
    let restarts = 0;
    let dead: string | undefined;
    for (let i = 0; i < upTo && i < events.length; i++) {
      const e = events[i]!;
      if (e.kind === 'connect' && e.actor === 'client') local = e.local.port;
      if (e.kind === 'sample' && local !== undefined && e.local.port === local) {
        if (e.timer?.name === 'keepalive') restarts++;
        last = e;
      }
      if (e.kind === 'custom' && e.name === 'dead' && e.actor === 'client') dead = textOf(e.data.code);
    }
    return { last, restarts, dead };
  }, [store, upTo, version]);
  const netns = store?.header?.capabilities?.netns;
  const peer = store?.header?.params?.peer;
  return (
    <section className="keepalive-panel">
      <h2>{t('keepalive.heading')}</h2>
      {peer === 'vanishing' && netns && <p className={netns.startsWith('on') ? '' : 'warn'}>{t('keepalive.netns', { status: netns })}</p>}
      {!view.last ? <p className="empty">{t('keepalive.empty')}</p> : (
        <p>
          {t('keepalive.state', { state: view.last.state })}
          {view.last.timer ? ` · ${t('keepalive.timer', { name: view.last.timer.name, ms: view.last.timer.expiresMs })}` : ''}
          {` · ${t('keepalive.probes', { n: view.last.probes ?? 0 })}`}
          {` · ${t('keepalive.rearmed', { n: view.restarts })}`}
          {view.dead ? ` · ${t('keepalive.dead', { code: view.dead })}` : ''}
        </p>
      )}
    </section>
  );
}
