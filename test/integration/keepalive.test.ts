import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../server/run/paths.js';
import { TraceLine } from '../../shared/trace/schema.js';
import { describe, expect, it } from 'vitest';
import { runExperiment } from '../helpers/runs.js';
import { count, expectClean, expectHeld, reportsOf, runUntil } from '../helpers/more-tcp.js';

/** The vanishing-peer part needs root and iproute2's `ip netns` (CI runs as root). */
const netnsWhyNot = (() => {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root (network namespaces need CAP_NET_ADMIN)';
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : `"ip netns" unavailable: ${r.error?.message ?? r.stderr}`;
})();
if (netnsWhyNot) console.warn(`skipping the keepalive vanishing-peer tests: ${netnsWhyNot}`);

const ours = (list: string) => list.split('\n').filter((l) => l.startsWith(`slk-${process.pid}-`) || l.includes(`slk${process.pid.toString(36)}x`));

describe('keepalive (seed 003), real kernel timers', () => {
  it('loopback: the kernel runs the keepalive timer and the peer answers every probe', async () => {
    // Until the connection has been silent for longer than idle + count × interval (3 s): had the
    // probes gone unanswered, it would be dead by then.
    const { lines } = await runUntil('keepalive', { peer: 'loopback', idleS: 1, intervalS: 1, count: 2 }, (ls) => {
      const c = ls.find((l) => l.type === 'event' && l.kind === 'connect' && l.actor === 'client');
      const last = ls.at(-1);
      return Boolean(c && c.type === 'event' && last?.type === 'event' && last.t - c.t >= 3400);
    });
    const obs = expectHeld(lines, ['options', 'timer', 'verdict']);
    expect(obs.get('verdict')!.detail).toMatch(/still up/);
    await expectClean(lines);
  });

  it.skipIf(netnsWhyNot)('vanishing peer (network namespace, link taken down): unanswered probes, then ETIMEDOUT; namespace and veth removed', async () => {
    const { lines, footer } = await runUntil('keepalive', { peer: 'vanishing', idleS: 1, intervalS: 1, count: 2, cutAtMs: 1500 },
      (ls) => count(ls, 'custom', 'client', (e) => e.name === 'dead') === 1);
    expect(lines[0]).toMatchObject({ type: 'header', capabilities: { netns: expect.stringMatching(/^on: slk-/) } });
    expect(footer.reason).toBe('test: what it waited for happened');
    const obs = expectHeld(lines, ['options', 'timer', 'verdict']);
    expect(obs.get('verdict')!.detail).toMatch(/^ETIMEDOUT \d+ ms after the cut/);
    const dead = reportsOf<{ code: string }>(lines, 'dead', 'client')[0]!;
    expect(dead.code).toBe('ETIMEDOUT');
    // The peer ran inside the namespace, at the address the lab gave it.
    const listen = lines.find((l) => l.type === 'event' && l.kind === 'listen' && l.actor === 'server');
    expect(listen).toMatchObject({ local: { address: expect.stringMatching(/^198\.18\./) } });
    expect(ours(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }))).toEqual([]);
    expect(ours(execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }))).toEqual([]);
    await expectClean(lines);
  });

  // The lab started by an ordinary user: the same experiment says why the vanishing peer cannot run.
  const runuser = '/usr/sbin/runuser';
  it.skipIf(process.getuid?.() !== 0 || !existsSync(runuser))('without root: the trace says why the vanishing peer cannot run, and the actors run on loopback', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'socket-lab-nobody-'));
    chmodSync(dir, 0o777);
    const trace = path.join(dir, 'trace.jsonl');
    try {
      const r = spawnSync(runuser, ['-u', 'nobody', '--', process.execPath, path.join(projectRoot, 'bin', 'socket-lab.js'), 'run', 'keepalive', '--set', 'peer=vanishing', '--duration', '2500ms', '--trace', trace], { encoding: 'utf8', timeout: 30_000 });
      expect(r.stdout).toMatch(/not run: The vanishing peer cannot run: needs root/);
      const lines = readFileSync(trace, 'utf8').trim().split('\n').map((l) => TraceLine.parse(JSON.parse(l)));
      expect(lines[0]).toMatchObject({ type: 'header', capabilities: { netns: expect.stringMatching(/^off: needs root \(CAP_NET_ADMIN\)/) } });
      const listen = lines.find((l) => l.type === 'event' && l.kind === 'listen' && l.actor === 'server');
      expect(listen).toMatchObject({ local: { address: '127.0.0.1' } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(netnsWhyNot)('sweeps namespaces and veths left by a lab that died, and only those', async () => {
    // A pid that is certainly gone: a process that has exited.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const ns = `slk-${dead}-0`;
    const link = `slk${dead.toString(36)}x0r`;
    execFileSync('ip', ['netns', 'add', ns]);
    execFileSync('ip', ['link', 'add', link, 'type', 'veth', 'peer', 'name', `slk${dead.toString(36)}x0n`]);
    try {
      const { lines } = await runExperiment('keepalive', { peer: 'vanishing', idleS: 1, intervalS: 1, count: 1, cutAtMs: 0 }, 1500);
      const note = lines.find((l) => l.type === 'event' && l.kind === 'note' && l.text.startsWith('removed leftovers'));
      expect(note).toMatchObject({ text: expect.stringContaining(ns) });
      expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(ns);
      expect(execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' })).not.toContain(link);
      await expectClean(lines);
    } finally {
      spawnSync('ip', ['netns', 'del', ns]);
      spawnSync('ip', ['link', 'del', link]);
    }
  });
});
