/**
 * Small hand-made traces for observation unit tests (test/unit/observations/*): events built
 * through the schema, checked by the experiment's own observations with its own defaults.
 */
import type { z } from 'zod';
import type { Experiment } from '../../server/experiments/experiment.js';
import { TraceQuery } from '../../shared/trace/query.js';
import { TraceEvent } from '../../shared/trace/schema.js';
import { resultOf, type CheckResult, type VerdictResult } from '../../shared/trace/verdict.js';

/** One trace event: `{ t, actor, kind, ... }` through the schema. */
export const ev = (o: Record<string, unknown>): TraceEvent => TraceEvent.parse({ type: 'event', ...o });

/** A loopback address (IPv6 when it has a colon). */
export const at = (port: number, address = '127.0.0.1') => ({ address, port, family: address.includes(':') ? 'IPv6' : 'IPv4' });

/** Base64 of a text (each character one byte, latin1) or of bytes, as a write's or read's `head`. */
export const b64 = (x: string | Uint8Array): string => Buffer.from(typeof x === 'string' ? Buffer.from(x, 'latin1') : x).toString('base64');

/** An IPv4 loopback address. */
export const addr = (port: number, address = '127.0.0.1') => ({ address, port, family: 'IPv4' as const });

/** A connection between two of the run's programs: the client's connect and the server's accept. */
export function connection(o: { t: number; client: string; csock: string; cport: number; server: string; ssock: string; sport: number; address?: string }): TraceEvent[] {
  const host = o.address ?? '127.0.0.1';
  return [
    ev({ t: o.t, actor: o.client, kind: 'connect', sock: o.csock, local: at(o.cport, host), remote: at(o.sport, host) }),
    ev({ t: o.t + 0.1, actor: o.server, kind: 'accept', sock: o.ssock, local: at(o.sport, host), remote: at(o.cport, host) }),
  ];
}

/** The same pair, from positional arguments: the client's connect at `t`, the server's accept 0.1 ms later. */
export function connectPair(t: number, client: { actor: string; sock: string; port: number }, server: { actor: string; sock: string; port: number }): TraceEvent[] {
  return connection({ t, client: client.actor, csock: client.sock, cport: client.port, server: server.actor, ssock: server.sock, sport: server.port });
}

/** A kernel sample of one socket (local > remote). */
export function sample(t: number, local: number, remote: number, state: string, more: Record<string, unknown> = {}, address = '127.0.0.1'): TraceEvent {
  return ev({ t, actor: 'kernel', kind: 'sample', key: `${address}:${local}>${address}:${remote}`, local: at(local, address), remote: at(remote, address), state, ...more });
}

/** A custom report of an actor. */
export const report = (t: number, actor: string, name: string, data: Record<string, unknown> = {}) => ev({ t, actor, kind: 'custom', name, data });

/** A process exit (the run's end for that actor). */
export const exit = (t: number, actor: string) => ev({ t, actor, kind: 'exit', pid: 1, code: null, signal: 'SIGTERM' });

/** Checks one observation of `exp` over `events`, with the experiment's defaults overridden by `params`. */
export function checker<S extends z.ZodObject>(exp: Experiment<S>) {
  return (id: string, events: readonly TraceEvent[], params: Record<string, unknown> = {}): { result: VerdictResult; detail: string } => {
    const o = exp.observations.find((x) => x.id === id);
    if (!o) throw new Error(`${exp.id} has no observation ${id}`);
    const r = o.check(new TraceQuery(events), exp.params.parse(params));
    return { result: resultOf(r), detail: r.detail };
  };
}

export interface Judged extends CheckResult { result: VerdictResult }

/** Runs one observation of `exp` on `events`, with the experiment's defaults overridden by `params`. */
export function judge(exp: Experiment, id: string, events: readonly TraceEvent[], params: Record<string, unknown> = {}): Judged {
  const o = exp.observations.find((x) => x.id === id);
  if (!o) throw new Error(`${exp.id} has no observation ${id}`);
  const r = o.check(new TraceQuery(events), { ...exp.params.parse({}), ...params });
  return { ...r, result: resultOf(r) };
}
