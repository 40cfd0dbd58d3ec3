/**
 * The proxy experiment from the trace up to the cursor (shared/proxy/proxy-view.ts): which toxics
 * are on, what each leg carried, the server's receive rate second by second against a bandwidth
 * limit and the pauses, the stall travelling back through the proxy, and round-trip times.
 */
import { useMemo } from 'react';
import { proxyView, type ProxyView } from '../../shared/proxy/proxy-view.js';
import { t } from '../i18n/index.js';
import type { ExperimentPanelProps } from './experiment-panels.js';
import './beyond-tcp.css';

const n = (x: number) => x.toLocaleString('en-US');
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const params = (p: Record<string, number> | undefined) => (p ? Object.entries(p).map(([k, v]) => `${k}=${v}`).join(', ') : '');
const dirName = (d: number | undefined) => t(d === 1 ? 'proxy.up' : d === 2 ? 'proxy.down' : 'proxy.both');

export function ProxyPanel({ store, cursor }: ExperimentPanelProps) {
  const upTo = store ? store.indexAt(cursor) : 0;
  const version = store?.version ?? 0;
  const v = useMemo(() => (store ? proxyView(store.events, upTo) : null), [store, upTo, version]);
  if (!v || v.bytes.clientWrote + v.bytes.serverRead === 0 && v.changes.length === 0) return <section className="btcp-panel"><h2>{t('proxy.heading')}</h2><p className="empty">{t('proxy.empty')}</p></section>;
  const activeNow = v.spans.filter((x) => x.to >= v.end && x.from <= v.end);
  return (
    <section className="btcp-panel proxy-panel">
      <h2>{t('proxy.heading')}</h2>
      <p>
        {t('proxy.active')}{' '}
        {activeNow.length ? activeNow.map((x) => <span key={x.name} className="btcp-tag on">{x.name} · {dirName(x.dir)}{Object.keys(x.params).length ? ` · ${params(x.params)}` : ''}</span>) : <span className="btcp-tag">{t('proxy.none')}</span>}
      </p>
      <div className="btcp-figures">
        <div className="btcp-figure"><span className="big">{n(v.bytes.clientWrote)}</span><span className="what">{t('proxy.clientWrote')}</span></div>
        <div className="btcp-figure"><span className="big">{n(v.bytes.proxyFromClient)}</span><span className="what">{t('proxy.proxyRead')}</span></div>
        <div className="btcp-figure"><span className="big">{n(v.bytes.proxyToServer)}</span><span className="what">{t('proxy.proxyWrote')}</span></div>
        <div className="btcp-figure"><span className="big">{n(v.bytes.serverRead)}</span><span className="what">{t('proxy.serverRead')}</span></div>
      </div>
      {v.serverRate.length > 0 && <RateChart v={v} />}
      <Stall v={v} />
      {v.rtts.length > 0 && (
        <p>{t('proxy.rtts', { n: v.rtts.length, last: v.rtts.slice(-8).map((r) => `${r.ms.toFixed(1)} ms`).join(', ') })}</p>
      )}
      {v.changes.length > 0 && (
        <>
          <h3>{t('proxy.changes')}</h3>
          <table className="btcp-table">
            <thead><tr><th>{t('ws.col.t')}</th><th>{t('proxy.toxic')}</th><th>{t('proxy.onOff')}</th><th>{t('proxy.direction')}</th><th>{t('proxy.params')}</th><th>{t('proxy.source')}</th></tr></thead>
            <tbody>
              {v.changes.map((c, i) => (
                <tr key={i}><td className="num">{s(c.t)}</td><td>{c.name}</td><td>{c.on ? t('proxy.on') : t('proxy.off')}</td><td>{c.on ? dirName(c.dir) : ''}</td><td className="mono">{params(c.params)}</td><td>{c.source}</td></tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <p className="note">{t('proxy.note')}</p>
    </section>
  );
}

function Stall({ v }: { v: ProxyView }) {
  const pz = v.pauses[0];
  if (!pz) return <p className="note">{t('proxy.noPause')}</p>;
  const proxyWait = v.proxyWaits.find((w) => (w.to === null || w.to > pz.from) && w.from < pz.to);
  const clientWait = v.clientWaits.find((w) => w.from < pz.to && (w.to === null || w.to >= pz.to));
  return (
    <ol className="btcp-steps">
      <li className="done">{t('proxy.stall.paused', { t: s(pz.from) })}</li>
      <li className={proxyWait ? 'done' : ''}>{proxyWait ? t('proxy.stall.proxy', { t: s(proxyWait.from) }) : t('proxy.stall.proxyNot')}</li>
      <li className={clientWait ? 'done' : ''}>{clientWait ? t('proxy.stall.client', { t: s(clientWait.from) }) : t('proxy.stall.clientNot')}</li>
      <li className={pz.to < v.end ? 'done' : ''}>{pz.to < v.end ? t('proxy.stall.resumed', { t: s(pz.to) }) : t('proxy.stall.stillPaused')}</li>
      <li className={clientWait?.to != null ? 'done' : ''}>{clientWait?.to != null ? t('proxy.stall.drain', { t: s(clientWait.to), waited: s(clientWait.to - clientWait.from) }) : t('proxy.stall.noDrain')}</li>
    </ol>
  );
}

function RateChart({ v }: { v: ProxyView }) {
  const W = 1000;
  const H = 150;
  const L = 70;
  const t0 = v.serverRate[0]![0];
  const t1 = Math.max(v.end, t0 + v.serverRate.length * 1000);
  const bw = v.spans.filter((x) => x.name === 'bandwidth' && x.dir !== 2);
  const max = Math.max(1, ...v.serverRate.map(([, b]) => b), ...bw.map((x) => (x.params.rate ?? 0) * 1.15));
  const x = (tt: number) => L + ((W - L - 6) * (tt - t0)) / Math.max(1, t1 - t0);
  const y = (b: number) => H - 18 - ((H - 30) * b) / max;
  return (
    <svg viewBox={`0 0 ${W} ${H}`} className="btcp-chart" role="img" aria-label={t('proxy.chart')}>
      {v.pauses.map((p, i) => (
        <g key={`p${i}`}>
          <rect className="pause" x={x(Math.max(t0, p.from))} y={4} width={Math.max(0, x(p.to) - x(Math.max(t0, p.from)))} height={H - 22} />
          <text className="pause" x={x(Math.max(t0, p.from)) + 4} y={16}>{t('proxy.paused')}</text>
        </g>
      ))}
      {v.serverRate.map(([tt, b]) => <rect key={tt} className="rate-bar" x={x(tt) + 1} y={y(b)} width={Math.max(1, x(tt + 1000) - x(tt) - 2)} height={H - 18 - y(b)} />)}
      {bw.map((sp, i) => (
        <g key={`b${i}`}>
          <line className="limit" x1={x(Math.max(t0, sp.from))} x2={x(sp.to)} y1={y(sp.params.rate ?? 0)} y2={y(sp.params.rate ?? 0)} />
          <text className="limit" x={x(Math.max(t0, sp.from)) + 4} y={y(sp.params.rate ?? 0) - 4}>{t('proxy.limit', { rate: n(sp.params.rate ?? 0) })}</text>
        </g>
      ))}
      <text className="axis" x={4} y={y(max) + 10}>{n(Math.round(max))} B/s</text>
      <text className="axis" x={4} y={H - 20}>0</text>
      <text className="axis" x={L} y={H - 4}>{t('proxy.perSecond')}</text>
    </svg>
  );
}
