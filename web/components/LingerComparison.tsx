/**
 * The linger experiment's panel: the measured outcome of this run and, live, of one run per
 * setting launched together (SO_LINGER default / 0 / n, destroy() / end()), side by side. Every
 * cell comes from that run's trace (shared/trace/linger-outcome.ts); "—" means not known (yet).
 * Clicking a column shows that run's ladder below the table.
 */
import { useContext, useEffect, useMemo, useRef, useState } from 'react';
import type { TraceStore } from '../../shared/trace/store.js';
import { TraceQuery } from '../../shared/trace/query.js';
import { textOf } from '../../shared/json/values.js';
import { lingerOutcome, sawReset, type LingerOutcome } from '../../shared/trace/linger-outcome.js';
import { LabContext } from '../lib/lab-context.js';
import type { ExperimentPanelProps } from './experiment-panels.js';
import { Ladder } from './Ladder.js';
import { t } from '../i18n/index.js';
import type { MessageKey } from '../i18n/en.js';

interface Setting { id: string; linger: 'default' | 'zero' | 'seconds'; close: 'destroy' | 'end' }

/** The settings the comparison runs, in column order. */
export const LINGER_SETTINGS: readonly Setting[] = [
  { id: 'default-destroy', linger: 'default', close: 'destroy' },
  { id: 'zero-destroy', linger: 'zero', close: 'destroy' },
  { id: 'seconds-destroy', linger: 'seconds', close: 'destroy' },
  { id: 'default-end', linger: 'default', close: 'end' },
  { id: 'zero-end', linger: 'zero', close: 'end' },
];

const slotOf = (s: Setting) => `linger#${s.id}`;

interface Column { key: string; title: string; store: TraceStore; live: boolean; upTo: number }

function settingTitle(linger: unknown, close: unknown, seconds: unknown): string {
  const l = linger === 'zero' ? t('linger.setting.zero') : linger === 'seconds' ? t('linger.setting.seconds', { n: textOf(seconds ?? 'n') }) : t('linger.setting.default');
  return `${l} · ${close === 'end' ? 'end()' : 'destroy()'}`;
}

const bytes = (n: number | null | undefined) => (n === null || n === undefined ? '—' : `${n.toLocaleString('en-US').replace(/,/g, '\u2009')} B`);
const ms = (n: number | null | undefined) => (n === null || n === undefined ? '—' : n >= 100 ? `${n.toFixed(0)} ms` : `${n.toFixed(1)} ms`);

export function LingerPanel({ store, cursor }: ExperimentPanelProps) {
  const ctx = useContext(LabContext);
  const [shown, setShown] = useState<string | null>(null);
  const queue = useRef<Setting[]>([]);
  const lab = ctx?.lab;

  // Start queued settings while the connection allows more concurrent runs (at most
  // limits.maxConcurrentRuns per connection); the rest start as earlier ones end.
  const pump = () => {
    if (!ctx) return;
    const limit = ctx.lab.limits?.maxConcurrentRuns ?? 4;
    let busy = ctx.lab.pending.size + [...ctx.lab.runs.values()].filter((r) => r.live).length;
    while (queue.current.length && busy < limit) {
      const s = queue.current.shift()!;
      ctx.lab.start('linger', { ...ctx.params, linger: s.linger, close: s.close }, slotOf(s));
      busy++;
    }
  };
  // The lab re-renders on every trace batch, so a queued setting starts as soon as a run ends.
  useEffect(pump);

  const columns: Column[] = [];
  if (store?.header) {
    const p = store.header.params;
    columns.push({ key: 'this', title: `${t('linger.thisRun')}: ${settingTitle(p.linger, p.close, p.lingerSeconds)}`, store, live: !store.footer, upTo: store.indexAt(cursor) });
  }
  if (lab) {
    for (const s of LINGER_SETTINGS) {
      const h = lab.runs.get(slotOf(s));
      if (h) columns.push({ key: s.id, title: settingTitle(s.linger, s.close, h.store.header?.params.lingerSeconds), store: h.store, live: h.live, upTo: h.store.events.length });
    }
  }
  const comparing = columns.some((c) => c.key !== 'this');
  const launching = Boolean(lab && (queue.current.length > 0 || LINGER_SETTINGS.some((s) => lab.pending.has(slotOf(s)))));
  const anyLive = columns.some((c) => c.key !== 'this' && c.live);

  const launch = () => {
    queue.current = [...LINGER_SETTINGS];
    setShown(null);
    pump();
  };

  const shownColumn = columns.find((c) => c.key === shown);
  return (
    <section className="linger-compare" aria-label={t('linger.heading')}>
      <div className="linger-head">
        <h2>{t('linger.heading')}</h2>
        {lab && (
          <button className="compare-run" onClick={launch} disabled={launching || anyLive || lab.state.status !== 'open'} data-testid="linger-compare">
            {launching || anyLive ? t('linger.running') : t('linger.compareAll', { n: LINGER_SETTINGS.length })}
          </button>
        )}
        <span className="linger-note">{lab ? t('linger.note') : t('linger.replayNote')}</span>
      </div>
      {columns.length === 0 ? <p className="empty">{t('linger.empty')}</p> : (
        <div className="linger-table-wrap">
          <table className="linger-table">
            <thead>
              <tr>
                <th />
                {columns.map((c) => (
                  <th key={c.key} className={shown === c.key ? 'picked' : ''}>
                    <button onClick={() => setShown(shown === c.key ? null : c.key)} title={t('linger.showLadder')}>{c.title}</button>
                    <div className="linger-status">{c.live ? t('linger.live') : c.store.footer ? t('linger.ended', { outcome: c.store.footer.outcome }) : ''}</div>
                  </th>
                ))}
              </tr>
            </thead>
            <OutcomeRows columns={columns} />
          </table>
        </div>
      )}
      {!comparing && lab && <p className="linger-hint">{t('linger.hint')}</p>}
      {shownColumn && (
        <Ladder className="ladder-compare" heading={t('linger.ladderOf', { setting: shownColumn.title })} events={shownColumn.store.events}
          upTo={shownColumn.upTo} lanes={['writer', 'reader']} capture={shownColumn.store.header?.capabilities.capture} />
      )}
    </section>
  );
}

