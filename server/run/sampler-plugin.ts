/**
 * A run plugin that runs the kernel observer's Sampler with a method of its own choosing — UDP
 * sockets (udp_diag), Unix sockets (unix_diag) — beside the default TCP kernel plugin
 * (kernel-plugin.ts), and writes what it sees as `sample` events. Experiments that need it use it
 * as (part of) their fixture, so every other run pays nothing for it.
 *
 * Like the TCP plugin it keeps sampling after the actors exit and, when the run stops, for a short
 * bounded while more, so the last state of a socket (its final drop count, say) is in the trace.
 */
import { Sampler, type ObserverMethod } from '../kernel/observer.js';
import { monoMicros } from '../actor/clock.js';
import type { RunContext, RunPlugin } from './plugin.js';
import { DEFAULT_LINGER_MS, rateFromEnv, runOwnership } from './kernel-plugin.js';

export interface SamplerPluginOptions {
  /** The name in the trace header's capabilities, e.g. "kernel-udp". */
  name: string;
  /** Opens the method; a throw turns the plugin off with that reason. */
  open: () => ObserverMethod;
  /**
   * Follow the run's ports (UDP); false for methods that find sockets otherwise (Unix, by name).
   * Following ports, only the sockets the run's actors hold are sampled (as for TCP: another
   * program's socket on the same port is left out).
   */
  usePorts: boolean;
  /** Samples per second; default the TCP plugin's (SOCKET_LAB_SAMPLE_HZ or 50). */
  rateHz?: number;
  /** How long to keep sampling after stop(), default 300 ms, at most 2 s. */
  lingerMs?: number;
  platform?: NodeJS.Platform;
}

export class SamplerPlugin implements RunPlugin {
  readonly name: string;
  private sampler: Sampler | undefined;
  private ctx: RunContext | undefined;

  constructor(private readonly opts: SamplerPluginOptions) {
    this.name = opts.name;
  }

  start(ctx: RunContext): string {
    this.ctx = ctx;
    const platform = this.opts.platform ?? process.platform;
    if (platform !== 'linux') return `off: not Linux (${platform}); sock_diag is a Linux interface`;
    let method: ObserverMethod;
    try {
      method = this.opts.open();
    } catch (err) {
      return `off: ${(err as Error).message}`;
    }
    let errors = 0;
    const rateHz = this.opts.rateHz ?? rateFromEnv();
    const { owner, ownership } = this.opts.usePorts ? runOwnership(ctx) : {};
    const sampler = new Sampler({
      method,
      rateHz,
      ...(this.opts.usePorts ? { ports: ctx.ports() } : {}),
      ...(owner ? { owner } : {}),
      now: () => monoMicros() / 1000,
      emit: ({ type: _type, t, ...event }) => ctx.append(event, Math.round(t * 1000)),
      onError: (err) => {
        if (errors++ === 0) ctx.append({ actor: 'lab', kind: 'note', level: 'warn', text: `${this.name}: a sample failed (${err.message}); retrying every tick` });
      },
    });
    this.sampler = sampler;
    if (this.opts.usePorts) ctx.onPort((port) => sampler.addPort(port));
    sampler.start();
    return ownership ? `on (${ownership})` : 'on';
  }

  async stop(): Promise<void> {
    const sampler = this.sampler;
    if (!sampler) return;
    this.sampler = undefined;
    const linger = Math.max(0, Math.min(this.opts.lingerMs ?? DEFAULT_LINGER_MS, 2000));
    if (linger > 0) await new Promise((r) => setTimeout(r, linger));
    await sampler.stop();
    await sampler.tick();
    await sampler.close();
    const s = sampler.stats();
    this.ctx?.append({
      actor: 'lab', kind: 'note', level: s.errors ? 'warn' : 'info',
      text: `${this.name}: looked ${s.ticks} times, wrote ${s.emitted} samples${s.errors ? `, ${s.errors} failed` : ''}`,
    });
  }
}
