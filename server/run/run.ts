/**
 * One run of an experiment: spawns each role as its own process, turns what they report into
 * one append-only trace, watches for the end, and leaves no process behind.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { ActorToLab, ACTOR_ENV } from '../../shared/protocol/actor-ipc.js';
import { TraceEvent, TraceHeader, TRACE_VERSION, type EventOf, type TraceFooter, type TraceLine } from '../../shared/trace/schema.js';
import { TraceQuery } from '../../shared/trace/query.js';
import { countResults, resultOf, type CheckResult, type VerdictResult } from '../../shared/trace/verdict.js';
import type { Experiment, Fixture, RoleSpec } from '../experiments/experiment.js';
import { monoMicros } from '../actor/clock.js';
import { actorProgramPath } from './paths.js';
import { childEnv } from './child-env.js';
import { jsonDepthProblem } from '../../shared/json/depth.js';
import { MAX_JSON_DEPTH } from '../../shared/trace/reader.js';
import { Redactor } from './redact.js';
import { TraceKeeper } from './trace-keeper.js';
import { platformInfo } from './platform.js';
import { catalogEntry } from '../experiments/catalog.js';
import type { RunContext, RunPlugin, RunPluginFactory, WithoutTime } from './plugin.js';
import type { Address } from '../../shared/trace/common.js';

export interface RunOptions {
  experiment: Experiment;
  /** Raw parameters; validated here against the experiment's schema. */
  params: Record<string, unknown>;
  /** End the run after this long (ms). */
  durationMs: number;
  /** Fixed port for the listening role (the CLI's --port); 0 = any. */
  listenPort?: number;
  plugins?: RunPluginFactory[];
  /** Hosts the lab was started with `--allow-target` for (see Experiment.validate). */
  allowTargets?: readonly string[];
  /** Strings cut out of every trace line (the lab's token: see redact.ts). */
  secrets?: readonly string[];
  /** Trace bytes held in memory before the run spills to a file (trace-keeper.ts). */
  maxTraceBytesInMemory?: number;
  /** Trace bytes in all; past them the run is stopped. */
  maxTraceBytes?: number;
}

/** Defaults for runs that do not set them (the CLI); the lab server passes its own limits. */
export const DEFAULT_TRACE_BYTES_IN_MEMORY = 64 * 1024 * 1024;
export const DEFAULT_TRACE_BYTES = 512 * 1024 * 1024;

type Outcome = TraceFooter['outcome'];

interface Actor { role: RoleSpec; child: ChildProcess; exited: boolean }

/** How long an actor gets after SIGTERM before SIGKILL. */
const KILL_GRACE_MS = 1500;
/** Observations are re-checked this often while a run is live, so the checklist fills in live. */
const OBSERVE_EVERY_MS = 250;

/** `line` carries each trace line with its JSON text (redacted), so no listener serializes it again. */
export class Run extends EventEmitter<{ line: [TraceLine, string]; end: [TraceFooter] }> {
  readonly id = randomUUID();
  private readonly keeper: TraceKeeper;
  private readonly redactor: Redactor;
  /** The latest result of each observation (the final one once the run has ended). */
  readonly observationResults = new Map<string, Pick<EventOf<'observation'>, 'id' | 'label' | 'held' | 'detail'> & { result: VerdictResult }>();
  /** When each observation was last written (performance.now), so a changing detail is written at most once a second. */
  private readonly observedAt = new Map<string, number>();
  private durationMs: number;
  private durationTimer: NodeJS.Timeout | null = null;
  private limitHit = false;
  readonly params: Record<string, unknown>;
  private readonly startMono = monoMicros();
  private readonly actors = new Map<string, Actor>();
  private readonly portSet = new Set<number>();
  private readonly portListeners: ((p: number) => void)[] = [];
  private readonly connectionListeners: ((local: Address, remote: Address) => void)[] = [];
  /** The first port each role listened on or bound (passed to later roles as `<role>Port`). */
  private readonly rolePorts = new Map<string, number>();
  private readonly plugins: RunPlugin[] = [];
  private readonly listenWaiters = new Map<string, (port: number) => void>();
  private readonly timers: NodeJS.Timeout[] = [];
  private ending: Promise<TraceFooter> | null = null;
  private footer: TraceFooter | null = null;
  /** Lines written before the header was (see push); null once the header is out. */
  private early: [TraceLine, string][] | null = [];
  /** The experiment's own setup (a network namespace), if it has one; started as a plugin. */
  private fixture: Fixture | undefined;
  /** Settles once start() has its plugins started and the header written (see start). */
  private started: Promise<void> = Promise.resolve();