type Row = { key: MessageKey; cell: (o: LingerOutcome, c: Column) => { text: string; tone?: 'bad' | 'good' | 'warn' } };

const ROWS: Row[] = [
  { key: 'linger.row.blocked', cell: (o) => ({ text: o.closeBlockedMs === null ? '—' : `${o.closeCall ?? ''} ${ms(o.closeBlockedMs)}`, ...(o.closeBlockedMs !== null && o.closeBlockedMs >= 100 ? { tone: 'warn' as const } : {}) }) },
  { key: 'linger.row.handed', cell: (o) => ({ text: bytes(o.handedToWrite) }) },
  { key: 'linger.row.nodeQueue', cell: (o) => ({ text: bytes(o.nodeQueuedAtClose) }) },
  { key: 'linger.row.kernelTook', cell: (o) => ({ text: bytes(o.kernelTookAtClose) }) },
  { key: 'linger.row.sendQ', cell: (o) => ({ text: o.kernelSendQAtClose === null ? '—' : `${bytes(o.kernelSendQAtClose)}${o.kernelNotSentAtClose !== null ? ` (${bytes(o.kernelNotSentAtClose)} ${t('linger.notSent')})` : ''}` }) },
  {
    key: 'linger.row.read',
    cell: (o) => {
      if (!o.peerEnd) return { text: o.peerRead ? `${bytes(o.peerRead)} …` : '—' };
      if (o.peerRead === o.handedToWrite) return { text: `${bytes(o.peerRead)} (${t('linger.all')})`, tone: 'good' };
      // Where the missing bytes stayed: in Node's queue (destroy() drops it), or in the kernel (RST drops its send queue).
      const parts = [bytes(o.peerRead)];
      const neverLeftNode = o.kernelTookAtClose !== null ? o.handedToWrite - o.kernelTookAtClose : null;
      const droppedByKernel = (o.kernelTookAtClose ?? o.handedToWrite) - o.peerRead;
      if (neverLeftNode) parts.push(t('linger.droppedInNode', { n: bytes(neverLeftNode) }));
      if (droppedByKernel > 0) parts.push(t('linger.droppedInKernel', { n: bytes(droppedByKernel) }));
      return { text: parts.join('; '), tone: droppedByKernel > 0 ? 'bad' : 'warn' };
    },
  },
  {
    key: 'linger.row.end',
    cell: (o) => {
      if (!o.peerEnd) return { text: '—' };
      const when = o.closeCalledAt !== null ? ` ${t('linger.afterClose', { t: ms(o.peerEnd.t - o.closeCalledAt) })}` : '';
      const text = `${o.peerEnd.how}${o.peerEnd.kernelError ? ` (${t('linger.kernelHeld', { code: o.peerEnd.kernelError })})` : ''}${when}`;
      return { text, ...(sawReset(o.peerEnd) ? { tone: 'bad' as const } : {}) };
    },
  },
  {
    key: 'linger.row.afterlife',
    cell: (o) => ({ text: o.kernel ? o.kernel.statesAfterClose.join(' → ') || '—' : t('linger.noKernel') }),
  },
  {
    key: 'linger.row.wire',
    cell: (o, c) => {
      const cap = c.store.header?.capabilities.capture;
      if (!o.wire) return { text: cap && cap !== 'on' ? t('linger.captureOff') : '—' };
      const at = (x: number | null) => (x === null || o.closeCalledAt === null ? '' : ` ${t('linger.afterClose', { t: ms(x - o.closeCalledAt) })}`);
      const parts: string[] = [];
      if (o.wire.writerRst !== null) parts.push(`RST${at(o.wire.writerRst)}`);
      if (o.wire.writerFin !== null) parts.push(`FIN${at(o.wire.writerFin)}`);
      return { text: parts.join(', ') || t('linger.nothingYet'), ...(o.wire.writerRst !== null ? { tone: 'bad' as const } : {}) };
    },
  },
];

function OutcomeRows({ columns }: { columns: Column[] }) {
  // One TraceQuery per column and trace version: recomputed only when that run's trace grew.
  const outcomes = useMemo(
    () => columns.map((c) => lingerOutcome(new TraceQuery(c.store.events.slice(0, c.upTo)))),
    [columns.map((c) => `${c.key}:${c.store.version}:${c.upTo}`).join('|')],
  );
  return (
    <tbody>
      {ROWS.map((r) => (
        <tr key={r.key}>
          <th scope="row">{t(r.key)}</th>
          {columns.map((c, i) => {
            const v = r.cell(outcomes[i]!, c);
            return <td key={c.key} className={v.tone ?? ''}>{v.text}</td>;
          })}
        </tr>
      ))}
    </tbody>
  );
}
