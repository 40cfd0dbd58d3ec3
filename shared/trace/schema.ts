import { z } from 'zod';
import { processEvents } from './process-events.js';
import { socketEvents } from './socket-events.js';
import { kernelEvents } from './kernel-events.js';
import { userEvents } from './user-events.js';
import { captureEvents } from './capture-events.js';
import { datagramEvents } from './datagram-events.js';
import { CatalogEntry } from '../protocol/catalog.js';

export const TRACE_VERSION = 1;

export const Platform = z.object({
  os: z.string(),
  kernel: z.string(),
  node: z.string(),
  arch: z.string().optional(),
});

/** Line 1 of every trace. */
export const TraceHeader = z.object({
  type: z.literal('header'),
  version: z.literal(TRACE_VERSION),
  experiment: z.string(),
  title: z.string().optional(),
  params: z.record(z.string(), z.unknown()),
  roles: z.array(z.string()).default([]),
  platform: Platform,
  /** What this run could observe: 'on', or why not ("not Linux", "needs root"). */
  capabilities: z.record(z.string(), z.string()).default({}),
  startedAt: z.string(),
  /** How long the run was set to last, in ms from its start (run-length events extend it). Absent in older traces. */
  durationMs: z.number().int().min(0).optional(),
  /**
   * The experiment as the run used it (narrative, roles with their source, observations), so a
   * replay needs no lab to explain itself. Optional: traces written before it existed still read.
   */
  catalog: CatalogEntry.optional(),
});
export type TraceHeader = z.infer<typeof TraceHeader>;

export const TraceEvent = z.discriminatedUnion('kind', [...processEvents, ...socketEvents, ...kernelEvents, ...userEvents, ...captureEvents, ...datagramEvents]);
export type TraceEvent = z.infer<typeof TraceEvent>;
export type EventKind = TraceEvent['kind'];
/** The event type(s) of a kind; works for kinds that share one schema (stdout/stderr/stdin). */
type ByKind<E, K> = E extends { kind: infer EK } ? (K extends EK ? E : never) : never;
export type EventOf<K extends EventKind> = ByKind<TraceEvent, K>;

/** The last line: how the run ended. */
export const TraceFooter = z.object({
  type: z.literal('footer'),
  t: z.number().min(0),
  outcome: z.enum(['completed', 'stopped', 'timeout', 'failed']),
  reason: z.string().optional(),
  /** How the final verdicts came out (`failed` and `notReached` are absent in older traces). */
  observations: z.object({ held: z.number().int(), total: z.number().int(), failed: z.number().int().optional(), notReached: z.number().int().optional() }),
});
export type TraceFooter = z.infer<typeof TraceFooter>;

export const TraceLine = z.union([TraceHeader, TraceEvent, TraceFooter]);
export type TraceLine = z.infer<typeof TraceLine>;
