import type { Address } from './common.js';
import { jsonOf, textOf } from '../json/values.js';
import { eventResult, VERDICT_MARK } from './verdict.js';
import type { TraceEvent } from './schema.js';

/** What a view needs to know about one socket of an actor at some moment, derived from the trace. */
export interface SocketView {
  sock: string;
  local?: Address;
  remote?: Address;
  /** What the program has done with it, in words: listening, connected, FIN sent, peer closed, closed. */
  state: string;
  written: number;
  read: number;
  blocked: boolean;
}

export interface ActorView {
  role: string;
  pid?: number;
  running: boolean;
  exit?: { code: number | null; signal: string | null };
  sockets: SocketView[];
}

/** The actors and their sockets as of the first `n` events. */
export function actorsAt(events: readonly TraceEvent[], n: number, roles: readonly string[]): Map<string, ActorView> {
  const state = new ActorsState(roles);
  for (let i = 0; i < n && i < events.length; i++) state.apply(events[i]!);
  return state.actors;
}

/**
 * actorsAt as a state that events are applied to one by one, so it can be resumed from a
 * checkpoint (shared/trace/actors-index.ts keeps them for long traces) instead of replayed from 0.
 */
export class ActorsState {
  readonly actors: Map<string, ActorView>;
  private readonly socks = new Map<string, SocketView>();

  constructor(roles: readonly string[] = []) {
    this.actors = new Map<string, ActorView>(roles.map((r) => [r, { role: r, running: false, sockets: [] }]));
  }

  private sockOf(role: string, id: string): SocketView {
    const key = `${role}/${id}`;
    let s = this.socks.get(key);
    if (!s) {
      s = { sock: id, state: 'open', written: 0, read: 0, blocked: false };
      this.socks.set(key, s);
      let a = this.actors.get(role);
      if (!a) { a = { role, running: true, sockets: [] }; this.actors.set(role, a); }
      a.sockets.push(s);
    }
    return s;
  }

  apply(e: TraceEvent): void {
    const a = this.actors.get(e.actor);
    switch (e.kind) {
      case 'spawn': if (a) { a.pid = e.pid; a.running = true; } break;
      case 'exit': if (a) { a.running = false; a.exit = { code: e.code, signal: e.signal }; } break;
      case 'listen': { const s = this.sockOf(e.actor, e.sock); s.local = e.local; s.state = 'listening'; break; }
      case 'accept':
      case 'connect': { const s = this.sockOf(e.actor, e.sock); s.local = e.local; s.remote = e.remote; s.state = 'connected'; break; }
      case 'write': { const s = this.sockOf(e.actor, e.sock); s.written += e.bytes; if (!e.ok) s.blocked = true; break; }
      case 'drain': this.sockOf(e.actor, e.sock).blocked = false; break;
      case 'data': this.sockOf(e.actor, e.sock).read += e.bytes; break;
      case 'end': { const s = this.sockOf(e.actor, e.sock); s.state = s.state === 'peer closed' ? 'both sides closed' : 'FIN sent (end)'; break; }
      case 'eof': { const s = this.sockOf(e.actor, e.sock); s.state = s.state === 'FIN sent (end)' ? 'both sides closed' : 'peer closed'; break; }
      case 'destroy': this.sockOf(e.actor, e.sock).state = 'destroyed'; break;
      case 'close': this.sockOf(e.actor, e.sock).state = 'closed'; break;
      // Datagram sockets (shared/trace/datagram-events.ts): bound, maybe connected, no stream.
      case 'bind': { const s = this.sockOf(e.actor, e.sock); s.local = e.local; s.state = 'bound (UDP)'; break; }
      case 'dgram-connect': { const s = this.sockOf(e.actor, e.sock); s.local = e.local; s.remote = e.remote; s.state = 'connected (UDP)'; break; }
      case 'send': if (!e.error) this.sockOf(e.actor, e.sock).written += e.bytes; break;
      case 'message': this.sockOf(e.actor, e.sock).read += e.bytes; break;
      default: break;
    }
  }

  /** A deep copy: checkpoints must not change when the copy is applied to. */
  clone(): ActorsState {
    const c = new ActorsState();
    const copies = new Map<SocketView, SocketView>();
    for (const [key, s] of this.socks) { const d = { ...s }; copies.set(s, d); c.socks.set(key, d); }
    for (const [role, a] of this.actors) {
      c.actors.set(role, { ...a, ...(a.exit ? { exit: { ...a.exit } } : {}), sockets: a.sockets.map((s) => copies.get(s) ?? { ...s }) });
    }
    return c;
  }
}

