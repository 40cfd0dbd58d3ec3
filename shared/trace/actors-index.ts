/**
 * actorsAt for long traces: the state of the actors and their sockets is kept at checkpoints
 * every CHECKPOINT events (built once per trace version), so a seek applies at most that many
 * events to a copy of the nearest one instead of replaying the run from its start.
 */
import { actorsAt, ActorsState, type ActorView } from './derive.js';
import type { TraceEvent } from './schema.js';

export const CHECKPOINT = 8192;
/** Below this many events replaying from the start is as cheap as an index. */
export const INDEX_FROM_EVENTS = 20_000;

interface Index { length: number; roles: string; checkpoints: ActorsState[] }
const cache = new WeakMap<readonly TraceEvent[], Index>();

/** Same result as actorsAt(events, n, roles). */
export function actorsAtIndexed(events: readonly TraceEvent[], n: number, roles: readonly string[], always = false): Map<string, ActorView> {
  if (!always && events.length < INDEX_FROM_EVENTS) return actorsAt(events, n, roles);
  const end = Math.max(0, Math.min(n, events.length));
  const ix = indexFor(events, roles);
  const c = Math.floor(end / CHECKPOINT);
  const state = ix.checkpoints[c]!.clone();
  for (let i = c * CHECKPOINT; i < end; i++) state.apply(events[i]!);
  return state.actors;
}

function indexFor(events: readonly TraceEvent[], roles: readonly string[]): Index {
  const key = roles.join('\u0000');
  const hit = cache.get(events);
  if (hit && hit.length === events.length && hit.roles === key) return hit;
  const state = new ActorsState(roles);
  const checkpoints = [state.clone()];
  for (let i = 0; i < events.length; i++) {
    state.apply(events[i]!);
    if ((i + 1) % CHECKPOINT === 0) checkpoints.push(state.clone());
  }
  const ix = { length: events.length, roles: key, checkpoints };
  cache.set(events, ix);
  return ix;
}