  constructor(private readonly opts: RunOptions) {
    super();
    const parsed = opts.experiment.params.safeParse({ ...opts.params, ...(opts.listenPort ? { port: opts.listenPort } : {}) });
    if (!parsed.success) throw new ParamError(parsed.error.issues.map((i) => `${i.path.join('.') || 'params'}: ${i.message}`).join('; '));
    this.params = parsed.data as Record<string, unknown>;
    const refused = opts.experiment.validate?.(this.params, { allowTargets: opts.allowTargets ?? [] });
    if (refused) throw new ParamError(refused);
    this.durationMs = opts.durationMs;
    this.redactor = new Redactor(opts.secrets ?? []);
    this.keeper = new TraceKeeper({
      maxBytesInMemory: opts.maxTraceBytesInMemory ?? DEFAULT_TRACE_BYTES_IN_MEMORY,
      maxBytes: opts.maxTraceBytes ?? DEFAULT_TRACE_BYTES,
    });
  }

  /** The trace lines held in memory: all of them, unless the run spilled (then see `trace()`). */
  get lines(): readonly TraceLine[] { return this.keeper.lines; }
  /** The whole trace so far, from memory or read back from the spill file. */
  trace(): TraceLine[] { return this.keeper.all(); }
  /** Bytes of trace written so far (JSON Lines), and whether they outgrew memory. */
  get traceBytes(): number { return this.keeper.bytes; }
  get spilled(): boolean { return this.keeper.spilled; }
  /** The spill file while the run is live and has spilled (removed when it ends). */
  get spillFile(): string | undefined { return this.keeper.spillFile; }

  get experiment(): Experiment { return this.opts.experiment; }
  get ended(): boolean { return this.footer !== null; }
  get pids(): number[] { return [...this.actors.values()].filter((a) => !a.exited && a.child.pid).map((a) => a.child.pid!); }

  /** Milliseconds since the run started, from a monotonic-clock reading in microseconds. */
  private tOf(mono: number): number { return Math.max(0, (mono - this.startMono) / 1000); }

  private push(line: TraceLine): void {
    if (this.footer) return;
    let json: string;
    try { json = JSON.stringify(line); } catch (err) {
      // Only a value nothing bounded could do this (a program's report nested thousands deep).
      if (line.type === 'event' && line.kind !== 'note') this.note('error', `dropped a ${line.kind} event of ${line.actor} that cannot be written as JSON: ${(err as Error).message}`);
      return;
    }
    // Never write a line the trace reader would refuse (a program's report nested past the limit).
    const deep = line.type === 'event' ? jsonDepthProblem(json, MAX_JSON_DEPTH) : null;
    if (deep && line.type === 'event') {
      this.note('error', `dropped a ${line.kind} event of ${line.actor}: ${deep} (a trace line may nest at most ${MAX_JSON_DEPTH})`);
      return;
    }
    ({ line, json } = this.redactor.line(line, json));
    // The lab's own closing lines (observations, notes) are kept even past the cap, so a run
    // stopped for its size still says how it ended.
    const own = line.type === 'event' && line.actor === 'lab' && (line.kind === 'observation' || line.kind === 'note');
    const kept = own ? this.keeper.addForced(line, json) : this.keeper.add(line, json);
    if (kept === 'over') { this.overLimit(); return; }
    if (kept === 'spilled' && !this.spillNoted) {
      this.spillNoted = true;
      this.note('info', `the trace passed ${mib(this.opts.maxTraceBytesInMemory ?? DEFAULT_TRACE_BYTES_IN_MEMORY)} in memory: the rest is kept in a file until the run ends, and the observations are checked once, at the end, over the whole trace`);
    }
    // A plugin may write (a note) while it starts, before the header exists: hold those back so
    // every stream of this run (trace file, WebSocket) begins with its header.
    if (this.early) this.early.push([line, json]);
    else this.emit('line', line, json);
  }

