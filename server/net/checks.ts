/**
 * Small trace queries shared by the More-TCP experiments' observations (kernel samples, ports,
 * custom reports). Pure functions of the trace: observations compute, never assume.
 */
import type { TraceQuery } from '../../shared/trace/query.js';
import type { EventOf } from '../../shared/trace/schema.js';

export type Sample = EventOf<'sample'>;

/** The port of an actor's first listening socket, from its `listen` event. */
export function listenPort(q: TraceQuery, actor: string): number | undefined {
  return q.first('listen', actor)?.local.port;
}

/** Kernel samples, optionally only those matching `pred`. */
export function samples(q: TraceQuery, pred: (s: Sample) => boolean = () => true): Sample[] {
  return q.of('sample').filter(pred);
}

/** Distinct socket keys among samples. */
export function keysOf(list: readonly Sample[]): Set<string> {
  return new Set(list.map((s) => s.key));
}

/** What to say when an observation needs kernel samples and the trace has none. */
export function noSamples(q: TraceQuery): string | undefined {
  return q.of('sample').length === 0 ? 'no kernel samples in the trace (is the kernel view on? see the trace header capabilities)' : undefined;
}

/** The `data` of an actor's custom reports of one name. */
export function reports<T = Record<string, unknown>>(q: TraceQuery, name: string, actor?: string): Array<T & { t: number }> {
  return q.custom(name, actor).map((e) => ({ ...(e.data as T), t: e.t }));
}

/** The text of the base64 `head` of a write or data event. */
export function headText(e: { head?: string | undefined }): string {
  return e.head ? Buffer.from(e.head, 'base64').toString('utf8') : '';
}

export const ms = (n: number) => `${n.toFixed(n < 10 ? 2 : 0)} ms`;
