/**
 * The kernel view every run gets: the sampler plugin (sampler-plugin.ts) with the TCP observer
 * (server/kernel/observer.ts: sock_diag, falling back to ss), on the run's ports, keeping to the
 * run's own sockets (server/kernel/ownership.ts). Its capability is "kernel".
 */
import { chosenMethod, openMethod, type ObserverMethodName } from '../kernel/method.js';
import { SamplerPlugin } from './sampler-plugin.js';
import type { RunPluginFactory } from './plugin.js';

export interface KernelPluginOptions {
  /** Samples per second (default 50, or SOCKET_LAB_SAMPLE_HZ). */
  rateHz?: number;
  /** Preferred method; the other one is the fallback. Default sock_diag. */
  method?: ObserverMethodName;
  /** How long to keep sampling after stop() is called (actors gone), default 300 ms, at most 2 s. */
  sampleAfterStopMs?: number;
  /** The platform, for tests; default process.platform. */
  platform?: NodeJS.Platform;
}

export class KernelPlugin extends SamplerPlugin {
  constructor({ method = 'sock_diag', ...opts }: KernelPluginOptions = {}) {
    super({ ...opts, name: 'kernel', label: 'kernel observer', usePorts: true, open: () => chosenMethod(openMethod(method)) });
  }
}

export function kernelPlugin(opts: KernelPluginOptions = {}): RunPluginFactory {
  return () => new KernelPlugin(opts);
}