  /** Append a lab- or plugin-made event; validated like everything else in the trace. */
  append(event: WithoutTime<TraceEvent>, mono = monoMicros()): void {
    const parsed = TraceEvent.safeParse({ type: 'event', t: this.tOf(mono), ...event });
    if (parsed.success) this.push(parsed.data);
    else this.note('error', `dropped an invalid ${event.kind} event: ${parsed.error.issues[0]?.message}`);
  }

  note(level: 'info' | 'warn' | 'error', text: string): void {
    const ev = TraceEvent.parse({ type: 'event', t: this.tOf(monoMicros()), actor: 'lab', kind: 'note', level, text });
    this.push(ev);
  }

  private spillNoted = false;

  /** The trace reached maxTraceBytes: stop the run, once, saying why. */
  private overLimit(): void {
    if (this.limitHit) return;
    this.limitHit = true;
    const cap = this.opts.maxTraceBytes ?? DEFAULT_TRACE_BYTES;
    this.note('warn', `the trace reached ${mib(cap)}, the most one run may write: the run is stopped (what came after is not in the trace)`);
    void this.stop('stopped', `trace limit reached (${mib(cap)})`);
  }

  /**
   * Let the run go on `byMs` longer, up to `maxMs` from its start. Written into the trace as a
   * run-length event, so every view (and a replay) knows when the run was due to end.
   */
  extend(byMs: number, maxMs: number): number {
    if (this.ending) throw new Error('the run has ended');
    const next = Math.min(this.durationMs + byMs, maxMs);
    if (next <= this.durationMs) throw new Error(`the run already lasts the most a run may (${maxMs / 1000} s)`);
    this.durationMs = next;
    this.scheduleEnd();
    this.append({ actor: 'lab', kind: 'run-length', durationMs: next });
    return next;
  }

  private scheduleEnd(): void {
    if (this.durationTimer) clearTimeout(this.durationTimer);
    const left = Math.max(0, this.durationMs - this.tOf(monoMicros()));
    this.durationTimer = setTimeout(() => void this.stop('completed', 'duration reached'), left);
  }

