/** How `run` and `check` print an experiment's final verdicts, and the exit code they give. */
import { countResults, exitCodeOf, VERDICT_MARK, type VerdictResult } from '../../shared/trace/verdict.js';

export interface FinalVerdict { label: string; result: VerdictResult; detail: string }

const WORD: Record<VerdictResult, string> = { held: 'held', failed: 'FAILED', 'not-reached': 'not reached' };

/** Prints one line per observation and a summary; returns 0 (all held), 1 (any failed) or 3 (some not reached). */
export function printVerdicts(verdicts: readonly FinalVerdict[], opts: { runFailed?: boolean; suffix?: string } = {}): 0 | 1 | 3 {
  for (const v of verdicts) console.log(`  ${VERDICT_MARK[v.result]} ${v.label} — ${WORD[v.result]}: ${v.detail}`);
  const c = countResults(verdicts.map((v) => v.result));
  const parts = [`${c.held}/${c.total} observations held`];
  if (c.failed) parts.push(`${c.failed} failed`);
  if (c.notReached) parts.push(`${c.notReached} not reached (the run ended before the moment they need)`);
  console.log(`  ${parts.join(', ')}${opts.suffix ?? ''}`);
  return exitCodeOf(c, opts.runFailed);
}
