/**
 * The one run plugin that runs a kernel observer's Sampler (server/kernel/sampler.ts) for the
 * whole life of a run and appends what it sees as `sample` events. Every kernel view uses it: the
 * default TCP plugin (kernel-plugin.ts: sock_diag, falling back to ss), and the UDP and Unix
 * observers (udp_diag, unix_diag) that experiments add as (part of) their fixture, so every other
 * run pays nothing for those.
 *
 * It lives in the lab server, not in the actors, because the sockets worth showing outlive their
 * programs: an orphaned socket still sending its queue, FIN_WAIT2, TIME_WAIT, the sockets of a
 * killed actor, a UDP socket's final drop count. For the same reason it keeps sampling after the
 * actors have exited, and when the run stops it samples on for a short, bounded while
 * (`sampleAfterStopMs`) and takes one last sample, so those states are in the trace before the footer.
 *
 * Following the run's ports, the ports only preselect (inside the kernel); which sockets are the
 * run's is decided per socket by the actors' processes (server/kernel/ownership.ts), so another
 * program's socket on one of the run's ports (a TIME_WAIT left on the listener's port, a client
 * connected to the run's listener) is never in the trace. Only a context without `pids` gets
 * port-matching alone.
 */
import { Sampler } from '../kernel/sampler.js';
import type { ObserverMethod } from '../kernel/method.js';
import { ProcessOwnership, procOwnershipUnavailable } from '../kernel/ownership.js';
import { monoMicros } from '../actor/clock.js';
import type { RunContext, RunPlugin } from './plugin.js';

export const DEFAULT_RATE_HZ = 50;
/** How long the plugin keeps sampling after stop(), by default, and at most. */
export const DEFAULT_SAMPLE_AFTER_STOP_MS = 300;
const MAX_SAMPLE_AFTER_STOP_MS = 2000;

export interface SamplerPluginOptions {
  /** The name in the trace header's capabilities, e.g. "kernel", "kernel-udp". */
  name: string;
  /** What its notes call it; default `name` (e.g. "kernel observer"). */
  label?: string;
  /** Opens the method; a throw turns the plugin off with that reason. */
  open: () => ObserverMethod;
  /**
   * Follow the run's ports (TCP, UDP); false for methods that find sockets otherwise (Unix, by
   * name). Following ports, only the sockets the run's actors hold are sampled (another program's
   * socket on the same port is left out).
   */
  usePorts: boolean;
  /** Samples per second; default SOCKET_LAB_SAMPLE_HZ or 50. */
  rateHz?: number;
  /** How long to keep sampling after stop() is called (actors gone), default 300 ms, at most 2 s. */
  sampleAfterStopMs?: number;
  /** The platform, for tests; default process.platform. */
  platform?: NodeJS.Platform;
}

/** The rate from SOCKET_LAB_SAMPLE_HZ, if set to a usable number; otherwise the default. */
export function rateFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.SOCKET_LAB_SAMPLE_HZ;
  if (raw === undefined || raw === '') return DEFAULT_RATE_HZ;
  const n = Number(raw);
  if (!(Number.isFinite(n) && n > 0 && n <= 1000)) throw new Error(`SOCKET_LAB_SAMPLE_HZ must be a number in (0, 1000], got "${raw}"`);
  return n;
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

export class SamplerPlugin implements RunPlugin {
  readonly name: string;
  private readonly label: string;
  private sampler: Sampler | undefined;
  private ctx: RunContext | undefined;
  private owner: ProcessOwnership | undefined;

  constructor(private readonly opts: SamplerPluginOptions) {
    this.name = opts.name;
    this.label = opts.label ?? opts.name;
  }

  start(ctx: RunContext): string {
    this.ctx = ctx;
    const platform = this.opts.platform ?? process.platform;
    // sock_diag and ss are Linux interfaces; say so rather than try and fail obscurely.
    if (platform !== 'linux') return `off: not Linux (${platform}); no kernel socket view on this OS`;
    // A bad SOCKET_LAB_SAMPLE_HZ throws (the run then says the plugin is off, and why): asked
    // before the method is opened, so a throw leaves nothing open.
    const rateHz = this.opts.rateHz ?? rateFromEnv();
    let method: ObserverMethod;
    try {
      method = this.opts.open();
    } catch (err) {
      return `off: ${(err as Error).message}`;
    }
    const { owner, ownership } = this.opts.usePorts ? runOwnership(ctx) : {};
    this.owner = owner;
    let errors = 0;
    let sampler: Sampler;
    try {
      sampler = new Sampler({
        method,
        rateHz,
        ...(this.opts.usePorts ? { ports: ctx.ports() } : {}),
        ...(owner ? { owner } : {}),
        // Milliseconds of the shared monotonic clock; turned back into microseconds for append.
        now: () => monoMicros() / 1000,
        emit: ({ type: _type, t, ...event }) => ctx.append(event, Math.round(t * 1000)),
        onError: (err) => {
          // One note is enough to tell the user; the count goes in the closing note.
          if (errors++ === 0) ctx.append({ actor: 'lab', kind: 'note', level: 'warn', text: `${this.label}: a sample failed (${err.message}); retrying every tick` });
        },
      });
    } catch (err) {
      method.close();
      return `off: ${(err as Error).message}`;
    }
    this.sampler = sampler;
    if (this.opts.usePorts) ctx.onPort((port) => sampler.addPort(port));
    sampler.start();
    const notes = [...(method.name === 'sock_diag' ? [] : [`${method.name}, ${rateHz}/s`]), ...(ownership ? [ownership] : [])];
    return notes.length ? `on (${notes.join('; ')})` : 'on';
  }

  async stop(): Promise<void> {
    const sampler = this.sampler;
    if (!sampler) return;
    this.sampler = undefined;
    // The actors are gone by now; their sockets may not be. Keep looking for a short while so
    // FIN_WAIT / TIME_WAIT / an orphan draining its queue make it into the trace.
    const afterStop = Math.max(0, Math.min(this.opts.sampleAfterStopMs ?? DEFAULT_SAMPLE_AFTER_STOP_MS, MAX_SAMPLE_AFTER_STOP_MS));
    if (afterStop > 0) await new Promise((r) => setTimeout(r, afterStop));
    await sampler.stop();
    await sampler.tick();
    await sampler.close();
    const s = sampler.stats();
    const foreign = this.owner?.stats().foreign ?? 0;
    this.ctx?.append({
      actor: 'lab', kind: 'note', level: s.errors ? 'warn' : 'info',
      text: `${this.label} (${s.method}): looked ${s.ticks} times, wrote ${s.emitted} samples, left out ${s.elided} unchanged ones` +
        `${foreign ? `; ignored ${foreign} socket${foreign === 1 ? '' : 's'} of other programs on the run's ports` : ''}` +
        `${s.overruns ? `, ${s.overruns} ticks skipped (previous sample still running)` : ''}${s.errors ? `, ${s.errors} failed` : ''}`,
    });
  }
}
