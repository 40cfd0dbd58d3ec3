import type { z } from 'zod';
import type { TraceQuery } from '../../shared/trace/query.js';

/** One process of an experiment, e.g. the server or the client. */
export interface RoleSpec {
  name: string;
  /** The actor program, a file beside the experiment's index (compiled name, e.g. 'server.js'). */
  program: string;
  /** Start only after this role has reported its first `listen`; its port is passed as `serverPort`. */
  after?: string;
  /** This role listens: the lab's `--port` applies to it (parameter `port`). */
  listens?: boolean;
  /**
   * Start this role only when this returns true for the run's parameters (an optional relay, say).
   * A role that is not started is transparent: a role waiting `after` it waits for what it waits for.
   */
  enabled?: (params: Record<string, unknown>) => boolean;
  /** One line shown in the pane header: what this program is. */
  summary: string;
}

export interface ObservationResult { held: boolean; detail: string }

/** Something the experiment expects the kernel to show, checked against the trace. */
export interface ObservationSpec {
  id: string;
  label: string;
  check(q: TraceQuery, params: Record<string, unknown>): ObservationResult;
}

/** A live control shown while the run is live; sent to one role as a command. */
export interface ControlSpec {
  id: string;
  label: string;
  role: string;
  command: string;
  /** Parameters the control asks for (numbers only), e.g. { bytes: 7 }. */
  args?: Record<string, number>;
}

export interface Experiment<S extends z.ZodObject = z.ZodObject> {
  id: string;
  title: string;
  /** Catalog group, e.g. "Basics", "Flow control". */
  group: string;
  summary: string;
  /** Seed notes this experiment comes from (file prefixes in ../shared/seeds, e.g. "004"). */
  seeds: string[];
  /** Parameters: a zod object whose fields carry defaults, ranges and .describe() help text. */
  params: S;
  roles: RoleSpec[];
  /** What to notice: Markdown; says what the seed claims and what to look for on this kernel. */
  narrative: string;
  observations: ObservationSpec[];
  controls?: ControlSpec[];
  /** How long a headless run lasts unless --duration says otherwise. */
  defaultDurationMs: number;
  /** Finish as soon as every role has exited (one-shot programs) instead of waiting for the duration. */
  endWhenAllExit?: boolean;
}

export function defineExperiment<S extends z.ZodObject>(e: Experiment<S>): Experiment<S> {
  return e;
}
