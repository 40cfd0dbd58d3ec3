import type { TraceEvent } from '../../shared/trace/schema.js';
import type { Address } from '../../shared/trace/common.js';

/** Distributes Omit over a union, so each event kind keeps its own fields. */
export type WithoutTime<E> = E extends unknown ? Omit<E, 't' | 'type'> : never;

/**
 * A source of trace events that runs beside the actors for the life of a run (the kernel
 * observer, packet capture). It lives in the lab server so it keeps watching while an actor is
 * blocked and after it has exited.
 */
export interface RunContext {
  runId: string;
  /** Append an event stamped now (or at `mono`, microseconds of the monotonic clock). */
  append(event: WithoutTime<TraceEvent>, mono?: number): void;
  /** Local ports the run's sockets use so far (listeners and both ends of connections). */
  ports(): ReadonlySet<number>;
  /** Called whenever a new port shows up in the trace. */
  onPort(listener: (port: number) => void): void;
  /**
   * Process ids of the run's actors now running: a socket one of them holds is the run's (the
   * kernel observer tells the run's sockets from another program's on the same port by this).
   * Optional: a context made without it gets port-matching only.
   */
  pids?(): readonly number[];
  /** Called for every connection an actor reports (`connect` / `accept`), its own side first. */
  onConnection?(listener: (local: Address, remote: Address) => void): void;
}

export interface RunPlugin {
  name: string;
  /** Returns a short status for the trace header capabilities: 'on' or why it is off. */
  start(ctx: RunContext): Promise<string> | string;
  stop(): Promise<void> | void;
}

export type RunPluginFactory = () => RunPlugin;