  async start(): Promise<void> {
    const ctx: RunContext = {
      runId: this.id,
      append: (e, mono) => this.append(e, mono),
      ports: () => this.portSet,
      onPort: (l) => { this.portListeners.push(l); },
      pids: () => this.pids,
      onConnection: (l) => { this.connectionListeners.push(l); },
    };
    const capabilities: Record<string, string> = {};
    const plugins = (this.opts.plugins ?? []).map((f) => f());
    this.fixture = this.opts.experiment.fixture?.(this.params);
    if (this.fixture) plugins.push(this.fixture);
    const header: TraceHeader = {
      type: 'header', version: TRACE_VERSION, experiment: this.opts.experiment.id, title: this.opts.experiment.title,
      params: this.params, roles: this.opts.experiment.roles.map((r) => r.name), platform: platformInfo(),
      capabilities, startedAt: new Date().toISOString(), durationMs: this.durationMs,
      // The experiment's description travels with its trace, so a saved trace replays without a lab.
      ...headerCatalog(this.opts.experiment),
    };
    // Plugins start before the actors so the observer sees the first socket; their status goes
    // in the header, which is written once they have answered. A stop() meanwhile (the browser
    // left, the lab got SIGTERM) waits for this, so a plugin still starting (a tcpdump, a temp
    // directory) is stopped too, and the header comes before the footer.
    let started!: () => void;
    this.started = new Promise<void>((r) => { started = r; });
    try {
      for (const p of plugins) {
        if (this.ending) { capabilities[p.name] = 'off: the run ended before it started'; continue; }
        try { capabilities[p.name] = await p.start(ctx); this.plugins.push(p); }
        catch (err) { capabilities[p.name] = `off: ${(err as Error).message}`; }
      }
      const parsedHeader = TraceHeader.parse(header);
      const headerLine = this.redactor.line(parsedHeader, JSON.stringify(parsedHeader));
      this.keeper.addFirst(headerLine.line, headerLine.json);
      this.emit('line', headerLine.line, headerLine.json);
      const early = this.early ?? [];
      this.early = null;
      for (const [line, json] of early) this.emit('line', line, json);

      this.scheduleEnd();
      this.timers.push(setInterval(() => this.checkObservations(false), OBSERVE_EVERY_MS));
    } finally {
      started();
    }
    try {
      for (const role of this.opts.experiment.roles) {
        if (this.ending) return;
        if (!this.startsRole(role)) { this.note('info', `${role.name} not started: off in this run's parameters`); continue; }
        let serverPort: number | undefined;
        const after = this.waitTarget(role.after);
        if (after) serverPort = await this.waitForListen(after);
        if (this.ending) return;
        this.spawnRole(role, serverPort);
      }
    } catch (err) {
      void this.stop('failed', (err as Error).message);
    }
  }

  private startsRole(role: RoleSpec): boolean {
    return role.enabled ? role.enabled(this.params) : true;
  }

  /** The role to wait for: `after`, skipping over roles this run does not start. */
  private waitTarget(after: string | undefined): string | undefined {
    const roles = this.opts.experiment.roles;
    for (let i = 0; after && i < roles.length; i++) {
      const r = roles.find((x) => x.name === after);
      if (!r || this.startsRole(r)) return after;
      after = r.after;
    }
    return after;
  }

