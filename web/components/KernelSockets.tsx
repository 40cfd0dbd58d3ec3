/**
 * Every kernel socket of the run at the cursor, as the observer saw it — including the ones no
 * program holds any more (orphans still sending, FIN_WAIT2, TIME_WAIT) — and the TCP state badge
 * shown in each pane's header.
 */
import type { KernelSocketState } from '../../shared/trace/kernel-events.js';
import type { TraceStore } from '../../shared/trace/store.js';
import {
  kernelAvailability, kernelIndex, kernelSocketsAt, isOrphaned, primaryProgramSocket, timerLeftMs, type ConnectionEnd,
} from '../../shared/trace/kernel-view.js';
import { t } from '../i18n/index.js';

/** "2,304,000 B" — exact, with a short form for big numbers. */
export function bytes(n: number): string {
  const exact = `${n.toLocaleString('en-US')} B`;
  if (n < 10_000) return exact;
  const [v, u] = n >= 1 << 20 ? [n / (1 << 20), 'MiB'] : [n / 1024, 'KiB'];
  return `${exact} (${v.toFixed(1)} ${u})`;
}

/** "client c1", or "outside 127.0.0.1:5000" for an end no lab actor holds (nc, your own program). */
export function endName(e: ConnectionEnd): string {
  return e.program ? `${e.program.actor} ${e.program.sock}` : t('kernel.outside', { key: e.key.split('>')[0] ?? e.key });
}

const STATE_CLASS: Partial<Record<KernelSocketState, string>> = {
  ESTABLISHED: 'ok', LISTEN: 'ok', SYN_SENT: 'mid', SYN_RECV: 'mid', NEW_SYN_RECV: 'mid',
  FIN_WAIT1: 'closing', FIN_WAIT2: 'closing', CLOSE_WAIT: 'closing', LAST_ACK: 'closing', CLOSING: 'closing',
  TIME_WAIT: 'timewait', CLOSE: 'gone', GONE: 'gone',
};

export function StateBadge({ state, orphaned, off }: { state: KernelSocketState | undefined; orphaned?: boolean | undefined; off?: string | null }) {
  if (off) return <span className="tcp-badge off" title={off}>{t('kernel.badgeOff')}</span>;
  if (!state) return <span className="tcp-badge none">{t('kernel.noSample')}</span>;
  return (
    <span className={`tcp-badge ${STATE_CLASS[state] ?? 'mid'}`} data-state={state}>
      {state === 'GONE' ? t('kernel.gone') : state}{orphaned ? ` · ${t('kernel.orphaned')}` : ''}
    </span>
  );
}

/** The pane header badge: the kernel state of the role's latest socket at the cursor. */
export function KernelBadge({ store, cursor, role }: { store: TraceStore | null; cursor: number; role: string }) {
  if (!store) return null;
  const avail = kernelAvailability(store.header?.capabilities);
  const ix = kernelIndex(store);
  const p = primaryProgramSocket(ix, role, cursor);
  if (!p) return null;
  if (!avail.on) return <StateBadge state={undefined} off={avail.reason} />;
  const key = ix.keyOf(p);
  const s = key ? ix.sampleAt(key, cursor) : undefined;
  return <span className="kernel-badge">{t('kernel.badgeLabel')} <StateBadge state={s?.state} orphaned={s ? isOrphaned(s) : false} /></span>;
}

function ms(n: number): string {
  return n >= 10_000 ? `${(n / 1000).toFixed(0)} s` : n >= 1000 ? `${(n / 1000).toFixed(1)} s` : `${n} ms`;
}

export function KernelSockets({ store, cursor }: { store: TraceStore | null; cursor: number }) {
  if (!store) return null;
  const avail = kernelAvailability(store.header?.capabilities);
  const ix = kernelIndex(store);
  const rows = kernelSocketsAt(ix, cursor);
  const now = Number.isFinite(cursor) ? cursor : store.endTime;
  return (
    <section className="kernel-sockets">
      <h2>{t('kernel.socketsHeading')}</h2>
      {!avail.on ? <p className="kernel-off">{t('kernel.off', { reason: avail.reason })}</p> : rows.length === 0 ? <p className="empty">{t('kernel.noneYet')}</p> : (
        <table>
          <thead>
            <tr>
              <th>{t('kernel.col.socket')}</th><th>{t('kernel.col.owner')}</th><th>{t('kernel.col.state')}</th>
              <th>{t('kernel.col.recvQ')}</th><th>{t('kernel.col.sendQ')}</th><th>{t('kernel.col.windows')}</th>
              <th>{t('kernel.col.buffers')}</th><th>{t('kernel.col.timer')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ key, sample: s, owner, orphaned }) => (
              <tr key={key} className={s.state === 'GONE' ? 'gone' : ''} data-key={key} data-state={s.state}>
                <td className="key">{key.replace('>', ' → ')}</td>
                <td>{owner ? `${owner.actor} ${owner.sock}` : t('kernel.noOwner')}</td>
                {/* An unconnected UDP socket is CLOSE to the kernel; ss calls it UNCONN. */}
                <td>{s.proto === 'udp' && s.state === 'CLOSE' ? <span className="tcp-badge ok" data-state="UNCONN">{t('kernel.unconn')}</span> : <StateBadge state={s.state} orphaned={orphaned} />}</td>
                <td className="num">{s.state === 'LISTEN' ? t('kernel.acceptQ', { n: s.acceptQ ?? s.recvQ ?? 0, max: s.acceptMax ?? s.sendQ ?? 0 }) : s.recvQ ?? '—'}</td>
                <td className="num">{s.state === 'LISTEN' ? '' : s.sendQ ?? '—'}</td>
                <td className="num">{s.sndWnd !== undefined || s.rcvWnd !== undefined ? t('kernel.windows', { snd: s.sndWnd ?? '?', rcv: s.rcvWnd ?? '?' }) : '—'}</td>
                <td className="num">{s.skmem ? t('kernel.skmem', { r: s.skmem.rmemAlloc, rb: s.skmem.rcvbuf, w: s.skmem.wmemQueued, tb: s.skmem.sndbuf }) : '—'}</td>
                <td className="timer">{s.timer ? t('kernel.timer', { name: s.timer.name, in: ms(Math.round(timerLeftMs(s, now)!)), n: s.timer.retrans }) : ''}{s.probes ? ` ${t('kernel.probes', { n: s.probes })}` : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
