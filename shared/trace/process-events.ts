import { z } from 'zod';
import { eventBase } from './common.js';
import { VerdictResult } from './verdict.js';

/** Process lifecycle and terminal traffic of an actor. */
export const SpawnEvent = z.object({
  ...eventBase,
  kind: z.literal('spawn'),
  pid: z.number().int(),
  program: z.string(),
});
export const ExitEvent = z.object({
  ...eventBase,
  kind: z.literal('exit'),
  pid: z.number().int(),
  code: z.number().int().nullable(),
  signal: z.string().nullable(),
});
/** Bytes the process wrote to stdout / stderr, or the lab wrote to its stdin. */
export const StdioEvent = z.object({
  ...eventBase,
  kind: z.enum(['stdout', 'stderr', 'stdin']),
  text: z.string(),
});
/** A message from the lab itself (capture off, limits hit, a program's own progress). */
export const NoteEvent = z.object({
  ...eventBase,
  kind: z.literal('note'),
  level: z.enum(['info', 'warn', 'error']),
  text: z.string(),
});
/** An actor's own structured report that no socket event covers (e.g. "read 7 bytes"). */
export const CustomEvent = z.object({
  ...eventBase,
  kind: z.literal('custom'),
  name: z.string().min(1).max(64),
  data: z.record(z.string(), z.unknown()).default({}),
});
/** The result of an experiment's expected observation. */
export const ObservationEvent = z.object({
  ...eventBase,
  kind: z.literal('observation'),
  id: z.string(),
  label: z.string(),
  /** result === 'held' (kept for readers of traces written before `result`). */
  held: z.boolean(),
  /** held, failed, or not reached (the run ended before the moment it needs): see verdict.ts. */
  result: VerdictResult.optional(),
  /** false while the run is live (a result "so far"); the result written at the end is final. */
  final: z.boolean().optional(),
  /** Written only because the detail changed while the result stayed the same (lists leave these out). */
  refresh: z.boolean().optional(),
  detail: z.string(),
});
/** A command the user sent to an actor while the run was live (pause reader, read all, ...). */
export const ControlEvent = z.object({
  ...eventBase,
  kind: z.literal('control'),
  command: z.string(),
  args: z.record(z.string(), z.unknown()).default({}),
});

/** The run was given longer to last (the browser's "+ time"): it is now due to end `durationMs` after its start. */
export const RunLengthEvent = z.object({
  ...eventBase,
  kind: z.literal('run-length'),
  durationMs: z.number().int().min(0),
});

export const processEvents = [SpawnEvent, ExitEvent, StdioEvent, NoteEvent, CustomEvent, ObservationEvent, ControlEvent, RunLengthEvent] as const;