  private waitForListen(roleName: string): Promise<number> {
    // A datagram socket's bind is its "listen": it is then ready to receive.
    const seen = this.rolePorts.get(roleName);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`role "${roleName}" did not listen within 5 s`)), 5000);
      this.listenWaiters.set(roleName, (port) => { clearTimeout(timer); resolve(port); });
    });
  }

  private spawnRole(role: RoleSpec, serverPort: number | undefined): void {
    const program = actorProgramPath(this.opts.experiment.id, role.program);
    // Every role that listened (or bound) so far is also given by name, as `<role>Port`, for a
    // program that talks to more than the one role it started after.
    const rolePorts = Object.fromEntries([...this.rolePorts].map(([r, p]) => [`${r}Port`, p]));
    const actorParams = { ...this.params, ...this.fixture?.actorParams?.(), ...rolePorts, ...(serverPort !== undefined ? { serverPort } : {}) };
    // A fixture may start the role through a wrapper (ip netns exec NAME): fork runs
    // `execPath ...execArgv program`, and the wrapper execs node in place (same pid, same IPC fd).
    const launcher = this.fixture?.launcher?.(role.name);
    const child = fork(program, [], {
      stdio: ['pipe', 'pipe', 'pipe', 'ipc'],
      // An allowlist of the lab's environment, never all of it (it holds SOCKET_LAB_TOKEN).
      env: childEnv({ [ACTOR_ENV.params]: JSON.stringify(actorParams), [ACTOR_ENV.role]: role.name }),
      ...(launcher?.length ? { execPath: launcher[0]!, execArgv: [...launcher.slice(1), process.execPath] } : { execArgv: [] }),
    });
    const actor: Actor = { role, child, exited: false };
    this.actors.set(role.name, actor);
    this.append({ actor: role.name, kind: 'spawn', pid: child.pid ?? -1, program: `${this.opts.experiment.id}/${role.program}` });

    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    child.stdout!.on('data', (text: string) => this.append({ actor: role.name, kind: 'stdout', text }));
    child.stderr!.on('data', (text: string) => this.append({ actor: role.name, kind: 'stderr', text }));
    child.stdin!.on('error', () => { /* the actor exited while we were typing: its exit event says so */ });
    child.on('message', (msg) => this.onActorMessage(role.name, msg));
    child.on('error', (err) => this.note('error', `${role.name}: ${err.message}`));
    child.on('exit', (code, signal) => {
      actor.exited = true;
      this.append({ actor: role.name, kind: 'exit', pid: child.pid ?? -1, code, signal });
      if (this.ending) return;
      if (code !== 0) void this.stop('failed', `${role.name} exited with ${signal ?? `code ${code}`}`);
      else if ([...this.actors.values()].every((a) => a.exited) && this.actors.size === this.opts.experiment.roles.filter((r) => this.startsRole(r)).length) {
        void this.stop('completed', 'every actor exited');
      }
    });
  }

  private onActorMessage(role: string, msg: unknown): void {
    const parsed = ActorToLab.safeParse(msg);
    if (!parsed.success) { this.note('warn', `${role} sent a malformed message; ignored`); return; }
    for (const rec of parsed.data.events) {
      const { mono, ...fields } = rec;
      this.append({ ...(fields as WithoutTime<TraceEvent>), actor: role }, mono);
      this.trackPorts(role, fields);
    }
  }

  private trackPorts(role: string, f: Record<string, unknown>): void {
    const addPort = (a: unknown) => {
      const port = (a as { port?: unknown } | undefined)?.port;
      if (typeof port === 'number' && port > 0 && !this.portSet.has(port)) {
        this.portSet.add(port);
        for (const l of this.portListeners) l(port);
      }
    };
    if (f.kind === 'listen' || f.kind === 'bind') {
      addPort(f.local);
      const lp = (f.local as { port?: unknown } | undefined)?.port;
      if (typeof lp === 'number' && lp > 0 && !this.rolePorts.has(role)) this.rolePorts.set(role, lp);
      const port = (f.local as { port: number }).port;
      this.listenWaiters.get(role)?.(port);
      this.listenWaiters.delete(role);
    } else if (f.kind === 'accept' || f.kind === 'connect' || f.kind === 'dgram-connect') {
      addPort(f.local);
      addPort(f.remote);
      const local = f.local as Address | undefined;
      const remote = f.remote as Address | undefined;
      if (local && remote) for (const l of this.connectionListeners) l(local, remote);
    }
  }

  /** Type into a role's stdin (line-buffered by the UI). */
  stdin(role: string, text: string): void {
    const a = this.actors.get(role);
    if (!a || a.exited || !a.child.stdin?.writable) throw new Error(`role "${role}" is not running`);
    this.append({ actor: role, kind: 'stdin', text });
    a.child.stdin.write(text);
  }

  /** Send a live command to a role's program (role 'lab': a command the experiment's fixture carries out). */
  control(role: string, command: string, args: Record<string, unknown>): void {
    if (role === 'lab') return this.labCommand(command, args);
    const a = this.actors.get(role);
    if (!a || a.exited || !a.child.connected) throw new Error(`role "${role}" is not running`);
    this.append({ actor: role, kind: 'control', command, args });
    a.child.send({ type: 'control', command, args });
  }

  private labCommand(command: string, args: Record<string, unknown>): void {
    const run = this.fixture?.command;
    if (!run || this.ending) throw new Error(this.ending ? 'the run has ended' : `this experiment has no lab command "${command}"`);
    this.append({ actor: 'lab', kind: 'control', command, args });
    Promise.resolve()
      .then(() => run.call(this.fixture, command, args))
      .then((did) => this.note('info', did), (err: Error) => this.note('error', `${command}: ${err.message}`));
  }

  /**
   * Live, every observation is checked again every OBSERVE_EVERY_MS and written when its result
   * or detail changed (a detail at most once a second): the checklist says "so far" and never
   * contradicts the panels beside it. At the end every observation is checked once more against
   * the whole trace, and that final result (held, failed or not reached) is what counts.
   */
  private checkObservations(final: boolean): VerdictResult[] {
    // Once the trace has spilled only the final check runs, over the whole trace read back.
    if (!final && this.keeper.spilled) return [];
    const q = TraceQuery.fromLines(final ? this.keeper.all() : this.keeper.lines);
    const now = performance.now();
    const results: VerdictResult[] = [];
    for (const o of this.opts.experiment.observations) {
      let r: CheckResult;
      try { r = o.check(q, this.params); } catch (err) { r = { held: false, detail: `check failed: ${(err as Error).message}` }; }
      // Live, what is not held yet is not failed yet: the run is still going.
      const result: VerdictResult = final ? resultOf(r) : r.held ? 'held' : 'not-reached';
      results.push(result);
      const last = this.observationResults.get(o.id);
      const changed = !last || last.result !== result || last.detail !== r.detail;
      const due = !last || last.result !== result || now - (this.observedAt.get(o.id) ?? 0) >= 1000;
      if (final || (changed && due)) {
        const refresh = !final && last?.result === result;
        this.append({ actor: 'lab', kind: 'observation', id: o.id, label: o.label, held: result === 'held', result, final, ...(refresh ? { refresh } : {}), detail: r.detail });
        this.observationResults.set(o.id, { id: o.id, label: o.label, held: result === 'held', result, detail: r.detail });
        this.observedAt.set(o.id, now);
      }
    }
    return results;
  }

  /** End the run: stop every actor (TERM, then KILL), stop the plugins, check observations, write the footer. */
  stop(outcome: Outcome = 'stopped', reason?: string): Promise<TraceFooter> {
    if (this.ending) return this.ending;
    this.ending = (async () => {
      await this.started;
      for (const t of this.timers) clearTimeout(t);
      if (this.durationTimer) clearTimeout(this.durationTimer);
      await Promise.all([...this.actors.values()].map((a) => terminate(a)));
      for (const p of this.plugins) {
        try { await p.stop(); } catch (err) { this.note('warn', `${p.name} did not stop cleanly: ${(err as Error).message}`); }
      }
      const counts = countResults(this.checkObservations(true));
      const footer: TraceFooter = {
        type: 'footer', t: this.tOf(monoMicros()), outcome, ...(reason ? { reason } : {}),
        observations: { held: counts.held, total: counts.total, failed: counts.failed, notReached: counts.notReached },
      };
      const footerJson = JSON.stringify(footer);
      this.keeper.addForced(footer, footerJson);
      this.keeper.closeSpill();
      this.emit('line', footer, footerJson);
      this.footer = footer;
      this.emit('end', footer);
      return footer;
    })();
    return this.ending;
  }

  /** Last resort at process exit: no awaiting, just make sure no actor survives the lab. */
  killNow(): void {
    for (const a of this.actors.values()) if (!a.exited) a.child.kill('SIGKILL');
  }
}

export class ParamError extends Error {}

/** The catalog entry for the header; a run still starts if it cannot be built (it is optional). */
function headerCatalog(e: Experiment): Pick<TraceHeader, 'catalog'> {
  try { return { catalog: catalogEntry(e) }; } catch { return {}; }
}

function terminate(a: Actor): Promise<void> {
  if (a.exited) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => a.child.kill('SIGKILL'), KILL_GRACE_MS);
    a.child.once('exit', () => { clearTimeout(kill); resolve(); });
    a.child.kill('SIGTERM');
  });
}

function mib(bytes: number): string {
  return `${Math.round(bytes / 1048576)} MiB`;
}
