/**
 * The framing experiment side by side: what the client sent, what the naive reader (one read =
 * one message) made of the same bytes, and what the framed reader decoded — each message marked
 * right or wrong against what was sent (shared/stream/framing-view.ts decides, from the trace).
 */
import { useMemo, useState, type JSX } from 'react';
import { framingView, type ConnView, type FrameErrorInfo, type JudgedFramed, type JudgedNaive, type SentFrame } from '../../shared/stream/framing-view.js';
import { t } from '../i18n/index.js';
import type { ExperimentPanelProps } from './experiment-panels.js';
import { runFraming } from './HexView.js';

/** Rows per column at most (the event list has every message). */
const ROWS = 80;

/**
 * Text as a student can read it: printable characters as they are, control bytes (a length
 * header, NUL padding, the "\n" delimiter) as hex in a grey box, long runs of one byte counted.
 */
export function Visible({ text: full, max = 60 }: { text: string; max?: number }) {
  const text = full.length > max ? full.slice(0, max) : full;
  const parts: JSX.Element[] = [];
  const re = /[\u0000-\u001f\u007f\ufffd]+/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > last) parts.push(<span key={last}>{text.slice(last, m.index)}</span>);
    parts.push(<span key={m.index} className="ctl">{controlRun(m[0])}</span>);
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push(<span key={last}>{text.slice(last)}</span>);
  if (full.length > max) parts.push(<span key="more" className="ctl">…</span>);
  return <code>{parts}</code>;
}

function controlRun(run: string): string {
  const hex = (c: string) => (c === '\ufffd' ? '??' : c === '\n' ? '\\n' : c.charCodeAt(0).toString(16).padStart(2, '0'));
  if (run.length > 6 && [...run].every((c) => c === run[0])) return `${hex(run[0]!)} ×${run.length}`;
  return [...run].map(hex).join(' ');
}

function range(start: number, end: number): string {
  return t('framing.bytes', { from: start, to: end - 1, n: end - start });
}

export function FramingPanel({ store, cursor }: ExperimentPanelProps) {
  const upTo = store ? store.indexAt(cursor) : 0;
  const version = store?.version ?? 0;
  const view = useMemo(() => (store ? framingView(store.events, upTo) : null), [store, upTo, version]);
  const setup = runFraming(store);
  const [pick, setPick] = useState<string | null>(null);
  if (!view || (view.sent.length === 0 && view.conns.length === 0)) {
    return <section className="framing-panel"><h2>{t('framing.heading')}</h2><p className="empty">{t('framing.empty')}</p></section>;
  }
  const conn = view.conns.find((c) => c.conn === pick) ?? view.conns.find((c) => c.fromLabClient) ?? view.conns[0];
  const codecTitle = setup?.codec.title ?? conn?.decoder ?? '?';
  return (
    <section className="framing-panel">
      <h2>{t('framing.heading')}</h2>
      {view.conns.length > 1 && (
        <div className="framing-conns">
          {view.conns.map((c) => (
            <button key={c.conn} className={c === conn ? 'on' : ''} onClick={() => setPick(c.conn)}>
              {c.fromLabClient ? t('framing.labConn', { remote: c.remote }) : t('framing.otherConn', { remote: c.remote })}
            </button>
          ))}
        </div>
      )}
      {conn && <Summary conn={conn} codec={codecTitle} />}
      <div className="framing-cols">
        {conn?.fromLabClient !== false && <SentColumn sent={view.sent} />}
        <NaiveColumn rows={conn?.naive ?? []} judged={Boolean(conn?.fromLabClient)} />
        <FramedColumn rows={conn?.framed ?? []} errors={conn?.errors ?? []} codec={codecTitle} judged={Boolean(conn?.fromLabClient)} />
      </div>
    </section>
  );
}

function Summary({ conn, codec }: { conn: ConnView; codec: string }) {
  if (!conn.fromLabClient) return <p className="framing-summary">{t('framing.outside')}</p>;
  const exact = conn.naive.filter((n) => n.verdict === 'exact').length;
  const right = conn.framed.filter((f) => f.verdict === 'right').length;
  return (
    <p className="framing-summary">
      <span className={exact < conn.naive.length ? 'bad' : 'ok'}>{t('framing.naiveScore', { exact, reads: conn.naive.length })}</span>{' '}
      <span className={right === conn.framed.length ? 'ok' : 'bad'}>{t('framing.framedScore', { right, n: conn.framed.length, codec })}</span>
    </p>
  );
}

