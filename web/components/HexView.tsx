/**
 * The raw bytes an actor sent and received, as hex and ASCII, from the trace up to the cursor.
 * Where the run's parameters name a framing (`framing: delimiter`, ...), the bytes are cut into
 * frames with the same codec the programs use, in the browser: each frame's payload gets its own
 * colour, its header or delimiter a darker one, errors red. A bar marks where each read() or
 * write() began, so frames and calls can be compared byte by byte.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { TraceStore } from '../../shared/trace/store.js';
import { byteRoles, byteStreams, frameStream, type ByteStream, type Framed } from '../../shared/stream/byte-streams.js';
import { framingSetup, type FramingSetup } from '../../shared/stream/framing-setup.js';
import { t } from '../i18n/index.js';

/** Bytes shown per stream before "show more" (each is two DOM nodes). */
const PAGE = 1024;

interface Props { store: TraceStore | null; cursor: number; role: string }

/** The framing named by the run's parameters, if any. */
export function runFraming(store: TraceStore | null): FramingSetup | null {
  const p = store?.header?.params;
  if (!p || typeof p.framing !== 'string') return null;
  const s = framingSetup(p);
  return 'error' in s ? null : s;
}

/**
 * Frames travel client → server: what an accepted socket ('s…') receives and what a connecting
 * socket ('c…') sends (trace socket ids). The other direction carries replies, not frames.
 */
function carriesFrames(s: ByteStream): boolean {
  return (s.sock.startsWith('s') && s.direction === 'in') || (s.sock.startsWith('c') && s.direction === 'out');
}

export function HexView({ store, cursor, role }: Props) {
  const upTo = store ? store.indexAt(cursor) : 0;
  const version = store?.version ?? 0;
  // Rebuilt when the trace grows or the cursor moves: a bounded pass over this actor's events.
  const streams = useMemo(() => (store ? byteStreams(store.events, role, upTo) : []), [store, role, upTo, version]);
  const setup = useMemo(() => runFraming(store), [store, store?.header]);
  const [pick, setPick] = useState(0);
  const [colour, setColour] = useState(true);
  const [limit, setLimit] = useState(PAGE);
  const host = useRef<HTMLDivElement>(null);
  const [perRow, setPerRow] = useState(8);
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setPerRow(el.clientWidth >= 620 ? 16 : 8));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  if (streams.length === 0) return <div className="hexview" ref={host}><p className="hex-empty">{t('hex.empty')}</p></div>;
  const s = streams[Math.min(pick, streams.length - 1)]!;
  const framed: Framed | null = setup && colour && carriesFrames(s) ? frameStream(s, setup) : null;
  return (
    <div className="hexview" ref={host}>
      <div className="hex-bar">
        {streams.map((x, i) => (
          <button key={`${x.sock}/${x.direction}`} className={x === s ? 'on' : ''} onClick={() => { setPick(i); setLimit(PAGE); }}>
            {t(x.direction === 'in' ? 'hex.received' : 'hex.sent', { sock: x.sock, n: x.total })}
          </button>
        ))}
        {setup && carriesFrames(s) && (
          <label className="hex-colour"><input type="checkbox" checked={colour} onChange={(e) => setColour(e.target.checked)} /> {t('hex.frames', { codec: setup.codec.title })}</label>
        )}
      </div>
      <Legend framed={framed} direction={s.direction} />
      <Dump stream={s} framed={framed} perRow={perRow} limit={limit} />
      {s.total > limit && <button className="hex-more" onClick={() => setLimit(limit + PAGE * 4)}>{t('hex.more', { shown: Math.min(limit, s.total), total: s.total })}</button>}
      {s.firstGap !== null && <p className="hex-note">{t('hex.gap', { at: s.firstGap })}</p>}
      {framed?.stopReason === 'error' && <p className="hex-note bad">{t('hex.stopped', { at: framed.stoppedAt ?? 0 })}</p>}
    </div>
  );
}

function Legend({ framed, direction }: { framed: Framed | null; direction: 'in' | 'out' }) {
  const call = t(direction === 'in' ? 'hex.readStart' : 'hex.writeStart');
  return (
    <p className="hex-legend">
      {framed ? (
        <>
          <span className="b payload f0">{t('hex.payload')}</span> <span className="b payload f1">{t('hex.payloadNext')}</span>{' '}
          <span className="b framing f0">{t('hex.framing')}</span> <span className="b error">{t('hex.error')}</span>{' '}
          <span className="b pending">{t('hex.pending')}</span>{' '}
        </>
      ) : (
        <><span className="b plain c0">{t('hex.callA')}</span> <span className="b plain c1">{t('hex.callB')}</span>{' '}</>
      )}
      <span className="b cut">&nbsp;</span> {call}
    </p>
  );
}

function Dump({ stream, framed, perRow, limit }: { stream: ByteStream; framed: Framed | null; perRow: number; limit: number }) {
  // The captured bytes in stream order, with the index of the call each came in.
  const shown = Math.min(limit, stream.total);
  const bytes = new Int16Array(shown).fill(-1); // -1: not captured
  const callOf = new Int32Array(shown).fill(-1);
  stream.chunks.forEach((c, i) => {
    for (let k = 0; k < c.bytes && c.start + k < shown; k++) {
      callOf[c.start + k] = i;
      if (k < c.captured.length) bytes[c.start + k] = c.captured[k]!;
    }
  });
  const { role, frameOf } = byteRoles(framed, 0, shown);
  const rows = [];
  for (let at = 0; at < shown; at += perRow) {
    const hex = [];
    const ascii = [];
    for (let o = at; o < Math.min(at + perRow, shown); o++) {
      const b = bytes[o]!;
      const cut = o > 0 && callOf[o] !== callOf[o - 1] ? ' cut' : '';
      const fr = frameOf[o]!;
      const cls = framed ? `b ${role[o]}${fr >= 0 ? ` f${fr % 2}` : ''}${cut}` : `b plain c${callOf[o]! % 2}${cut}`;
      hex.push(<span key={o} className={cls}>{b < 0 ? '··' : b.toString(16).padStart(2, '0')}</span>);
      ascii.push(<span key={o} className={cls}>{b < 0 ? '·' : b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : b === 10 ? '↵' : '.'}</span>);
    }
    rows.push(
      <div className="hex-row" key={at}>
        <span className="hex-off">{at.toString(16).padStart(5, '0')}</span>
        <span className="hex-bytes">{hex}</span>
        <span className="hex-ascii">{ascii}</span>
      </div>,
    );
  }
  return <div className="hex-dump" data-rows={rows.length}>{rows}</div>;
}
