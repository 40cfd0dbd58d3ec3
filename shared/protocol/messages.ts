import { z } from 'zod';
import { TraceLine } from '../trace/schema.js';
import { CatalogEntry } from './catalog.js';

/** WebSocket messages, both directions. Every message is validated on arrival. */

const RunId = z.string().min(1).max(64);
const Role = z.string().min(1).max(64);

export const ClientMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('run'), req: z.string().max(64), experiment: z.string().max(64), params: z.record(z.string(), z.unknown()).default({}) }),
  z.object({ type: z.literal('stop'), runId: RunId }),
  /** A line typed into a pane, sent on Enter (already includes its newline). */
  z.object({ type: z.literal('stdin'), runId: RunId, role: Role, text: z.string().max(4096) }),
  z.object({ type: z.literal('control'), runId: RunId, role: Role, command: z.string().min(1).max(64), args: z.record(z.string(), z.unknown()).default({}) }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;

export const Limits = z.object({
  maxConcurrentRuns: z.number().int(),
  maxRunMs: z.number().int(),
  stdinBytesPerSecond: z.number().int(),
  maxPayloadBytes: z.number().int(),
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
