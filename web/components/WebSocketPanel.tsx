/**
 * The websocket experiment as TCP bytes, decoded in the browser with the shared codec
 * (shared/websocket/ws-view.ts): the Upgrade request and response with the accept key computed
 * step by step, then every frame each side wrote — FIN, RSV1, opcode, mask bit and key, which
 * payload-length form — beside the messages the programs say they sent and received.
 */
import { useMemo } from 'react';
import { wsView, type Direction, type FrameRow } from '../../shared/websocket/ws-view.js';
import type { HttpHead } from '../../shared/codecs/http-head.js';
import { toHex } from '../../shared/codecs/bytes.js';
import { t } from '../i18n/index.js';
import type { ExperimentPanelProps } from './experiment-panels.js';
import './beyond-tcp.css';

/** Frames listed at most (the event list has every write). */
const ROWS = 60;

function Head({ head, highlight }: { head: HttpHead; highlight: string }) {
  return (
    <div className="btcp-head">
      <div>{head.startLine}</div>
      {head.headers.map((h, i) => <div key={i} className={h.name.toLowerCase() === highlight ? 'hl' : ''}>{h.name}: {h.value}</div>)}
    </div>
  );
}

function lengthForm(f: FrameRow['frame']): string {
  return f.lengthForm === 7 ? t('ws.len7', { n: f.payloadLength }) : f.lengthForm === 16 ? t('ws.len16', { n: f.payloadLength }) : t('ws.len64', { n: f.payloadLength });
}

function payloadShown(f: FrameRow['frame']): string {
  if (f.opcodeName === 'close') return f.closeCode === null ? t('ws.closeEmpty') : t('ws.closeCode', { code: f.closeCode, reason: f.closeReason ?? '' });
  if (f.text !== null) return JSON.stringify(f.text.length > 24 ? `${f.text.slice(0, 24)}…` : f.text);
  if (f.payload.length === 0) return '';
  // A ping or pong usually carries text too (it is only bytes to the protocol).
  if (f.opcode === 0x9 || f.opcode === 0xa) {
    try { return JSON.stringify(new TextDecoder('utf-8', { fatal: true }).decode(f.payload)); } catch { /* not text: hex below */ }
  }
  const head = toHex(f.payload.subarray(0, 12)).replace(/(..)/g, '$1 ').trim();
  return `${head}${f.payload.length > 12 ? ' …' : ''}`;
}

function rows(d: Direction, cls: string, label: string) {
  return d.frames.map((r) => ({ r, cls, label }));
}

