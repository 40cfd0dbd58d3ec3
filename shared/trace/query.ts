import type { EventKind, EventOf, TraceEvent, TraceLine } from './schema.js';

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
}
