/**
 * One browser connection: validates every message, starts and stops its runs, streams their
 * traces in batches, and ends every run it started when the browser goes away.
 *
 * Every handler is total: whatever arrives (binary, not JSON, too deep, the wrong shape, a run
 * that ended, a role that exited) gets an `error` reply naming the problem, and nothing else
 * changes. Nothing a message carries is stored before it has been bounded in size and depth.
 */
import type { WebSocket } from 'ws';
import { z } from 'zod';
import { jsonDepthProblem } from '../../shared/json/depth.js';
import { ClientMessage, PROTOCOL_VERSION, type Limits, type ServerMessage } from '../../shared/protocol/messages.js';
import { catalog } from '../experiments/catalog.js';
import { findExperiment } from '../experiments/index.js';
import { ParamError, Run } from '../run/run.js';
import type { RunPluginFactory } from '../run/plugin.js';
import { TraceBatcher } from './batcher.js';
import type { LabBudget } from './lab-budget.js';
import { TokenBucket } from './rate-limit.js';

export interface SessionOptions {
  limits: Limits; plugins: () => RunPluginFactory[]; registerRun: (run: Run) => void;
  /** Hosts the lab was started with `--allow-target` for; a browser cannot add to them. */
  allowTargets?: readonly string[];
  /** The ceiling across every connection (runs, processes); none in tests that use one session. */
  budget?: LabBudget;
  /** Strings cut out of everything a run writes into its trace (the lab's token). */
  secrets?: readonly string[];
  /** Where a failure that is the lab's fault, not the message's, is logged (once). */
  log?: (message: string) => void;
}

/** Past this many bytes waiting in the socket, hold batches back (the browser is slow). */
const MAX_BUFFERED = 8 * 1024 * 1024;
/**
 * Past this many bytes of trace waiting for a slow browser, the session's runs are stopped: the
 * lab does not hold an unbounded backlog for a tab that cannot keep up (a background tab, a
 * frozen page). The footer tells the browser why once it catches up.
 */
const MAX_PENDING = 32 * 1024 * 1024;
/** Runs one connection may start a second (a burst of its concurrent limit, e.g. the linger comparison). */
const RUNS_PER_SECOND = 2;

/** JSON.parse without `__proto__` keys: they would set an object's prototype when copied by assignment. */
function parseJson(text: string): unknown {
  return JSON.parse(text, (key, value: unknown) => (key === '__proto__' ? undefined : value));
}

export class Session {
  private readonly runs = new Map<string, Run>();
  private readonly batcher: TraceBatcher;
  private readonly stdinBucket: TokenBucket;
  private readonly controlBucket: TokenBucket;
  private readonly runBucket: TokenBucket;
  private closed = false;

  constructor(private readonly ws: WebSocket, private readonly opts: SessionOptions) {
    this.stdinBucket = new TokenBucket(opts.limits.stdinBytesPerSecond);
    this.controlBucket = new TokenBucket(opts.limits.controlsPerSecond);
    this.runBucket = new TokenBucket(RUNS_PER_SECOND, opts.limits.maxConcurrentRuns);
    this.batcher = new TraceBatcher((runId, lines) => this.send({ type: 'trace', runId, lines }), 60, () => ws.bufferedAmount < MAX_BUFFERED);
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('close', () => void this.close());
    ws.on('error', () => void this.close());
    this.send({ type: 'hello', version: PROTOCOL_VERSION, catalog: catalog(), limits: opts.limits });
  }

