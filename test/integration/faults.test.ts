/**
 * Faults, each against a real lab process (`node dist/server/cli.js serve`) and real actors:
 * kill -9 of an actor, of tcpdump, of the lab itself; SIGINT and SIGTERM of the lab mid-run; the
 * browser going away. After each: no actor process, no tcpdump, no listening socket and no
 * temporary directory left, and (where a trace still reaches anyone) a footer that says what
 * happened. Each lab gets its own TMPDIR, so its temporary directories are counted exactly.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TraceFooter, TraceLine } from '../../shared/trace/schema.js';
import { Run } from '../../server/run/run.js';
import { captureOn } from '../helpers/capture.js';
import { startLab, TestClient } from '../helpers/lab-server.js';
import { descendants, isActor, isTcpdump, listeningSockets, startLabProcess, survivors, type LabProcess, type ProcInfo } from '../helpers/lab-process.js';
import { alive, eventually, spawnedPids, tracePorts } from '../helpers/processes.js';

const WAIT_MS = 15_000;

let tmp: string;
const labs: LabProcess[] = [];
let watcher: Watcher | null = null;

beforeEach(() => { tmp = mkdtempSync(path.join(tmpdir(), 'slab-faults-')); });
afterEach(async () => {
  watcher?.stop();
  watcher = null;
  for (const l of labs.splice(0)) await l.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function lab(): Promise<LabProcess> {
  const l = await startLabProcess({ TMPDIR: tmp });
  labs.push(l);
  return l;
}

/** Every process seen below the lab while the test runs (they are reparented once the lab dies). */
class Watcher {
  readonly seen = new Map<number, ProcInfo>();
  private readonly timer: NodeJS.Timeout;
  constructor(private readonly root: number) {
    this.look();
    this.timer = setInterval(() => this.look(), 25);
  }
  look(): void { for (const p of descendants(this.root)) if (!this.seen.has(p.pid)) this.seen.set(p.pid, p); }
  tcpdumps(): ProcInfo[] { this.look(); return [...this.seen.values()].filter(isTcpdump); }
  actors(): ProcInfo[] { this.look(); return [...this.seen.values()].filter(isActor); }
  stop(): void { clearInterval(this.timer); }
}

