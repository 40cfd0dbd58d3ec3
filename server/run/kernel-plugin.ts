/**
 * The kernel view of a run: a RunPlugin that runs the kernel observer's Sampler
 * (server/kernel/observer.ts) on the run's ports for the whole life of the run and appends what it
 * sees as `sample` events.
 *
 * It lives in the lab server, not in the actors, because the sockets worth showing outlive their
 * programs: an orphaned socket still sending its queue, FIN_WAIT2, TIME_WAIT, the sockets of a
 * killed actor. For the same reason it keeps sampling after the actors have exited, and when the
 * run stops it samples on for a short, bounded while (`lingerMs`) and takes one last sample, so
 * the states after close are in the trace before the footer.
 *
 * The ports only preselect (inside the kernel); which sockets are the run's is decided per socket
 * by the actors' processes (server/kernel/ownership.ts), so another program's socket on one of
 * the run's ports (a TIME_WAIT left on the listener's port, a client connected to the run's
 * listener) is never in the trace. Only a context without `pids` gets port-matching alone.
 */
import { Sampler, type ObserverMethodName } from '../kernel/observer.js';
import { ProcessOwnership, procOwnershipUnavailable } from '../kernel/ownership.js';
import { monoMicros } from '../actor/clock.js';
import type { RunContext, RunPlugin, RunPluginFactory } from './plugin.js';

export interface KernelPluginOptions {
  /** Samples per second (default 50, or SOCKET_LAB_SAMPLE_HZ). */
  rateHz?: number;
  /** Preferred method; the Sampler falls back to the other one. Default sock_diag. */
  method?: ObserverMethodName;
  /** How long to keep sampling after stop() is called (actors gone), default 300 ms, at most 2 s. */
  lingerMs?: number;
  /** The platform, for tests; default process.platform. */
  platform?: NodeJS.Platform;
}

export const DEFAULT_RATE_HZ = 50;
export const DEFAULT_LINGER_MS = 300;
const MAX_LINGER_MS = 2000;

/** The rate from SOCKET_LAB_SAMPLE_HZ, if set to a usable number; otherwise the default. */
export function rateFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.SOCKET_LAB_SAMPLE_HZ;
  if (raw === undefined || raw === '') return DEFAULT_RATE_HZ;
  const n = Number(raw);
  if (!(Number.isFinite(n) && n > 0 && n <= 1000)) throw new Error(`SOCKET_LAB_SAMPLE_HZ must be a number in (0, 1000], got "${raw}"`);
  return n;
}

export class KernelPlugin implements RunPlugin {
  readonly name = 'kernel';
  private sampler: Sampler | undefined;
  private errors = 0;
  private ctx: RunContext | undefined;
  private owner: ProcessOwnership | undefined;

  constructor(private readonly opts: KernelPluginOptions = {}) {}

  start(ctx: RunContext): string {
    this.ctx = ctx;
    const platform = this.opts.platform ?? process.platform;
    // sock_diag and ss are Linux interfaces; say so rather than try and fail obscurely.
    if (platform !== 'linux') return `off: not Linux (${platform}); no kernel socket view on this OS`;
    const rateHz = this.opts.rateHz ?? rateFromEnv();
    const { owner, ownership } = runOwnership(ctx);
    this.owner = owner;
    try {
      this.sampler = new Sampler({
        ports: ctx.ports(),
        rateHz,
        ...(owner ? { owner } : {}),
        ...(this.opts.method ? { method: this.opts.method } : {}),
        // Milliseconds of the shared monotonic clock; turned back into microseconds for append.
        now: () => monoMicros() / 1000,
        emit: ({ type: _type, t, ...event }) => ctx.append(event, Math.round(t * 1000)),
        onError: (err) => {
          // One note is enough to tell the user; the count goes in the closing note.
          if (this.errors++ === 0) ctx.append({ actor: 'lab', kind: 'note', level: 'warn', text: `kernel observer: a sample failed (${err.message}); retrying every tick` });
        },
      });
    } catch (err) {
      return `off: ${(err as Error).message}`;
    }
    const sampler = this.sampler;
    ctx.onPort((port) => sampler.addPort(port));
    sampler.start();
    const method = sampler.method.name;
    const notes = [...(method === 'sock_diag' ? [] : [`${method}, ${rateHz}/s`]), ...(ownership ? [ownership] : [])];
    return notes.length ? `on (${notes.join('; ')})` : 'on';
  }

  async stop(): Promise<void> {
    const sampler = this.sampler;
    if (!sampler) return;
    this.sampler = undefined;
    // The actors are gone by now; their sockets may not be. Keep looking for a short while so
    // FIN_WAIT / TIME_WAIT / an orphan draining its queue make it into the trace.
    const linger = Math.max(0, Math.min(this.opts.lingerMs ?? DEFAULT_LINGER_MS, MAX_LINGER_MS));
    if (linger > 0) await new Promise((r) => setTimeout(r, linger));
    await sampler.stop();
    await sampler.tick();
    await sampler.close();
    const s = sampler.stats();
    const foreign = this.owner?.stats().foreign ?? 0;
    this.ctx?.append({
      actor: 'lab', kind: 'note', level: s.errors ? 'warn' : 'info',
      text: `kernel observer (${s.method}): looked ${s.ticks} times, wrote ${s.emitted} samples, left out ${s.elided} unchanged ones` +
        `${foreign ? `; ignored ${foreign} socket${foreign === 1 ? '' : 's'} of other programs on the run's ports` : ''}` +
        `${s.overruns ? `, ${s.overruns} ticks skipped (previous sample still running)` : ''}${s.errors ? `, ${s.errors} failed` : ''}`,
    });
  }
}

/**
 * The owner that keeps a run's samples to its own sockets (by its actors' processes), with the
 * actors' reported connections fed in; none, and why (for the status), when the context has no
 * pids or /proc cannot be read.
 */
export function runOwnership(ctx: RunContext): { owner?: ProcessOwnership; ownership?: string } {
  const pids = ctx.pids?.bind(ctx);
  if (!pids) return { ownership: 'port match only: the run gives no actor pids' };
  const why = procOwnershipUnavailable();
  if (why) return { ownership: `port match only: ${why}` };
  const owner = new ProcessOwnership({ pids });
  ctx.onConnection?.((local, remote) => owner.addConnection(local, remote));
  return { owner };
}

export function kernelPlugin(opts: KernelPluginOptions = {}): RunPluginFactory {
  return () => new KernelPlugin(opts);
}
