/**
 * The udp experiment, phase by phase, from the trace up to the cursor (shared/dgram/udp-view.ts):
 * the seed's exchange; datagram boundaries next to the same writes over TCP; the flood — sent,
 * received and the kernel's drop count side by side; the two errors.
 */
import { useMemo } from 'react';
import { udpView, type Flood } from '../../shared/dgram/udp-view.js';
import { boundaryStats } from '../../shared/stream/boundaries.js';
import { textOf } from '../../shared/json/values.js';
import { t } from '../i18n/index.js';
import { BoundaryStrip } from './BoundaryStrip.js';
import type { ExperimentPanelProps } from './experiment-panels.js';
import './beyond-tcp.css';

const n = (x: number) => x.toLocaleString('en-US');

function sameSizes(xs: number[]): string {
  const d = [...new Set(xs)];
  return d.length === 1 ? t('udp.sizes', { count: xs.length, size: d[0]! }) : t('udp.mixedSizes', { count: xs.length });
}

export function UdpPanel({ store, cursor }: ExperimentPanelProps) {
  const upTo = store ? store.indexAt(cursor) : 0;
  const version = store?.version ?? 0;
  const cap = store?.header?.capabilities?.['kernel-udp'];
  const v = useMemo(() => (store ? udpView(store.events, upTo, cap) : null), [store, upTo, version, cap]);
  if (!v || v.phases.length === 0) return <section className="btcp-panel"><h2>{t('udp.heading')}</h2><p className="empty">{t('udp.empty')}</p></section>;
  const b = v.boundaries;
  const tcpStats = b?.tcp ? boundaryStats(b.tcp.writes, b.tcp.reads) : null;
  return (
    <section className="btcp-panel udp-panel">
      <h2>{t('udp.heading')}</h2>
      <div className="btcp-grid">
        <div className="btcp-box">
          <h3>{t('udp.seedHeading')}</h3>
          {v.seed ? (
            <p>{t('udp.seedSent', { n: v.seed.sent })} {v.seed.reply ? t('udp.seedReply', { bytes: v.seed.reply.bytes, text: v.seed.reply.text }) : t('udp.seedNoReply')}</p>
          ) : <p className="empty">{t('udp.notYet')}</p>}
          <p className="note">{t('udp.seedNote')}</p>
        </div>
        <div className="btcp-box">
          <h3>{t('udp.errorsHeading')}</h3>
          {v.errors ? (
            <ul className="btcp-steps">
              <li className={v.errors.refused ? 'done' : ''}>{v.errors.refused ? t('udp.refused', { port: v.errors.refused.port ?? '?', code: v.errors.refused.code, syscall: v.errors.refused.syscall ?? '?' }) : t('udp.noRefused')}</li>
              {v.errors.sizes.map((s, i) => <li key={i} className="done">{s.error ? t('udp.bigRefused', { bytes: n(s.bytes), code: s.error }) : t('udp.bigOk', { bytes: n(s.bytes) })}</li>)}
            </ul>
          ) : <p className="empty">{t('udp.notYet')}</p>}
          <p className="note">{t('udp.errorsNote')}</p>
        </div>
      </div>
      <h3>{t('udp.boundariesHeading')}</h3>
      {b ? (
        <>
          <p>{t('udp.udpLine', { sent: sameSizes(b.sends), got: b.receives.length ? sameSizes(b.receives) : '0' })}</p>
          <BoundaryStrip writes={b.sends} reads={b.receives} writesLabel={t('udp.sends')} readsLabel={t('udp.receives')} />
          {b.tcp && b.tcp.writes.length > 0 && (
            <>
              <p>{tcpStats && tcpStats.reads > 0 ? t('udp.tcpLine', { writes: sameSizes(b.tcp.writes), reads: tcpStats.reads, merged: tcpStats.mergedReads, split: tcpStats.splitMessages }) : t('udp.tcpWaiting')}</p>
              <BoundaryStrip writes={b.tcp.writes} reads={b.tcp.reads} writesLabel={t('udp.tcpWrites')} readsLabel={t('udp.tcpReads')} />
              <p className="btcp-legend"><span className="sw" />{t('udp.legend')}</p>
            </>
          )}
        </>
      ) : <p className="empty">{t('udp.notYet')}</p>}
      <h3>{t('udp.floodHeading')}</h3>
      {v.flood ? <FloodBox f={v.flood} /> : <p className="empty">{t('udp.notYet')}</p>}
    </section>
  );
}

function FloodBox({ f }: { f: Flood }) {
  const drops = f.kernel?.drops;
  const other = drops === undefined ? undefined : Math.max(0, f.sent - f.received - drops);
  const pct = (x: number) => `${f.sent ? (100 * x) / f.sent : 0}%`;
  return (
    <div className={`btcp-box ${drops ? 'bad' : ''}`}>
      <div className="btcp-figures">
        <div className="btcp-figure"><span className="big">{n(f.sent)}</span><span className="what">{t('udp.sent', { size: f.size })}</span></div>
        <div className="btcp-figure ok"><span className="big">{n(f.received)}</span><span className="what">{t('udp.received')}</span></div>
        <div className="btcp-figure drop"><span className="big">{drops === undefined ? '?' : n(drops)}</span><span className="what">{drops === undefined ? t('udp.dropsUnknown', { why: f.kernelOff ?? '' }) : t('udp.drops')}</span></div>
        {other !== undefined && other > 0 && <div className="btcp-figure"><span className="big">{n(other)}</span><span className="what">{t('udp.inFlight')}</span></div>}
        <div className="btcp-figure"><span className="big">{n(f.refused)}</span><span className="what">{t('udp.refusedSends')}</span></div>
      </div>
      {f.sent > 0 && (
        <div className="btcp-bar" aria-hidden>
          <span className="got" style={{ width: pct(f.received) }} />
          <span className="dropped" style={{ width: pct(drops ?? 0) }} />
          <span className="other" style={{ width: pct(other ?? 0) }} />
        </div>
      )}
      <p className="note">
        {f.rcvbuf ? t('udp.rcvbuf', { asked: textOf(f.rcvbuf.requested), kept: textOf(f.rcvbuf.effective) }) : ''}{' '}
        {f.kernel ? t('udp.queueMem', { mem: n(f.kernel.recvQ), buf: n(f.kernel.rcvbuf) }) : ''}
      </p>
      {f.system && f.system.RcvbufErrors !== undefined && <p className="note">{t('udp.system', { rcvbuf: n(f.system.RcvbufErrors), noports: n(f.system.NoPorts ?? 0) })}</p>}
    </div>
  );
}
