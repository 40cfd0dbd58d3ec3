/**
 * Packet timestamps are wall-clock time (the kernel stamps each packet with CLOCK_REALTIME);
 * the trace runs on the monotonic clock. This finds the offset between the two to within a few
 * microseconds without any native call: Date.now() is the wall clock truncated to whole
 * milliseconds, so the moment it ticks over is an exact wall-clock instant; reading the monotonic
 * clock right then pins the offset down. Busy-waits at most ~2 ms.
 */
import { monoMicros } from '../actor/clock.js';

export interface ClockOffset {
  /** wall-clock µs minus monotonic µs: mono = wall - offsetMicros. */
  offsetMicros: number;
  /** How sure: the gap between the two monotonic readings around the tick (µs). */
  uncertaintyMicros: number;
}

export function wallToMonoOffset(): ClockOffset {
  let best: ClockOffset | null = null;
  // Three tick edges; keep the tightest bracket (a preemption mid-loop widens one).
  for (let round = 0; round < 3; round++) {
    const start = Date.now();
    let before = monoMicros();
    let now = Date.now();
    for (let i = 0; now === start && i < 5_000_000; i++) {
      before = monoMicros();
      now = Date.now();
    }
    const after = monoMicros();
    if (now === start) continue; // the clock did not tick within the bound: try again
    const c = { offsetMicros: now * 1000 - (before + after) / 2, uncertaintyMicros: (after - before) / 2 };
    if (!best || c.uncertaintyMicros < best.uncertaintyMicros) best = c;
  }
  // Fallback (never seen in practice): one plain reading, good to a millisecond.
  return best ?? { offsetMicros: Date.now() * 1000 - monoMicros(), uncertaintyMicros: 1000 };
}