/** The socket a pane header should describe: the latest connection, else the listener. */
export function primarySocket(a: ActorView | undefined): SocketView | undefined {
  if (!a) return undefined;
  const conns = a.sockets.filter((s) => s.remote);
  return conns[conns.length - 1] ?? a.sockets[0];
}

export function formatAddress(a: Address | undefined): string {
  if (!a) return '—';
  // A Unix socket has a path, an abstract name (leading NUL, shown as "@") or no name at all.
  if (a.family === 'unix') return a.address ? a.address.replace(/\0/g, '@') : '(unnamed)';
  return a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}

/** One line describing an event for lists and the ladder. */
export function describeEvent(e: TraceEvent): string {
  switch (e.kind) {
    case 'spawn': return `spawn pid ${e.pid}`;
    case 'exit': return `exit ${e.signal ?? `code ${e.code}`}`;
    case 'listen': return `listen ${formatAddress(e.local)}`;
    case 'accept': return `accept from ${formatAddress(e.remote)}`;
    case 'connecting': return `connect() to ${formatAddress(e.remote)}`;
    case 'connect': return `connected ${formatAddress(e.local)} → ${formatAddress(e.remote)}`;
    case 'write': return `write ${e.bytes} B${e.calls && e.calls > 1 ? ` (${e.calls} calls)` : ''}${e.ok ? '' : ' → false (backpressure)'}${e.queued ? `, ${e.queued} B queued in Node` : ''}`;
    case 'drain': return `drain after ${e.waitedMs.toFixed(1)} ms blocked`;
    case 'data': return `read ${e.bytes} B`;
    case 'end': return 'end() — send FIN';
    case 'eof': return 'peer closed (EOF)';
    case 'destroy': return `destroy()${e.queued ? `, ${e.queued} B discarded from Node's queue` : ''}`;
    case 'close': return `closed${e.hadError ? ' after error' : ''}${e.blockedMs !== undefined ? `, close blocked ${e.blockedMs.toFixed(0)} ms` : ''}`;
    case 'error': return `error ${e.code}${e.syscall ? ` in ${e.syscall}` : ''}`;
    case 'stdout': case 'stderr': case 'stdin': return `${e.kind}: ${JSON.stringify(e.text.length > 60 ? e.text.slice(0, 60) + '…' : e.text)}`;
    case 'note': return `${e.level}: ${e.text}`;
    case 'custom': return `${e.name} ${Object.entries(e.data).map(([k, v]) => `${k}=${formatValue(v)}`).join(' ')}`;
    case 'observation': return `${e.final === false && !e.held ? '…' : VERDICT_MARK[eventResult(e)]} ${e.label}${e.final === false ? ' (so far)' : ''}`;
    case 'control': return `control: ${e.command}`;
    case 'bookmark': return `bookmark: ${e.note}`;
    case 'bind': return `bind ${formatAddress(e.local)} (${e.proto})`;
    case 'dgram-connect': return `connect (UDP: no handshake) ${formatAddress(e.local)} → ${formatAddress(e.remote)}`;
    case 'send': return `send ${e.calls && e.calls > 1 ? `${e.calls} datagrams of ${e.size ?? '?'} B` : `datagram ${e.bytes} B`}${e.to ? ` to ${formatAddress(e.to)}` : ''}${e.error ? ` → ${e.error}` : ''}`;
    case 'message': return `received ${e.calls && e.calls > 1 ? `${e.calls} datagrams of ${e.size ?? '?'} B` : `datagram ${e.bytes} B`} from ${formatAddress(e.from)}`;
    case 'sockopt': return `setsockopt ${e.option}: asked ${jsonOf(e.requested)}, kernel says ${jsonOf(e.effective)}`;
    default: return (e as { kind: string }).kind;
  }
}

/** A value from an actor's report, for people: fractions rounded (4.710999 → 4.71), objects as JSON. */
function formatValue(v: unknown): string {
  if (typeof v === 'number' && !Number.isInteger(v)) return String(Math.round(v * 100) / 100);
  return textOf(v);
}
