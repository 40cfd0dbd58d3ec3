import { z } from 'zod';

/**
 * Messages between an actor process and the run manager over Node's IPC channel.
 * Actors send raw event records stamped with the system-wide monotonic clock (microseconds,
 * process.hrtime), so events from different processes order correctly; the run manager turns
 * them into trace events (adds `t`, `actor`) and validates them with the trace schema.
 */
export const ActorEventRecord = z.object({ kind: z.string().min(1).max(32), mono: z.number() }).passthrough();
export type ActorEventRecord = z.infer<typeof ActorEventRecord>;

export const ActorToLab = z.object({ type: z.literal('events'), events: z.array(ActorEventRecord).max(10_000) });
export type ActorToLab = z.infer<typeof ActorToLab>;

export const LabToActor = z.object({
  type: z.literal('control'),
  command: z.string().min(1).max(64),
  args: z.record(z.string(), z.unknown()).default({}),
});
export type LabToActor = z.infer<typeof LabToActor>;

export { ACTOR_ENV } from './actor-env.js';