function SentColumn({ sent }: { sent: (SentFrame & { t: number })[] }) {
  return (
    <div className="framing-col sent">
      <h3>{t('framing.sentHeading')}</h3>
      <ol>
        {sent.slice(0, ROWS).map((s) => (
          <li key={s.index}>
            <span className="idx">#{s.index}</span> <Visible text={s.text} />
            <span className="where">{range(s.start, s.end)}</span>
          </li>
        ))}
      </ol>
      {sent.length > ROWS && <p className="empty">{t('framing.more', { n: sent.length - ROWS })}</p>}
    </div>
  );
}

function naiveNote(n: JudgedNaive): string {
  switch (n.verdict) {
    case 'exact': return t('framing.exact', { i: n.covers[0] ?? '?' });
    case 'part': return t('framing.part', { i: n.covers[0] ?? '?' });
    case 'merged': return t('framing.merged', { list: n.covers.map((i) => `#${i}`).join(' + ') });
    default: return '';
  }
}

function NaiveColumn({ rows, judged }: { rows: JudgedNaive[]; judged: boolean }) {
  return (
    <div className="framing-col naive">
      <h3>{t('framing.naiveHeading')}</h3>
      <ol>
        {rows.slice(0, ROWS).map((n) => (
          <li key={n.frame.index} className={judged ? (n.verdict === 'exact' ? 'right' : 'wrong') : ''}>
            {judged && <span className="mark">{n.verdict === 'exact' ? '✓' : '✗'}</span>}
            <span className="idx">{t('framing.read', { i: n.frame.index + 1 })}</span> <Visible text={n.frame.text} />
            <span className="where">{range(n.frame.start, n.frame.end)}{judged && n.verdict !== 'unknown' ? ` · ${naiveNote(n)}` : ''}</span>
          </li>
        ))}
      </ol>
      {rows.length > ROWS && <p className="empty">{t('framing.more', { n: rows.length - ROWS })}</p>}
    </div>
  );
}

function FramedColumn({ rows, errors, codec, judged }: { rows: JudgedFramed[]; errors: (FrameErrorInfo & { t: number })[]; codec: string; judged: boolean }) {
  // Messages and errors in the order they happened.
  const items = [
    ...rows.map((r) => ({ t: r.t, key: `m${r.frame.index}`, node: <FramedRow r={r} judged={judged} /> })),
    ...errors.filter((e) => e.decoder !== 'naive').map((e, i) => ({ t: e.t, key: `e${i}`, node: <ErrorRow e={e} /> })),
  ].sort((a, b) => a.t - b.t);
  return (
    <div className="framing-col framed">
      <h3>{t('framing.framedHeading', { codec })}</h3>
      <ol>{items.slice(0, ROWS).map((x) => <li key={x.key} className={x.key.startsWith('e') ? 'error' : ''}>{x.node}</li>)}</ol>
      {items.length > ROWS && <p className="empty">{t('framing.more', { n: items.length - ROWS })}</p>}
    </div>
  );
}

function FramedRow({ r, judged }: { r: JudgedFramed; judged: boolean }) {
  const text = r.frame.hex !== undefined ? `0x${r.frame.hex}${r.frame.length > 32 ? '…' : ''}` : null;
  return (
    <span className={judged ? (r.verdict === 'right' ? 'right' : 'wrong') : ''}>
      {judged && <span className="mark">{r.verdict === 'right' ? '✓' : '✗'}</span>}
      <span className="idx">#{r.sentIndex ?? r.frame.index}</span> {text !== null ? <code>{text}</code> : <Visible text={r.frame.text} />}
      <span className="where">{t('framing.payload', { n: r.frame.length })} · {range(r.frame.start, r.frame.end)}</span>
    </span>
  );
}

function ErrorRow({ e }: { e: FrameErrorInfo }) {
  return (
    <span>
      <span className="mark">⚠</span> <strong>{e.code}</strong>{e.offset !== null ? ` ${t('framing.atByte', { at: e.offset })}` : ''} — {e.message}
      <span className="where">{t(e.reaction === 'skip' ? 'framing.skipped' : e.reaction === 'drop' ? 'framing.dropped' : 'framing.ended')}</span>
    </span>
  );
}
