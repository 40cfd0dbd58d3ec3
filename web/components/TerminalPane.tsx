/**
 * One actor's terminal: its real stdout and stderr from the trace, what was typed into it, and a
 * line editor like nc's (local echo, sent on Enter). The terminal only ever shows the trace up to
 * the cursor time, so a replay or a seek backwards shows exactly what was on screen then.
 */
import { useEffect, useRef, useState } from 'react';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import '@xterm/xterm/css/xterm.css';
import type { TraceStore } from '../../shared/trace/store.js';
import { countUpTo } from '../../shared/trace/store.js';
import { formatAddress, type ActorView, primarySocket } from '../../shared/trace/derive.js';
import { t } from '../i18n/index.js';
import { tailStart } from '../lib/terminal-tail.js';
import { HexView } from './HexView.js';

interface Props {
  role: string;
  summary: string;
  source: string;
  store: TraceStore | null;
  /** Show the trace up to this time (ms); Infinity = live. */
  cursor: number;
  actor: ActorView | undefined;
  /** Send a typed line (with its newline); absent when the run is not live. */
  onLine?: (line: string) => void;
  /** Extra header content (kernel state badge). */
  badge?: React.ReactNode;
}

const STYLE = { stdout: '', stderr: '\x1b[31m', stdin: '\x1b[36m' } as const;
const SCROLLBACK = 5000;
const REDRAW_LINES = 1000;

export function TerminalPane({ role, summary, source, store, cursor, actor, onLine, badge }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const term = useRef<Terminal | null>(null);
  const shown = useRef<{ store: TraceStore | null; count: number }>({ store: null, count: 0 });
  const pending = useRef('');
  const onLineRef = useRef(onLine);
  onLineRef.current = onLine;
  const [tab, setTab] = useState<'terminal' | 'source' | 'bytes'>('terminal');

  useEffect(() => {
    const term_ = new Terminal({ convertEol: true, fontSize: 14, scrollback: SCROLLBACK, cursorBlink: true, theme: { background: '#0f1419' } });
    const fit = new FitAddon();
    term_.loadAddon(fit);
    term_.open(host.current!);
    term.current = term_;
    const ro = new ResizeObserver(() => { try { fit.fit(); } catch { /* hidden */ } });
    ro.observe(host.current!);
    term_.onData((data) => {
      if (!onLineRef.current) return;
      for (const ch of data) {
        if (ch === '\r') {
          const line = pending.current;
          pending.current = '';
          term_.write('\r\x1b[K');
          onLineRef.current(line + '\n');
        } else if (ch === '\x7f' || ch === '\b') {
          if (pending.current.length > 0) { pending.current = pending.current.slice(0, -1); term_.write('\b \b'); }
        } else if (ch >= ' ' && ch !== '\x7f') {
          pending.current += ch;
          term_.write(ch);
        }
      }
    });
    return () => { ro.disconnect(); term_.dispose(); term.current = null; };
  }, []);

  // Bring the terminal to the cursor: append what is new, or redraw from the start after a seek back.
  useEffect(() => {
    const tm = term.current;
    if (!tm) return;
    const list = store ? store.stdio(role) : [];
    const target = countUpTo(list, cursor);
    const s = shown.current;
    // After a seek in a long trace only the last REDRAW_LINES lines are written again: the screen
    // shows exactly what it showed then, without parsing the whole run's output (scrolling up
    // then reaches that far back; appending as the cursor moves on keeps the full scrollback).
    const redraw = s.store !== store || target < s.count;
    const from = tailStart(list, redraw ? 0 : s.count, target, REDRAW_LINES + tm.rows);
    const el = host.current!;
    el.dataset.target = String(target);
    let out = '';
    if (redraw || from > s.count) {
      // The reset goes through the write queue (ESC c): xterm parses writes later, in order, and a
      // direct reset() would run before writes still queued from the previous position.
      out = '\x1bc';
      s.store = store;
      s.count = from;
    } else if (target === s.count) return;
    if (pending.current) out += '\r\x1b[K';
    for (let i = s.count; i < target; i++) {
      const e = list[i]!;
      out += e.kind === 'stdout' ? e.text : `${STYLE[e.kind]}${e.kind === 'stdin' ? '> ' : ''}${e.text}\x1b[0m`;
    }
    s.count = target;
    // data-drawn = data-target once xterm has taken in everything up to the cursor (tests wait on it).
    const gen = String(Number(el.dataset.gen ?? 0) + 1);
    el.dataset.gen = gen;
    tm.write(out + pending.current, () => { if (el.dataset.gen === gen) el.dataset.drawn = String(target); });
  });

  const sock = primarySocket(actor);
  const status = !actor?.pid ? t('pane.notRunning') : actor.running ? t('pane.pid', { pid: actor.pid }) : t('pane.exited', { how: actor.exit?.signal ?? `code ${actor.exit?.code}` });
  return (
    <section className="pane" data-role={role}>
      <header>
        <strong className="role">{role}</strong>
        <span className={`pid ${actor?.running ? 'running' : ''}`}>{status}</span>
        <span className="addr">{t('pane.local', { addr: formatAddress(sock?.local) })}</span>
        <span className="addr">{t('pane.remote', { addr: formatAddress(sock?.remote) })}</span>
        <span className="state">{sock?.state ?? '—'}</span>
        {badge}
        <span className="tabs">
          <button className={tab === 'terminal' ? 'on' : ''} onClick={() => setTab('terminal')}>{t('pane.terminal')}</button>
          <button className={tab === 'source' ? 'on' : ''} onClick={() => setTab('source')}>{t('pane.source')}</button>
          <button className={tab === 'bytes' ? 'on' : ''} onClick={() => setTab('bytes')}>{t('pane.bytes')}</button>
        </span>
      </header>
      <p className="pane-summary">{summary}{onLine ? ` — ${t('pane.typeHint')}` : ''}</p>
      <div className="term" ref={host} style={{ display: tab === 'terminal' ? 'block' : 'none' }} onClick={() => term.current?.focus()} />
      {tab === 'source' && <pre className="source">{source}</pre>}
      {tab === 'bytes' && <HexView store={store} cursor={cursor} role={role} />}
    </section>
  );
}