export function WebSocketPanel({ store, cursor }: ExperimentPanelProps) {
  const upTo = store ? store.indexAt(cursor) : 0;
  const version = store?.version ?? 0;
  const v = useMemo(() => (store ? wsView(store.events, upTo) : null), [store, upTo, version]);
  if (!v || (!v.clientToServer.head && !v.serverToClient.head)) return <section className="btcp-panel"><h2>{t('ws.heading')}</h2><p className="empty">{t('ws.empty')}</p></section>;
  const frames = [...rows(v.clientToServer, 'c2s', t('ws.c2s')), ...rows(v.serverToClient, 's2c', t('ws.s2c'))].sort((a, b) => a.r.t - b.r.t || a.r.offset - b.r.offset);
  const a = v.accept;
  const match = a && a.actual !== null && a.actual === a.computed;
  return (
    <section className="btcp-panel ws-panel">
      <h2>{t('ws.heading')}</h2>
      <div className="btcp-grid">
        <div className="btcp-box">
          <h3>{t('ws.request', { n: v.clientToServer.head?.headLength ?? 0 })}</h3>
          {v.clientToServer.head ? <Head head={v.clientToServer.head} highlight="sec-websocket-key" /> : <p className="empty">{t('ws.notYet')}</p>}
        </div>
        <div className="btcp-box">
          <h3>{t('ws.response', { n: v.serverToClient.head?.headLength ?? 0 })}</h3>
          {v.serverToClient.head ? <Head head={v.serverToClient.head} highlight="sec-websocket-accept" /> : <p className="empty">{t('ws.notYet')}</p>}
        </div>
      </div>
      {a && (
        <div className={`btcp-box ${match ? 'ok' : a.actual ? 'bad' : ''}`}>
          <h3>{t('ws.acceptHeading')}</h3>
          <div className="btcp-accept">
            <div><span className="arrow">{t('ws.stepKey')}</span> {a.key}</div>
            <div><span className="arrow">{t('ws.stepConcat')}</span> {a.concatenated}</div>
            <div><span className="arrow">{t('ws.stepSha1')}</span> {a.sha1Hex}</div>
            <div><span className="arrow">{t('ws.stepBase64')}</span> <strong>{a.computed}</strong></div>
            <div><span className="arrow">{t('ws.stepActual')}</span> <strong>{a.actual ?? '—'}</strong> {a.actual ? (match ? `✓ ${t('ws.matches')}` : `✗ ${t('ws.differs')}`) : ''}</div>
          </div>
        </div>
      )}
      <h3>{t('ws.framesHeading', { c: v.clientToServer.frames.length, s: v.serverToClient.frames.length })}</h3>
      {[v.clientToServer, v.serverToClient].filter((d) => d.problem).map((d) => <p key={d.actor} className="note">{t('ws.problem', { who: d.actor, problem: d.problem! })}</p>)}
      <div className="btcp-scroll">
      <table className="btcp-table ws-frames">
        <thead><tr>
          <th>{t('ws.col.t')}</th><th>{t('ws.col.dir')}</th><th>{t('ws.col.offset')}</th><th>FIN</th><th>RSV1</th><th>{t('ws.col.opcode')}</th>
          <th>{t('ws.col.mask')}</th><th>{t('ws.col.length')}</th><th>{t('ws.col.wire')}</th><th>{t('ws.col.payload')}</th>
        </tr></thead>
        <tbody>
          {frames.slice(0, ROWS).map(({ r, cls, label }) => {
            const f = r.frame;
            return (
              <tr key={`${cls}${r.offset}`} className={`${cls}${f.opcode >= 8 ? ' ctl-frame' : ''}`}>
                <td className="num">{(r.t / 1000).toFixed(3)}</td>
                <td className="dir">{label}</td>
                <td className="num">{r.offset}</td>
                <td>{f.fin ? '1' : '0'}</td>
                <td>{f.rsv1 ? '1' : '0'}</td>
                <td className="op mono">0x{f.opcode.toString(16)} {f.opcodeName}</td>
                <td className="mono">{f.masked && f.maskingKey ? `1 · ${toHex(f.maskingKey)}` : '0'}</td>
                <td>{lengthForm(f)}</td>
                <td className="num">{r.wireBytes}</td>
                <td className="mono">{payloadShown(f)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      </div>
      {frames.length > ROWS && <p className="note">{t('ws.more', { n: frames.length - ROWS })}</p>}
      <h3>{t('ws.messagesHeading')}</h3>
      <table className="btcp-table ws-messages">
        <thead><tr><th>{t('ws.col.t')}</th><th>{t('ws.col.who')}</th><th>{t('ws.col.what')}</th><th>{t('ws.col.bytes')}</th><th>{t('ws.col.payload')}</th></tr></thead>
        <tbody>
          {v.messages.slice(0, ROWS).map((m, i) => (
            <tr key={i} className={m.actor === 'client' ? 'c2s' : 's2c'}>
              <td className="num">{(m.t / 1000).toFixed(3)}</td>
              <td className="dir">{m.actor}</td>
              <td>{t(m.dir === 'sent' ? 'ws.sentType' : 'ws.receivedType', { type: m.type })}{m.code !== undefined ? ` ${m.code}` : ''}</td>
              <td className="num">{m.bytes}</td>
              <td className="mono">{m.text !== undefined ? JSON.stringify(m.text.length > 40 ? `${m.text.slice(0, 40)}…` : m.text) : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="note">{t('ws.note')}</p>
    </section>
  );
}