  private send(msg: ServerMessage): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    let text: string;
    try { text = JSON.stringify(msg); } catch (err) {
      // Only lab-made values reach here (they are validated and bounded), so this is a lab bug: say so, keep going.
      this.opts.log?.(`could not send a ${msg.type} message: ${(err as Error).message}`);
      if (msg.type !== 'error') this.error(`the lab could not send a ${msg.type} message (its fault, not yours): ${(err as Error).message}`);
      return;
    }
    this.ws.send(text);
  }

  private error(message: string, about: { req?: string; runId?: string } = {}): void {
    this.send({ type: 'error', message, ...about });
  }

  private onMessage(data: unknown, isBinary: boolean): void {
    try {
      this.handle(data, isBinary);
    } catch (err) {
      // A handler threw: that is a lab bug, never the message's fault. Answer, log once, carry on.
      this.opts.log?.(`message handler failed: ${(err as Error).stack ?? String(err)}`);
      this.error(`the lab could not handle that message: ${(err as Error).message}`);
    }
  }

  private handle(data: unknown, isBinary: boolean): void {
    if (isBinary) return this.error('binary messages are not part of the protocol: send JSON text');
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data as Buffer[]).toString('utf8') : String(data);
    const deep = jsonDepthProblem(text, this.opts.limits.maxMessageDepth);
    if (deep) return this.error(`message refused: ${deep}`);
    let json: unknown;
    try { json = parseJson(text); } catch { return this.error('message is not valid JSON'); }
    const parsed = ClientMessage.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.map(String).join('.') || 'message';
      return this.error(`invalid message: ${where}: ${issue?.message ?? 'not a message'}`, aboutOf(json));
    }
    const msg = parsed.data;
    try {
      switch (msg.type) {
        case 'run': return this.startRun(msg.req, msg.experiment, msg.params, msg.durationMs);
        case 'stop': return void this.runOf(msg.runId).stop('stopped', 'stopped by the user');
        case 'stdin': {
          if (!this.stdinBucket.take(Buffer.byteLength(msg.text))) return this.error(`typing limit: at most ${this.opts.limits.stdinBytesPerSecond} bytes a second`, { runId: msg.runId });
          return this.runOf(msg.runId).stdin(msg.role, msg.text);
        }
        case 'control': {
          if (!this.controlBucket.take(1)) return this.error(`control limit: at most ${this.opts.limits.controlsPerSecond} controls a second`, { runId: msg.runId });
          return this.runOf(msg.runId).control(msg.role, msg.command, msg.args);
        }
        case 'extend': {
          if (!this.controlBucket.take(1)) return this.error(`control limit: at most ${this.opts.limits.controlsPerSecond} controls a second`, { runId: msg.runId });
          return void this.runOf(msg.runId).extend(msg.byMs, this.opts.limits.maxRunMs);
        }
      }
    } catch (err) {
      this.error((err as Error).message, 'runId' in msg ? { runId: msg.runId } : {});
    }
  }

  private runOf(runId: string): Run {
    const run = this.runs.get(runId);
    if (!run) throw new Error(`no live run "${runId}" on this connection (it ended, or another tab started it)`);
    return run;
  }

  private startRun(req: string, experimentId: string, params: Record<string, unknown>, durationMs: number | undefined): void {
    const { limits } = this.opts;
    if (this.closed) return;
    const exp = findExperiment(experimentId);
    if (!exp) return this.error(`unknown experiment "${experimentId}"`, { req });
    if (this.runs.size >= limits.maxConcurrentRuns) return this.error(`at most ${limits.maxConcurrentRuns} runs at once in one tab: stop one first`, { req });
    if (!this.runBucket.take(1)) return this.error(`run limit: at most ${RUNS_PER_SECOND} new runs a second`, { req });
    if (durationMs !== undefined && durationMs > limits.maxRunMs) return this.error(`a run lasts at most ${limits.maxRunMs / 1000} s (asked for ${durationMs / 1000} s)`, { req });
    let run: Run;
    try {
      run = new Run({
        experiment: exp, params, durationMs: durationMs ?? limits.defaultRunMs, plugins: this.opts.plugins(), allowTargets: this.opts.allowTargets ?? [],
        secrets: this.opts.secrets ?? [], maxTraceBytesInMemory: limits.maxTraceBytesInMemory, maxTraceBytes: limits.maxTraceBytes,
      });
    } catch (err) {
      return this.error(err instanceof ParamError ? `invalid parameters: ${err.message}` : (err as Error).message, { req });
    }
    const refused = this.opts.budget?.reserve(run.id, exp);
    if (refused) return this.error(refused, { req });
    this.runs.set(run.id, run);
    this.opts.registerRun(run);
    this.send({ type: 'run-started', req, runId: run.id });
    run.on('line', (line, json) => {
      this.batcher.add(run.id, line, json.length);
      if (this.batcher.pendingBytes > MAX_PENDING) this.fellBehind();
    });
    run.once('end', () => {
      this.opts.budget?.release(run.id);
      this.batcher.flush();
      this.runs.delete(run.id);
      run.removeAllListeners('line');
      this.send({ type: 'run-ended', runId: run.id });
    });
    void run.start();
  }

  private fellBehind(): void {
    const mb = Math.round(this.batcher.pendingBytes / 1048576);
    for (const r of this.runs.values()) void r.stop('stopped', `the browser fell ${mb} MiB behind the trace (a frozen or background tab?): stopped so that nothing is lost`);
  }

  /** The browser went away: end every run it started. */
  close(): Promise<unknown> {
    this.closed = true;
    this.batcher.close();
    return Promise.all([...this.runs.values()].map((r) => r.stop('stopped', 'browser disconnected')));
  }
}

/** The `req` or `runId` of a message that failed validation, when it has a usable one, so the UI can tell which request failed. */
const About = z.object({
  req: z.string().max(64).optional().catch(undefined),
  runId: z.string().min(1).max(64).optional().catch(undefined),
}).catch({});

function aboutOf(json: unknown): { req?: string; runId?: string } {
  const { req, runId } = About.parse(json);
  return { ...(req !== undefined ? { req } : {}), ...(runId !== undefined ? { runId } : {}) };
}
