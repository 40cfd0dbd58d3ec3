/**
 * What the udp experiment watches from the lab server, outside the actors: its UDP sockets through
 * udp_diag (a `sample` per change, with the receive queue's memory and the drop count), and the
 * system's UDP counters from /proc/net/snmp at the start and the end (RcvbufErrors, NoPorts), as
 * `custom` events named `udp-counters` from the actor "kernel". Those counters are system-wide:
 * the change over the run includes any other program's datagrams, and the lab says so.
 */
import type { Fixture } from '../experiment.js';
import type { RunContext } from '../../run/plugin.js';
import { SamplerPlugin } from '../../run/sampler-plugin.js';
import { UdpDiagMethod } from '../../kernel/udp-diag.js';
import { readUdpCounters } from '../../kernel/udp-counters.js';

export class UdpFixture implements Fixture {
  readonly name = 'kernel-udp';
  private readonly sampler = new SamplerPlugin({ name: 'kernel-udp', open: () => new UdpDiagMethod(), usePorts: true });
  private ctx: RunContext | undefined;

  start(ctx: RunContext): string {
    this.ctx = ctx;
    this.counters('start');
    return this.sampler.start(ctx);
  }

  async stop(): Promise<void> {
    await this.sampler.stop();
    this.counters('end');
  }

  private counters(at: 'start' | 'end'): void {
    const c = readUdpCounters();
    this.ctx?.append({
      actor: 'kernel', kind: 'custom', name: 'udp-counters',
      data: c.ok ? { at, scope: 'system-wide (/proc/net/snmp)', ...c.value } : { at, unavailable: c.reason },
    });
  }
}
