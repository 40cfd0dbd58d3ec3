import type { Address } from './common.js';
import type { EventKind, EventOf, TraceEvent, TraceLine } from './schema.js';

/** One connected socket of a program, as its connect or accept event describes it. */
export interface Connection {
  actor: string;
  sock: string;
  t: number;
  local: Address;
  remote: Address;
  /** Accepted (a server's end) or connected (a client's end). */
  via: 'accept' | 'connect';
  /**
   * Both ends are the run's own programs: the peer's address is the local address of another
   * role's connection. False for a connection from outside the run (nc, a browser, another lab).
   */
  own: boolean;
}

/** An address as one key; an IPv4-mapped IPv6 address (a dual-stack socket's view) is its IPv4 address. */
const addrKey = (a: Address) => `${a.address.toLowerCase().replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1')}|${a.port}`;

/**
 * Small read-only queries over a trace, shared by observations (server), the UI and tests so
 * that "what happened" is computed one way everywhere.
 */
export class TraceQuery {
  constructor(readonly events: readonly TraceEvent[]) {}

  static fromLines(lines: readonly TraceLine[]): TraceQuery {
    return new TraceQuery(lines.filter((l): l is TraceEvent => l.type === 'event'));
  }

  of<K extends EventKind>(kind: K, actor?: string): EventOf<K>[] {
    return this.events.filter((e): e is EventOf<K> => e.kind === kind && (actor === undefined || e.actor === actor));
  }

  first<K extends EventKind>(kind: K, actor?: string, pred?: (e: EventOf<K>) => boolean): EventOf<K> | undefined {
    for (const e of this.events) {
      if (e.kind === kind && (actor === undefined || e.actor === actor) && (!pred || pred(e as EventOf<K>))) return e as EventOf<K>;
    }
    return undefined;
  }

  /** Total bytes of `write` or `data` events of one actor. */
  bytes(kind: 'write' | 'data', actor: string): number {
    let n = 0;
    for (const e of this.events) if (e.kind === kind && e.actor === actor) n += e.bytes;
    return n;
  }

  /** Text an actor printed on stdout (and stderr when asked). */
  output(actor: string, streams: ReadonlyArray<'stdout' | 'stderr' | 'stdin'> = ['stdout']): string {
    let s = '';
    for (const e of this.events) if ((e.kind === 'stdout' || e.kind === 'stderr' || e.kind === 'stdin') && e.actor === actor && streams.includes(e.kind)) s += e.text;
    return s;
  }

  custom(name: string, actor?: string): EventOf<'custom'>[] {
    return this.of('custom', actor).filter((e) => e.name === name);
  }

  /** The first event of a kind at or after `t`. */
  firstAfter<K extends EventKind>(kind: K, t: number, actor?: string, pred?: (e: EventOf<K>) => boolean): EventOf<K> | undefined {
    return this.first(kind, actor, (e) => e.t >= t && (!pred || pred(e)));
  }

  /** The last event of a kind at or before `t`. */
  lastBefore<K extends EventKind>(kind: K, t: number, actor?: string, pred?: (e: EventOf<K>) => boolean): EventOf<K> | undefined {
    let found: EventOf<K> | undefined;
    for (const e of this.events) {
      if (e.t > t) continue;
      if (e.kind === kind && (actor === undefined || e.actor === actor) && (!pred || pred(e as EventOf<K>))) found = e as EventOf<K>;
    }
    return found;
  }

  /** Events of a kind with `from` ≤ t ≤ `to` (a span: a pause, a stall). */
  during<K extends EventKind>(kind: K, from: number, to: number, actor?: string): EventOf<K>[] {
    return this.of(kind, actor).filter((e) => e.t >= from && e.t <= to);
  }

  /**
   * Every connection the run's programs made or accepted, each marked `own` when its peer is
   * another of the run's programs (so a check can leave out, or name, connections from outside).
   */
  connections(): Connection[] {
    const raw: Omit<Connection, 'own'>[] = [];
    for (const e of this.events) {
      if (e.kind === 'connect' || e.kind === 'accept') raw.push({ actor: e.actor, sock: e.sock, t: e.t, local: e.local, remote: e.remote, via: e.kind });
    }
    const locals = new Map<string, string>();
    for (const c of raw) locals.set(addrKey(c.local), c.actor);
    return raw.map((c) => {
      const peer = locals.get(addrKey(c.remote));
      return { ...c, own: peer !== undefined && peer !== c.actor };
    });
  }

  /**
   * The kernel's last look at a socket before it went away (or before `t`): a sample whose state
   * is not GONE. The GONE sample at the end of a run says the socket is freed, not that its
   * queues were empty, so a check about queues reads this one.
   */
  lastLiveSample(key: string, t = Infinity): EventOf<'sample'> | undefined {
    return this.lastBefore('sample', t, undefined, (s) => s.key === key && s.state !== 'GONE');
  }
}

/** True when every event is present and each comes no later than the next: a before b before c. */
export function inOrder(...events: ReadonlyArray<{ t: number } | undefined>): boolean {
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (!e) return false;
    if (i > 0 && events[i - 1]!.t > e.t) return false;
  }
  return true;
}
