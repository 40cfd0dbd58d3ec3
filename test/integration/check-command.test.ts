/**
 * `socket-lab check TRACE.jsonl` judges a saved trace with the experiment's current observations,
 * printing and exiting as `run` does: 0 all held, 1 any failed, 3 some not reached, 2 unusable.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../server/run/paths.js';

const cli = path.join(projectRoot, 'dist/server/cli.js');
let dir: string;
let trace: string;
const socketLab = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60_000 });

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'check-test-'));
  trace = path.join(dir, 'echo.jsonl');
  const r = socketLab('run', 'echo', '--set', 'intervalMs=20', '--duration', '1s', '--trace', trace);
  expect(r.status, r.stdout + r.stderr).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The trace with some of its lines changed by hand. */
function crafted(name: string, edit: (lines: Record<string, unknown>[]) => Record<string, unknown>[]): string {
  const lines = readFileSync(trace, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const file = path.join(dir, name);
  writeFileSync(file, edit(lines).map((l) => JSON.stringify(l)).join('\n') + '\n');
  return file;
}

describe('socket-lab check', () => {
  it('holds every observation of a trace `run` wrote, and exits 0', () => {
    const r = socketLab('check', trace);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/✓ The server read every byte the client wrote — held: client wrote \d+ B, server read \d+ B/);
    expect(r.stdout).toMatch(/3\/3 observations held/);
  });

  it('fails an observation the trace contradicts (the client\'s echoes removed), and exits 1', () => {
    const file = crafted('lost.jsonl', (ls) => ls.filter((l) => !(l.kind === 'data' && l.actor === 'client')));
    const r = socketLab('check', file);
    expect(r.status, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/✗ Every byte came back to the client — FAILED: client wrote \d+ B and read back 0 B/);
    expect(r.stdout).toMatch(/2\/3 observations held, 1 failed/);
  });

  it('re-judges instead of trusting the observations written in the trace', () => {
    // The trace still says "held" for every observation; the events say otherwise.
    const file = crafted('stale.jsonl', (ls) => ls.filter((l) => !(l.kind === 'accept')));
    const r = socketLab('check', file);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/✗ The server accepted the client’s connection — FAILED: no accept in the trace/);
  });

  it('exits 2 for what cannot be judged, naming why', () => {
    const missing = socketLab('check', path.join(dir, 'nope.jsonl'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/cannot read .*nope\.jsonl: no such file/);
    const garbage = path.join(dir, 'garbage.jsonl');
    writeFileSync(garbage, '<html>not a trace</html>\n');
    expect(socketLab('check', garbage)).toMatchObject({ status: 2, stderr: expect.stringMatching(/cannot be judged: this is not a Socket Lab trace/) });
    const other = crafted('other.jsonl', (ls) => ls.map((l) => (l.type === 'header' ? { ...l, experiment: 'no-such-experiment' } : l)));
    expect(socketLab('check', other)).toMatchObject({ status: 2, stderr: expect.stringMatching(/experiment "no-such-experiment", which this lab does not have/) });
    const badParams = crafted('params.jsonl', (ls) => ls.map((l) => (l.type === 'header' ? { ...l, params: { count: -1 } } : l)));
    expect(socketLab('check', badParams)).toMatchObject({ status: 2, stderr: expect.stringMatching(/parameters do not fit echo/) });
    expect(socketLab('check')).toMatchObject({ status: 2, stderr: expect.stringMatching(/check takes one trace file/) });
  });
});
