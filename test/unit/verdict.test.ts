import { describe, expect, it } from 'vitest';
import { countResults, eventResult, exitCodeOf, resultOf } from '../../shared/trace/verdict.js';

describe('verdicts', () => {
  it('tells held, failed and not reached apart', () => {
    expect(resultOf({ held: true, detail: '' })).toBe('held');
    expect(resultOf({ held: false, detail: '' })).toBe('failed');
    expect(resultOf({ held: false, detail: '', reached: false })).toBe('not-reached');
    expect(resultOf({ held: true, detail: '', reached: false })).toBe('held');
  });
  it('reads results from traces written before `result` existed', () => {
    expect(eventResult({ held: true })).toBe('held');
    expect(eventResult({ held: false })).toBe('failed');
    expect(eventResult({ held: false, result: 'not-reached' })).toBe('not-reached');
  });
  it('exits 0 when all held, 1 when any failed or the run failed, 3 when some were only not reached', () => {
    expect(exitCodeOf(countResults(['held', 'held']))).toBe(0);
    expect(exitCodeOf(countResults(['held', 'failed', 'not-reached']))).toBe(1);
    expect(exitCodeOf(countResults(['held', 'not-reached']))).toBe(3);
    expect(exitCodeOf(countResults(['held']), true)).toBe(1);
    expect(exitCodeOf(countResults([]))).toBe(0);
  });
});
