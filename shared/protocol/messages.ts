import { z } from 'zod';
import { TraceLine } from '../trace/schema.js';
import { CatalogEntry } from './catalog.js';

/** WebSocket messages, both directions. Every message is validated on arrival. */

const RunId = z.string().min(1).max(64);
const Role = z.string().min(1).max(64);
export const MAX_CONTROL_ARGS = 16;
const ControlArgs = z.record(z.string().min(1).max(64), z.number().finite())
  .refine((o) => Object.keys(o).length <= MAX_CONTROL_ARGS, { message: `at most ${MAX_CONTROL_ARGS} arguments` });

export const ClientMessage = z.discriminatedUnion('type', [
  /** Start a run. `durationMs`: how long it may last (default and ceiling: the lab's limits). */
  z.object({ type: z.literal('run'), req: z.string().max(64), experiment: z.string().max(64), params: z.record(z.string(), z.unknown()).default({}), durationMs: z.number().int().min(1000).optional() }),
  /** Let a live run go on longer: `byMs` more, up to the lab's maxRunMs in all. */
  z.object({ type: z.literal('extend'), runId: RunId, byMs: z.number().int().min(1000).max(3_600_000) }),
  z.object({ type: z.literal('stop'), runId: RunId }),
  /** A line typed into a pane, sent on Enter (already includes its newline). */
  z.object({ type: z.literal('stdin'), runId: RunId, role: Role, text: z.string().max(4096) }),
  /** A live control (ControlSpec): its arguments are numbers only, a few of them. */
  z.object({ type: z.literal('control'), runId: RunId, role: Role, command: z.string().min(1).max(64), args: ControlArgs.default({}) }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;

/** The lab's limits (README, "Security model"), sent in `hello` so the UI can say them. */
export const Limits = z.object({
  /** Live runs one browser connection may have. */
  maxConcurrentRuns: z.number().int(),
  /** Live runs across every connection. */
  maxLabRuns: z.number().int(),
  /** Processes (actors and tcpdumps) the lab's live runs may have at once. */
  maxLabProcesses: z.number().int(),
  /** Open WebSocket connections. */
  maxConnections: z.number().int(),
  /** How long a browser run lasts unless it asks for another length or is extended. */
  defaultRunMs: z.number().int(),
  /** The longest a run may last, extensions included. */
  maxRunMs: z.number().int(),
  stdinBytesPerSecond: z.number().int(),
  /** Live controls (and extends) one connection may send a second. */
  controlsPerSecond: z.number().int(),
  maxPayloadBytes: z.number().int(),
  /** Deepest nesting of arrays and objects accepted in a message. */
  maxMessageDepth: z.number().int(),
  /** Trace bytes a run holds in memory; past them the rest is kept in its spill file. */
  maxTraceBytesInMemory: z.number().int(),
  /** Trace bytes a run may write in all; past them it is stopped. */
  maxTraceBytes: z.number().int(),
});
export type Limits = z.infer<typeof Limits>;

export const ServerMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), version: z.number().int(), catalog: z.array(CatalogEntry), limits: Limits }),
  z.object({ type: z.literal('run-started'), req: z.string(), runId: RunId }),
  /** A batch of trace lines for one run (sent at most 60 times a second). */
  z.object({ type: z.literal('trace'), runId: RunId, lines: z.array(TraceLine) }),
  z.object({ type: z.literal('run-ended'), runId: RunId }),
  /** Something the browser asked for could not be done; `req`/`runId` say what it was about. */
  z.object({ type: z.literal('error'), message: z.string(), req: z.string().optional(), runId: RunId.optional() }),
]);
export type ServerMessage = z.infer<typeof ServerMessage>;

export const PROTOCOL_VERSION = 1;
