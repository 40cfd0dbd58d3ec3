import type { z } from 'zod';
import type { TraceQuery } from '../../shared/trace/query.js';
import type { CheckResult } from '../../shared/trace/verdict.js';
import type { RunPlugin } from '../run/plugin.js';

/** One process of an experiment, e.g. the server or the client. */
export interface RoleSpec {
  name: string;
  /** The actor program, a file beside the experiment's index (compiled name, e.g. 'server.js'). */
  program: string;
  /**
   * Start only after this role has reported its first `listen` (or `bind`, for a datagram socket);
   * its port is passed as `serverPort`. Every role that listened before is also passed as `<role>Port`.
   */
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

/**
 * What a check says: `held`, and a detail that says only what the check tested. `reached: false`
 * when the trace does not have the moment the check needs (the run ended first, a control was
 * never pressed): then the observation is "not reached", not failed (shared/trace/verdict.ts).
 */
export type ObservationResult = CheckResult;

/** Something the experiment expects the kernel to show, checked against the trace. */
export interface ObservationSpec {
  id: string;
  label: string;
  check(q: TraceQuery, params: Record<string, unknown>): ObservationResult;
}

/** A live control shown while the run is live; sent to one role as a command (role 'lab': to the experiment's fixture). */
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
  /**
   * Where it comes in the catalog (lower first; experiments without one come last, by id). The
   * registry discovers experiments by folder, so this, not a list, sets the order.
   */
  order?: number;
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
  /**
   * Checks beyond the schema that depend on how the lab was started (e.g. a target host must be
   * loopback or on the lab's --allow-target list). Returns why the parameters are refused, or
   * undefined. Runs before any process starts.
   */
  validate?: (params: Record<string, unknown>, ctx: ValidateContext) => string | undefined;
  /** Something the run prepares before the actors and removes after them (a network namespace). */
  fixture?: (params: Record<string, unknown>) => Fixture;
}

export interface ValidateContext {
  /** Hosts the lab was started with `--allow-target` for; loopback is always allowed. */
  allowTargets: readonly string[];
}

/**
 * A run plugin owned by one experiment (server/run/plugin.ts): started before the actors (its
 * status goes in the trace header's capabilities, e.g. "off: needs root"), stopped after every
 * actor has exited, so what it made (a network namespace, a veth pair) is removed even when an
 * actor crashed. The optional hooks let it shape how the actors start.
 */
export interface Fixture extends RunPlugin {
  /** Parameters added for every actor once started (e.g. the address inside a namespace). */
  actorParams?(): Record<string, unknown>;
  /** A command prefix for a role's process (e.g. ['ip', 'netns', 'exec', name]), or undefined. */
  launcher?(role: string): string[] | undefined;
  /** A command the lab carries out itself (a ControlSpec with role 'lab'); returns what it did. */
  command?(command: string, args: Record<string, unknown>): Promise<string> | string;
}

export function defineExperiment<S extends z.ZodObject>(e: Experiment<S>): Experiment<S> {
  return e;
}
