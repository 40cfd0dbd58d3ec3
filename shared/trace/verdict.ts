/**
 * What an observation's check concluded. A verdict is a claim about the kernel, so it is one of
 * three, never more than the trace shows:
 *  - held: the trace shows it;
 *  - failed: the trace shows the opposite (the bytes were lost, the order was reversed);
 *  - not-reached: the run ended before the moment it needs (a pause that never came, a control
 *    nobody pressed), so nothing was proved either way.
 * While a run is live every result is "so far" (`final: false` in the trace); the one written
 * at the end is final.
 */
import { z } from 'zod';

export const VerdictResult = z.enum(['held', 'failed', 'not-reached']);
export type VerdictResult = z.infer<typeof VerdictResult>;

/** What a check returns: `reached: false` when the trace does not yet have the moment the check needs. */
export interface CheckResult { held: boolean; detail: string; reached?: boolean }

export function resultOf(r: CheckResult): VerdictResult {
  if (r.held) return 'held';
  return r.reached === false ? 'not-reached' : 'failed';
}

/** The result an observation event records (traces written before `result` existed have only `held`). */
export function eventResult(e: { held: boolean; result?: VerdictResult | undefined }): VerdictResult {
  return e.result ?? (e.held ? 'held' : 'failed');
}

export interface VerdictCounts { held: number; failed: number; notReached: number; total: number }

export function countResults(results: readonly VerdictResult[]): VerdictCounts {
  return {
    held: results.filter((r) => r === 'held').length,
    failed: results.filter((r) => r === 'failed').length,
    notReached: results.filter((r) => r === 'not-reached').length,
    total: results.length,
  };
}

/**
 * The exit code of `socket-lab run` and `socket-lab check`: 0 when every observation held, 1 when
 * any failed (or the run itself failed), 3 when none failed but some were not reached. 2 is a
 * usage error, decided before any of this.
 */
export function exitCodeOf(c: VerdictCounts, runFailed = false): 0 | 1 | 3 {
  if (runFailed || c.failed > 0) return 1;
  if (c.notReached > 0) return 3;
  return c.held === c.total ? 0 : 1;
}

export const VERDICT_MARK: Record<VerdictResult, string> = { held: '✓', failed: '✗', 'not-reached': '–' };
