/**
 * The unix experiment's own setup: a fresh directory for the run's socket file (so runs never
 * share a path, and a leftover file from one run cannot break another), a run-specific abstract
 * name, and the kernel's view of the run's Unix sockets through unix_diag (found by that directory
 * and that name, and by peer). The directory is removed when the run ends, whatever the actors did,
 * and, carrying the lab's pid in its name, at the lab's exit or its next start after a crash
 * (server/run/temp-dirs.ts).
 */
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Fixture } from '../experiment.js';
import type { RunContext } from '../../run/plugin.js';
import { SamplerPlugin } from '../../run/sampler-plugin.js';
import { UnixDiagMethod } from '../../kernel/unix-diag.js';
import { makeTempDir, removeTempDir } from '../../run/temp-dirs.js';

export class UnixFixture implements Fixture {
  readonly name = 'kernel-unix';
  private dir: string | undefined;
  private readonly abstractName = `socket-lab-${randomBytes(4).toString('hex')}`;
  private sampler: SamplerPlugin | undefined;

  start(ctx: RunContext): string {
    try {
      this.dir = makeTempDir('unix');
    } catch (err) {
      ctx.append({ actor: 'lab', kind: 'note', level: 'error', text: `cannot make the run's socket directory: ${(err as Error).message}` });
      return `off: no socket directory (${(err as Error).message})`;
    }
    const filter = { pathPrefix: `${this.dir}/`, abstractPrefix: this.abstractName };
    this.sampler = new SamplerPlugin({ name: 'kernel-unix', open: () => new UnixDiagMethod(filter), usePorts: false });
    // Never throw once the directory exists: a plugin whose start throws is never stopped, and
    // stop() is what removes the directory. Without the observer the actors still run.
    try {
      return this.sampler.start(ctx);
    } catch (err) {
      this.sampler = undefined;
      return `off: ${(err as Error).message}`;
    }
  }

  /** Where the actors put their sockets: a path in the run's directory and an abstract name. */
  actorParams(): Record<string, unknown> {
    return this.dir ? { socketPath: path.join(this.dir, 'lab.sock'), abstractName: this.abstractName } : { socketPath: '', abstractName: this.abstractName };
  }

  async stop(): Promise<void> {
    try {
      await this.sampler?.stop();
    } finally {
      if (this.dir) removeTempDir(this.dir);
    }
  }
}