/** Waits (bounded) for a value; fails naming what did not come. */
async function waitFor<T>(what: string, get: () => T | undefined | null | false, timeoutMs = WAIT_MS, detail?: () => string): Promise<T> {
  let v: T | undefined | null | false;
  if (!(await eventually(() => Boolean((v = get())), timeoutMs))) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail ? `; ${detail()}` : ''}`);
  return v as T;
}

/** The lab's notes in a trace (what it said about capture, say), for a failure message. */
const notesOf = (lines: readonly TraceLine[]) => `notes: ${JSON.stringify(eventsOf(lines).flatMap((e) => (e.kind === 'note' ? [e.text] : [])))}`;

async function startRun(l: { port: number; token: string }, experiment: string, params: Record<string, unknown> = {}) {
  const client = await TestClient.open(l);
  client.send({ type: 'run', req: 'r1', experiment, params });
  const { runId } = await client.next('run-started');
  return { client, runId };
}

const eventsOf = (lines: readonly TraceLine[]) => lines.flatMap((l) => (l.type === 'event' ? [l] : []));
const footerOf = (lines: readonly TraceLine[]) => lines.find((l): l is TraceFooter => l.type === 'footer');
const spawnOf = (lines: readonly TraceLine[], role: string) => eventsOf(lines).find((e) => e.kind === 'spawn' && e.actor === role);
const tempDirs = () => readdirSync(tmp).filter((n) => n.startsWith('socket-lab-'));

/** Nothing of the run is left: processes, tcpdumps, listening sockets, temporary directories. */
async function expectNothingLeft(o: { pids: number[]; tcpdumps: number[]; ports: number[] }): Promise<void> {
  const all = [...o.pids, ...o.tcpdumps];
  await eventually(() => survivors(all).length === 0, 10_000);
  expect(survivors(o.pids).map((p) => p.cmdline), 'actor processes left').toEqual([]);
  expect(survivors(o.tcpdumps).map((p) => p.cmdline), 'tcpdumps left').toEqual([]);
  await eventually(() => listeningSockets({ pids: all, ports: o.ports, under: [tmp] }).length === 0, 5000);
  expect(listeningSockets({ pids: all, ports: o.ports, under: [tmp] }), 'listening sockets left').toEqual([]);
  await eventually(() => tempDirs().length === 0, 5000);
  expect(tempDirs(), 'temporary directories left').toEqual([]);
}

/** Waits until the unix run has both long-lived actors up and its socket directory made. */
async function unixRunning(lines: () => TraceLine[]): Promise<void> {
  await waitFor('server and client spawned', () => spawnOf(lines(), 'server') && spawnOf(lines(), 'client'));
  await waitFor('the server listening', () => eventsOf(lines()).some((e) => e.kind === 'listen' && e.actor === 'server'));
  expect(tempDirs()).toHaveLength(1);
}

describe('faults leave nothing behind', () => {
  it('kill -9 of an actor: the run fails, naming the role and SIGKILL', async () => {
    const l = await lab();
    watcher = new Watcher(l.pid);
    const { client, runId } = await startRun(l, 'unix');
    const lines = () => client.lines(runId);
    await unixRunning(lines);
    const server = spawnOf(lines(), 'server')!;
    process.kill((server as { pid: number }).pid, 'SIGKILL');
    const footer = await waitFor('the footer', () => footerOf(lines()));
    expect(footer.outcome).toBe('failed');
    expect(footer.reason).toMatch(/server/);
    expect(footer.reason).toMatch(/SIGKILL/);
    await expectNothingLeft({ pids: spawnedPids(lines()), tcpdumps: watcher.tcpdumps().map((p) => p.pid), ports: tracePorts(lines()) });
    expect(descendants(l.pid), 'the lab has no child left').toEqual([]);
    client.close();
  });

  it('kill -9 of tcpdump mid-run: the trace says capture stopped, the run goes on and ends cleanly', async () => {
    const l = await lab();
    watcher = new Watcher(l.pid);
    const { client, runId } = await startRun(l, 'echo', { count: 1, intervalMs: 0 });
    const lines = () => client.lines(runId);
    await waitFor('the header', () => lines()[0]);
    if (!captureOn(lines(), 'kill -9 of tcpdump')) { client.send({ type: 'stop', runId }); await waitFor('the footer', () => footerOf(lines())); return; }
    await waitFor('the client connected', () => eventsOf(lines()).some((e) => e.kind === 'connect' && e.actor === 'client'));
    // Once the run's ports are known, one tcpdump filtered on them is left (after the handover).
    // Kill it only once it has been the only one for a second: a handover (the next capture made
    // current a moment before this one is stopped) may follow a new port by up to ~0.5 s, and
    // killing the retiring one is another case (capture goes on with its successor).
    let steady: { pid: number; since: number } | null = null;
    const tcpdump = await waitFor('one filtered tcpdump, the only one for a second', () => {
      const now = descendants(l.pid).filter(isTcpdump);
      const one = now.length === 1 && /\bport \d+/.test(now[0]!.cmdline) ? now[0]! : undefined;
      if (!one) { steady = null; return undefined; }
      if (steady?.pid !== one.pid) steady = { pid: one.pid, since: performance.now() };
      return performance.now() - steady.since >= 1000 ? one : undefined;
    }, WAIT_MS, () => `${notesOf(lines())}; below the lab: ${JSON.stringify(descendants(l.pid).map((p) => p.cmdline))}`);
    const before = new Set(watcher.tcpdumps().map((p) => p.pid));
    process.kill(tcpdump.pid, 'SIGKILL');
    const note = await waitFor('a note that capture stopped', () => eventsOf(lines()).find((e) => e.kind === 'note' && /capture stopped/.test(e.text)));
    expect((note as { text: string }).text).toMatch(/SIGKILL/);
    // The run goes on: the echo still works, and no new tcpdump was started behind the trace's back.
    expect(footerOf(lines())).toBeUndefined();
    client.send({ type: 'stdin', runId, role: 'client', text: 'after the capture died\n' });
    await waitFor('the echo of a line typed after the kill', () => eventsOf(lines()).some((e) => e.kind === 'stdout' && e.actor === 'client' && /after the capture died/.test(e.text)));
    // A successor already starting when the kill came (a handover under way) is stopped, not kept.
    await waitFor('no tcpdump left below the lab', () => descendants(l.pid).filter(isTcpdump).length === 0, WAIT_MS, () => JSON.stringify(descendants(l.pid).map((p) => p.cmdline)));
    expect(watcher.tcpdumps().filter((p) => !before.has(p.pid) && alive(p.pid))).toEqual([]);
    client.send({ type: 'stop', runId });
    const footer = await waitFor('the footer', () => footerOf(lines()));
    expect(footer.outcome).toBe('stopped');
    expect(footer.reason).toBe('stopped by the user');
    await expectNothingLeft({ pids: spawnedPids(lines()), tcpdumps: watcher.tcpdumps().map((p) => p.pid), ports: tracePorts(lines()) });
    client.close();
  });

  it('kill -9 of the lab: its actors exit by themselves, tcpdump by pdeathsig, the next start sweeps the temp dir', async () => {
    const l = await lab();
    watcher = new Watcher(l.pid);
    const { client, runId } = await startRun(l, 'unix');
    const lines = () => client.lines(runId);
    await unixRunning(lines);
    const capture = captureOn(lines(), 'kill -9 of the lab');
    if (capture) await waitFor('tcpdump running', () => descendants(l.pid).some(isTcpdump), WAIT_MS, () => notesOf(lines()));
    const actors = watcher.actors().map((p) => p.pid);
    const tcpdumps = watcher.tcpdumps().map((p) => p.pid);
    expect(actors.length).toBeGreaterThanOrEqual(2);
    if (capture) expect(tcpdumps.length).toBeGreaterThanOrEqual(1);
    const closed = new Promise((r) => client.ws.once('close', r));
    process.kill(l.pid, 'SIGKILL');
    await l.exited;
    await closed;
    watcher.stop();
    // Nothing could clean up the socket directory: it is still there until the next start.
    expect(tempDirs()).toHaveLength(1);
    await eventually(() => survivors([...actors, ...tcpdumps]).length === 0, 10_000);
    expect(survivors(actors).map((p) => p.cmdline), 'actors outlived the lab').toEqual([]);
    expect(survivors(tcpdumps).map((p) => p.cmdline), 'tcpdump outlived the lab').toEqual([]);
    const next = await lab();
    expect(next.output()).toMatch(/removed what a lab that is no longer running left behind/);
    await expectNothingLeft({ pids: actors, tcpdumps, ports: [...tracePorts(lines()), l.port] });
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} of the lab mid-run: the footer says the lab shut down, and nothing is left`, async () => {
      const l = await lab();
      watcher = new Watcher(l.pid);
      const { client, runId } = await startRun(l, 'unix');
      const lines = () => client.lines(runId);
      await unixRunning(lines);
      const tcpdumps = () => watcher!.tcpdumps().map((p) => p.pid);
      if (captureOn(lines(), `${signal} of the lab`)) await waitFor('tcpdump running', () => tcpdumps().length > 0, WAIT_MS, () => notesOf(lines()));
      process.kill(l.pid, signal);
      expect(await l.exited).toEqual({ code: 0, signal: null });
      const footer = footerOf(lines());
      expect(footer, 'the footer reached the browser').toBeDefined();
      expect(footer!.outcome).toBe('stopped');
      expect(footer!.reason).toBe('lab shut down');
      await expectNothingLeft({ pids: spawnedPids(lines()), tcpdumps: tcpdumps(), ports: [...tracePorts(lines()), l.port] });
    });
  }

  // In this process, so the run's own trace can be read after the browser went away.
  for (const when of ['mid-run', 'while the run is still starting'] as const) {
    it(`the browser disconnecting ${when}: the run ends with "browser disconnected", and nothing is left`, async () => {
      const runs: { run: Run; started: Promise<void> }[] = [];
      const start = Run.prototype.start;
      const spy = vi.spyOn(Run.prototype, 'start').mockImplementation(function (this: Run) {
        const started = start.call(this);
        runs.push({ run: this, started });
        return started;
      });
      const tmpBefore = process.env.TMPDIR;
      process.env.TMPDIR = tmp;
      const l = await startLab();
      try {
        watcher = new Watcher(process.pid);
        const client = await TestClient.open(l);
        const terminate = () => client.ws.terminate(); // a closed tab or a crashed browser: no close handshake
        if (when === 'mid-run') {
          client.send({ type: 'run', req: 'r1', experiment: 'unix' });
          const { runId } = await client.next('run-started');
          await unixRunning(() => client.lines(runId));
          terminate();
        } else {
          // Gone as soon as the request is out: the run is still starting its plugins (tcpdump,
          // the socket directory) when the lab sees the connection close.
          client.ws.send(JSON.stringify({ type: 'run', req: 'r1', experiment: 'unix' }), terminate);
        }
        const { run, started } = await waitFor('the run', () => runs[0]);
        const footer = run.ended ? footerOf(run.lines)! : await new Promise<TraceFooter>((r) => run.once('end', r));
        expect(footer.outcome).toBe('stopped');
        expect(footer.reason).toBe('browser disconnected');
        expect(run.lines[0]?.type, 'the header comes first').toBe('header');
        await expectNothingLeft({ pids: spawnedPids(run.lines), tcpdumps: watcher.tcpdumps().map((p) => p.pid), ports: tracePorts(run.lines) });
        // Nothing is started after the end either (a plugin that was still starting, an actor).
        await started;
        expect(descendants(process.pid).filter((p) => isActor(p) || isTcpdump(p))).toEqual([]);
        expect(tempDirs()).toEqual([]);
      } finally {
        spy.mockRestore();
        if (tmpBefore === undefined) delete process.env.TMPDIR; else process.env.TMPDIR = tmpBefore;
        await l.close();
      }
    });
  }
});
