import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../server/cli/duration.js';
import { parseSetPairs } from '../../server/cli/set-params.js';
import echo from '../../server/experiments/echo/index.js';

describe('CLI parameters', () => {
  it('parses durations', () => {
    expect(parseDuration('5s')).toBe(5000);
    expect(parseDuration('1500ms')).toBe(1500);
    expect(parseDuration('2m')).toBe(120_000);
    expect(() => parseDuration('soon')).toThrow(/invalid duration/);
    expect(() => parseDuration('0')).toThrow(/at least 1ms/);
  });
  it('types --set values by the experiment schema and refuses unknown keys', () => {
    expect(parseSetPairs(['count=3', 'message=a=b'], echo.params)).toEqual({ count: 3, message: 'a=b' });
    expect(() => parseSetPairs(['nope=1'], echo.params)).toThrow(/unknown parameter "nope"/);
    expect(() => parseSetPairs(['count'], echo.params)).toThrow(/key=value/);
  });
});
