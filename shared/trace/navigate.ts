/**
 * Moving the cursor through a trace: the next or previous moment something happened, the next
 * observation, the bookmarks. Pure functions over the time-sorted events of a TraceStore, so the
 * replay controls and their tests share one definition of "the next event".
 */
import type { TraceEvent } from './schema.js';
import { countUpTo } from './store.js';
import type { BookmarkEvent } from './user-events.js';

/**
 * Kernel samples (and Node buffer states) are periodic measurements, not things that happened: stepping through them
 * would take hundreds of key presses per second of run. Everything else is a step.
 */
const NOT_STEPS: ReadonlySet<string> = new Set(['sample', 'nodestate']);
export function isStep(e: TraceEvent): boolean {
  return !NOT_STEPS.has(e.kind);
}

/** The time of the first step strictly after t, or null at the end. */
export function nextStepTime(events: readonly TraceEvent[], t: number, pred: (e: TraceEvent) => boolean = isStep): number | null {
  for (let i = countUpTo(events, t); i < events.length; i++) if (pred(events[i]!)) return events[i]!.t;
  return null;
}

/** The time of the last step strictly before t, or null at the start. */
export function prevStepTime(events: readonly TraceEvent[], t: number, pred: (e: TraceEvent) => boolean = isStep): number | null {
  let i = countBefore(events, t) - 1;
  for (; i >= 0; i--) if (pred(events[i]!)) return events[i]!.t;
  return null;
}

/** The next observation result after t (one that held, or a final one). */
export function nextObservationTime(events: readonly TraceEvent[], t: number): number | null {
  // A live "not yet" is not a moment to stop at; a result that held, or a final one, is.
  return nextStepTime(events, t, (e) => e.kind === 'observation' && (e.held || e.final !== false));
}

/** The bookmarks in time order. */
export function bookmarksOf(events: readonly TraceEvent[]): BookmarkEvent[] {
  const out: BookmarkEvent[] = [];
  for (const e of events) if (e.kind === 'bookmark') out.push(e);
  return out;
}

/** Number of items with t < `t` (strictly). */
function countBefore(list: readonly { t: number }[], t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.t < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Event counts per time bin and per lane, for drawing a whole run in a strip a few hundred
 * pixels wide without one mark per event.
 */
export interface TimelineBins {
  lanes: string[];
  bins: number;
  end: number;
  /** counts[lane][bin] */
  counts: number[][];
  max: number;
}

export function timelineBins(events: readonly TraceEvent[], lanes: readonly string[], end: number, bins: number): TimelineBins {
  const laneOf = new Map(lanes.map((l, i) => [l, i]));
  const counts = lanes.map(() => new Array<number>(bins).fill(0));
  const span = end > 0 ? end : 1;
  let max = 0;
  for (const e of events) {
    if (!isStep(e)) continue;
    const lane = laneOf.get(e.actor);
    if (lane === undefined) continue;
    const b = Math.min(bins - 1, Math.max(0, Math.floor((e.t / span) * bins)));
    const c = ++counts[lane]![b]!;
    if (c > max) max = c;
  }
  return { lanes: [...lanes], bins, end, counts, max };
}
