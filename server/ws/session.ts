/**
 * One browser connection: validates every message, starts and stops its runs, streams their
 * traces in batches, and ends every run it started when the browser goes away.
 */
import type { WebSocket } from 'ws';
import { ClientMessage, PROTOCOL_VERSION, type Limits, type ServerMessage } from '../../shared/protocol/messages.js';
import { catalog } from '../experiments/catalog.js';
import { findExperiment } from '../experiments/index.js';
import { ParamError, Run } from '../run/run.js';
import type { RunPluginFactory } from '../run/plugin.js';
import { TraceBatcher } from './batcher.js';
import { TokenBucket } from './rate-limit.js';

export interface SessionOptions {
  limits: Limits; plugins: () => RunPluginFactory[]; registerRun: (run: Run) => void;
  /** Hosts the lab was started with `--allow-target` for; a browser cannot add to them. */
  allowTargets?: readonly string[];
}

/** Past this many bytes waiting in the socket, hold batches back (the browser is slow). */
const MAX_BUFFERED = 8 * 1024 * 1024;

export class Session {
  private readonly runs = new Map<string, Run>();
  private readonly batcher: TraceBatcher;
  private readonly stdinBucket: TokenBucket;

  constructor(private readonly ws: WebSocket, private readonly opts: SessionOptions) {
    this.stdinBucket = new TokenBucket(opts.limits.stdinBytesPerSecond);
    this.batcher = new TraceBatcher((runId, lines) => this.send({ type: 'trace', runId, lines }), 60, () => ws.bufferedAmount < MAX_BUFFERED);
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('close', () => this.close());
    ws.on('error', () => this.close());
    this.send({ type: 'hello', version: PROTOCOL_VERSION, catalog: catalog(), limits: opts.limits });
  }

  private send(msg: ServerMessage): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(msg));
  }

  private error(message: string, about: { req?: string; runId?: string } = {}): void {
    this.send({ type: 'error', message, ...about });
  }

  private onMessage(data: unknown, isBinary: boolean): void {
    if (isBinary) return this.error('binary messages are not part of the protocol');
    let json: unknown;
    try { json = JSON.parse(String(data)); } catch { return this.error('message is not valid JSON'); }
    const parsed = ClientMessage.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return this.error(`invalid message: ${issue?.path.join('.') || 'message'}: ${issue?.message}`);
    }
    const msg = parsed.data;
    try {
      switch (msg.type) {
        case 'run': return this.startRun(msg.req, msg.experiment, msg.params);
        case 'stop': return void this.runOf(msg.runId).stop('stopped', 'stopped by the user');
        case 'stdin': {
          if (!this.stdinBucket.take(Buffer.byteLength(msg.text))) return this.error(`typing limit: at most ${this.opts.limits.stdinBytesPerSecond} bytes a second`, { runId: msg.runId });
          return this.runOf(msg.runId).stdin(msg.role, msg.text);
        }
        case 'control': return this.runOf(msg.runId).control(msg.role, msg.command, msg.args);
      }
    } catch (err) {
      this.error((err as Error).message, 'runId' in msg ? { runId: msg.runId } : {});
    }
  }

  private runOf(runId: string): Run {
    const run = this.runs.get(runId);
    if (!run) throw new Error(`no live run "${runId}" on this connection`);
    return run;
  }

  private startRun(req: string, experimentId: string, params: Record<string, unknown>): void {
    const exp = findExperiment(experimentId);
    if (!exp) return this.error(`unknown experiment "${experimentId}"`, { req });
    if (this.runs.size >= this.opts.limits.maxConcurrentRuns) return this.error(`at most ${this.opts.limits.maxConcurrentRuns} runs at once: stop one first`, { req });
    let run: Run;
    try {
      run = new Run({ experiment: exp, params, durationMs: this.opts.limits.maxRunMs, plugins: this.opts.plugins(), allowTargets: this.opts.allowTargets ?? [] });
    } catch (err) {
      return this.error(err instanceof ParamError ? `invalid parameters: ${err.message}` : (err as Error).message, { req });
    }
    this.runs.set(run.id, run);
    this.opts.registerRun(run);
    this.send({ type: 'run-started', req, runId: run.id });
    run.on('line', (line) => this.batcher.add(run.id, line));
    run.once('end', () => {
      this.batcher.flush();
      this.runs.delete(run.id);
      run.removeAllListeners('line');
      this.send({ type: 'run-ended', runId: run.id });
    });
    void run.start();
  }

  /** The browser went away: end every run it started. */
  close(): Promise<unknown> {
    this.batcher.close();
    return Promise.all([...this.runs.values()].map((r) => r.stop('stopped', 'browser disconnected')));
  }
}
