import type { EventOf, TraceEvent, TraceFooter, TraceHeader, TraceLine } from './schema.js';

type StdioEvent = EventOf<'stdout'> | EventOf<'stderr'> | EventOf<'stdin'>;

/**
 * A growing trace, kept sorted by time: the live view appends batches as they arrive, a replay
 * loads a whole file; every view asks "what had happened by t?" through `indexAt`.
 * Actors stamp their own events on the shared monotonic clock and report them in batches, so a
 * line may arrive slightly after a later-stamped one; it is inserted in time order.
 */
export class TraceStore {
  header: TraceHeader | null = null;
  footer: TraceFooter | null = null;
  readonly events: TraceEvent[] = [];
  /**
   * The same events in arrival order, append-only: derived indexes (kernel samples per socket,
   * …) read what is new since they last looked, without rescanning `events`, where a late line
   * may have been inserted anywhere.
   */
  readonly arrived: TraceEvent[] = [];
  /** Terminal traffic per actor, in order: panes render from here without rescanning the trace. */
  private readonly stdioByActor = new Map<string, StdioEvent[]>();
  /** Bumped on every change, so views can tell cheaply whether to redraw. */
  version = 0;
  private extendedTo: number | undefined;

  /**
   * When the run is due to end, in ms from its start: the latest run-length event (the browser's
   * "+ time"), else the header's length; undefined for traces written before runs had one.
   */
  get endsAtMs(): number | undefined {
    return this.extendedTo ?? this.header?.durationMs;
  }

  append(lines: readonly TraceLine[]): void {
    for (const line of lines) {
      if (line.type === 'header') this.header = line;
      else if (line.type === 'footer') this.footer = line;
      else this.insert(line);
    }
    this.version++;
  }

  private insert(e: TraceEvent): void {
    if (e.kind === 'stdout' || e.kind === 'stderr' || e.kind === 'stdin') {
      let list = this.stdioByActor.get(e.actor);
      if (!list) { list = []; this.stdioByActor.set(e.actor, list); }
      insertByTime(list, e);
    }
    if (e.kind === 'run-length' && (this.extendedTo === undefined || e.durationMs > this.extendedTo)) this.extendedTo = e.durationMs;
    insertByTime(this.events, e);
    this.arrived.push(e);
  }

  /** An actor's terminal traffic (stdout, stderr, stdin) in time order. */
  stdio(actor: string): readonly StdioEvent[] {
    return this.stdioByActor.get(actor) ?? [];
  }

  /** Number of events with time ≤ t (the prefix a view at cursor t may show). */
  indexAt(t: number): number {
    return countUpTo(this.events, t);
  }

  /** The time of the last thing known: the footer, else the last event. */
  get endTime(): number {
    return Math.max(this.footer?.t ?? 0, this.events[this.events.length - 1]?.t ?? 0);
  }

  toLines(): TraceLine[] {
    const out: TraceLine[] = [];
    if (this.header) out.push(this.header);
    out.push(...this.events);
    if (this.footer) out.push(this.footer);
    return out;
  }
}

/** Insert keeping time order; events almost always arrive in order, so search from the end. */
export function insertByTime<E extends { t: number }>(list: E[], e: E): void {
  let i = list.length;
  while (i > 0 && list[i - 1]!.t > e.t) i--;
  if (i === list.length) list.push(e);
  else list.splice(i, 0, e);
}

/** Number of items of a time-ordered list with t ≤ `t`. */
export function countUpTo(list: readonly { t: number }[], t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.t <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
