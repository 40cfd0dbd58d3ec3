/**
 * Small hand-made traces for observation unit tests: events through the real schema, a check run
 * the way the lab runs it (with the experiment's default parameters), and its three-way result.
 */
import { TraceQuery } from '../../shared/trace/query.js';
import { TraceEvent } from '../../shared/trace/schema.js';
import { resultOf, type CheckResult, type VerdictResult } from '../../shared/trace/verdict.js';
import type { Experiment } from '../../server/experiments/experiment.js';

/** One event line: `{ t, actor, kind, ... }` parsed by the trace schema (so a test cannot build a line the lab would refuse). */
export const ev = (o: Record<string, unknown>): TraceEvent => TraceEvent.parse({ type: 'event', ...o });

export const addr = (port: number, address = '127.0.0.1') => ({ address, port, family: 'IPv4' as const });

/** base64 of text (latin1) or bytes, as `head` fields carry them. */
export const b64 = (x: string | Uint8Array): string => Buffer.from(typeof x === 'string' ? Buffer.from(x, 'latin1') : x).toString('base64');

export interface Judged extends CheckResult { result: VerdictResult }

/** Runs one observation of `exp` on `events`, with the experiment's defaults overridden by `params`. */
export function judge(exp: Experiment, id: string, events: readonly TraceEvent[], params: Record<string, unknown> = {}): Judged {
  const o = exp.observations.find((x) => x.id === id);
  if (!o) throw new Error(`${exp.id} has no observation ${id}`);
  const r = o.check(new TraceQuery(events), { ...exp.params.parse({}), ...params });
  return { ...r, result: resultOf(r) };
}

/** A connection between two of the run's programs: the client's connect and the server's accept. */
export function connection(t: number, client: { actor: string; sock: string; port: number }, server: { actor: string; sock: string; port: number }): TraceEvent[] {
  return [
    ev({ t, actor: client.actor, kind: 'connect', sock: client.sock, local: addr(client.port), remote: addr(server.port) }),
    ev({ t: t + 0.1, actor: server.actor, kind: 'accept', sock: server.sock, local: addr(server.port), remote: addr(client.port) }),
  ];
}
