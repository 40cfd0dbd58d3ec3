/**
 * What every browser connection together may use: live runs and the processes they start. Each
 * connection has its own smaller limits (session.ts); this is the ceiling across all of them, so
 * opening more tabs or sockets does not multiply what one page can start.
 */
import type { Limits } from '../../shared/protocol/messages.js';
import type { Experiment } from '../experiments/experiment.js';

/** tcpdump processes a run may have at once: the all-TCP capture and the port-filtered one that takes over. */
export const CAPTURE_PROCESSES_PER_RUN = 2;

export class LabBudget {
  private readonly runs = new Map<string, number>();
  constructor(private readonly limits: Pick<Limits, 'maxLabRuns' | 'maxLabProcesses'>) {}

  get liveRuns(): number { return this.runs.size; }
  get reservedProcesses(): number { let n = 0; for (const p of this.runs.values()) n += p; return n; }

  /** The most processes a run of this experiment can have at once (its roles, plus capture). */
  static processesOf(exp: Pick<Experiment, 'roles'>): number { return exp.roles.length + CAPTURE_PROCESSES_PER_RUN; }

  /** Why a run of `exp` cannot start now, or undefined when it may (and is then counted until `release`). */
  reserve(runId: string, exp: Pick<Experiment, 'roles'>): string | undefined {
    if (this.runs.size >= this.limits.maxLabRuns) return `the lab already has ${this.runs.size} live runs (at most ${this.limits.maxLabRuns} across every tab): stop one first`;
    const need = LabBudget.processesOf(exp);
    const used = this.reservedProcesses;
    if (used + need > this.limits.maxLabProcesses) return `the lab's live runs already use up to ${used} processes; this run needs up to ${need} more (at most ${this.limits.maxLabProcesses}): stop a run first`;
    this.runs.set(runId, need);
    return undefined;
  }

  release(runId: string): void { this.runs.delete(runId); }
}
