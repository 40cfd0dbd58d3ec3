/**
 * The packet-capture run plugin on this machine: what it records, that it hands over from an
 * all-TCP capture to a port filter without losing or doubling segments, that no tcpdump survives
 * a run or the lab itself, and what it says when it cannot capture.
 */
import { spawn, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findExperiment } from '../../server/experiments/index.js';
import { Run } from '../../server/run/run.js';
import { CapturePlugin } from '../../server/run/capture-plugin.js';
import { findTcpdump } from '../../server/capture/tcpdump.js';
import type { TraceFooter } from '../../shared/trace/schema.js';
import { TraceQuery } from '../../shared/trace/query.js';
import { captureOn } from '../helpers/capture.js';
import { alive, eventually } from '../helpers/processes.js';

const root = path.resolve(import.meta.dirname, '../..');

/**
 * Runs echo with these plugins until the client has its `replies` echoes back (bounded), then
 * stops it: on a loaded machine the actors may take seconds to start, so no fixed duration.
 */
async function echoRun(plugin: CapturePlugin, replies: number): Promise<Run> {
  const run = new Run({ experiment: findExperiment('echo')!, params: { count: replies, intervalMs: 100 }, durationMs: 30_000, plugins: [() => plugin] });
  const ended = new Promise<TraceFooter>((r) => run.once('end', r));
  await run.start();
  await eventually(() => run.lines.filter((l) => l.type === 'event' && l.kind === 'data' && l.actor === 'client').length >= replies, 25_000);
  // A moment for the last ACKs to be captured, then end the run as Stop would.
  await new Promise((r) => setTimeout(r, 200));
  void run.stop('completed', 'test done');
  await ended;
  return run;
}
const canTry = process.platform === 'linux' && findTcpdump() !== undefined;

describe('capture plugin', () => {
  it('records the run’s segments from the SYN on, once each, and leaves no tcpdump running', async () => {
    const plugin = new CapturePlugin();
    const run = await echoRun(plugin, 3);
    if (!captureOn(run.lines, 'capture plugin')) {
      expect(plugin.pids).toEqual([]);
      return;
    }
    const q = TraceQuery.fromLines(run.lines);
    const c = q.first('connect', 'client')!;
    const mine = q.of('packet').filter((p) => [p.src.port, p.dst.port].includes(c.local.port));
    // The handshake, in order, numbered from each side's SYN.
    expect(mine.slice(0, 3).map((p) => [p.src.port, p.flags.join(' '), p.seq, p.ack ?? null])).toEqual([
      [c.local.port, 'SYN', 0, null],
      [c.remote.port, 'SYN ACK', 0, 1],
      [c.local.port, 'ACK', 1, 1],
    ]);
    expect(mine.every((p) => p.fromSyn)).toBe(true);
    // Every byte the client wrote crossed the wire once: payload sums match the program's writes.
    const wire = (from: number) => mine.filter((p) => p.src.port === from).reduce((n, p) => n + p.len, 0);
    expect(wire(c.local.port)).toBe(q.bytes('write', 'client'));
    expect(wire(c.remote.port)).toBe(q.bytes('write', 'server'));
    // The capture narrowed to the run's ports at least once, and the handover doubled nothing.
    expect(plugin.handovers).toBeGreaterThanOrEqual(1);
    const keys = mine.map((p) => `${p.src.port}>${p.dst.port} ${p.flags} ${p.seq} ${p.ack} ${p.len} ${p.win}`);
    const dupes = keys.filter((k, i) => keys.indexOf(k) !== i && Math.abs(mine[keys.indexOf(k)]!.t - mine[i]!.t) < 2);
    expect(dupes).toEqual([]);
    expect(plugin.pids.length).toBe(plugin.handovers + 1);
    expect(await eventually(() => plugin.pids.every((p) => !alive(p)), 3000)).toBe(true);
  });

  it.skipIf(!canTry)('tcpdump dies with the lab, even when the lab is killed with SIGKILL', async () => {
    const script = `
      import { CapturePlugin } from ${JSON.stringify(path.join(root, 'dist/server/run/capture-plugin.js'))};
      const p = new CapturePlugin();
      const status = await p.start({ runId: 'x', append() {}, ports: () => new Set(), onPort() {} });
      console.log(JSON.stringify({ status, pids: p.pids }));
      setInterval(() => {}, 1000);`;
    if (!existsSync(path.join(root, 'dist/server/run/capture-plugin.js'))) throw new Error('build first: npx tsc -p tsconfig.build.json');
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const first = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d) => { out += d; if (out.includes('\n')) resolve(out); });
      child.once('exit', () => reject(new Error(`the lab stand-in exited early: ${out}`)));
    });
    const { status, pids } = JSON.parse(first) as { status: string; pids: number[] };
    if (status !== 'on') {
      child.kill('SIGKILL');
      if (process.env.CI === 'true') throw new Error(`capture off in CI: ${status}`);
      console.warn(`skipping: capture ${status}`);
      return;
    }
    expect(pids.length).toBe(1);
    expect(alive(pids[0]!)).toBe(true);
    child.kill('SIGKILL');
    expect(await eventually(() => !alive(pids[0]!), 5000)).toBe(true);
  });

  it('without tcpdump the capability says capture is off and how to install it; the run goes on', async () => {
    const plugin = new CapturePlugin({ env: { PATH: '/nonexistent', SOCKET_LAB_TCPDUMP: '/nonexistent/tcpdump' } });
    const run = await echoRun(plugin, 1);
    const footer = run.lines[run.lines.length - 1]!;
    const header = run.lines[0]!;
    expect(header.type === 'header' && header.capabilities.capture).toMatch(/^off: tcpdump is not installed .*apt-get install tcpdump/);
    expect(footer.type === 'footer' && footer.outcome).toBe('completed');
    expect(run.lines.some((l) => l.type === 'event' && l.kind === 'packet')).toBe(false);
    expect(run.lines.some((l) => l.type === 'event' && l.kind === 'data')).toBe(true);
  });

  it.skipIf(!canTry || process.getuid?.() !== 0)('without permission (an unprivileged user) it says capture is off and how to turn it on', () => {
    // Run the plugin's start as user nobody: tcpdump has no file capabilities here, so it must fail.
    const script = `
      import { CapturePlugin } from ${JSON.stringify(path.join(root, 'dist/server/run/capture-plugin.js'))};
      const p = new CapturePlugin();
      console.log(await p.start({ runId: 'x', append() {}, ports: () => new Set(), onPort() {} }));
      await p.stop();`;
    let caps = '';
    try { caps = execFileSync('getcap', [findTcpdump()!], { encoding: 'utf8' }); } catch { /* getcap missing: assume none */ }
    if (caps.includes('cap_net_raw')) { console.warn('skipping: tcpdump has file capabilities, so an unprivileged user may capture'); return; }
    const out = execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--input-type=module', '-e', script], { encoding: 'utf8', cwd: '/' });
    expect(out.trim()).toMatch(/^off: no permission to capture on lo .*run the lab as root, or .*setcap cap_net_raw,cap_net_admin=eip/);
  });
});
