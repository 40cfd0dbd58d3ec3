import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { liveTempDirs, makeTempDir, removeTempDir, sweepTempLeftovers } from '../../server/run/temp-dirs.js';
import { childEnv } from '../../server/run/child-env.js';

/** A pid that certainly belonged to a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('run temp directories', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(path.join(tmpdir(), 'slab-sweep-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('sweeps only directories of labs that are no longer running', () => {
    const mine = path.join(dir, `socket-lab-${process.pid}-unix-AbC123`);
    const parent = path.join(dir, `socket-lab-${process.ppid}-unix-XyZ789`);
    const dead = path.join(dir, `socket-lab-${deadPid()}-unix-Qwe456`);
    const legacyOld = path.join(dir, 'socket-lab-unix-Old123');
    const legacyNew = path.join(dir, 'socket-lab-unix-New123');
    const other = path.join(dir, 'socket-lab-notes');
    for (const d of [mine, parent, dead, legacyOld, legacyNew, other]) mkdirSync(d);
    mkdirSync(path.join(dead, 'nested'));
    const twoHoursAgo = (Date.now() - 2 * 3600_000) / 1000;
    utimesSync(legacyOld, twoHoursAgo, twoHoursAgo);
    expect(sweepTempLeftovers(dir).sort()).toEqual([dead, legacyOld].sort());
    expect([mine, parent, legacyNew, other].every((d) => existsSync(d))).toBe(true);
  });

  it('names a directory with its lab pid and removes it', () => {
    const d = makeTempDir('unix');
    expect(path.basename(d)).toMatch(new RegExp(`^socket-lab-${process.pid}-unix-`));
    expect(liveTempDirs()).toContain(d);
    // A live lab's directory survives any sweep, this lab's own included.
    expect(sweepTempLeftovers(path.dirname(d))).not.toContain(d);
    removeTempDir(d);
    expect(existsSync(d)).toBe(false);
    expect(liveTempDirs()).not.toContain(d);
  });
});

describe('child environment', () => {
  it('passes the allowlist and the child\'s own variables, never the token', () => {
    const env = childEnv({ LAB_ROLE: 'server' }, {
      PATH: '/usr/bin', HOME: '/root', LANG: 'C.UTF-8', LC_ALL: 'C', LC_TIME: 'en_GB.UTF-8', TZ: 'UTC', TMPDIR: '/tmp/x',
      LAB_NODESTATE_MS: '0', SOCKET_LAB_TOKEN: 'secret', AWS_SECRET_ACCESS_KEY: 'k', NODE_OPTIONS: '--inspect', SSH_AUTH_SOCK: '/s',
    });
    expect(env).toEqual({ PATH: '/usr/bin', HOME: '/root', LANG: 'C.UTF-8', LC_ALL: 'C', LC_TIME: 'en_GB.UTF-8', TZ: 'UTC', TMPDIR: '/tmp/x', LAB_NODESTATE_MS: '0', LAB_ROLE: 'server' });
  });
});
