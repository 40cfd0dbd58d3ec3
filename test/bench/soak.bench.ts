/**
 * Soak: 1,000 echo runs, one after the other, through the WebSocket API exactly as the browser
 * drives it, against a lab started as its own process (`node --expose-gc dist/server/cli.js serve`)
 * with the default run plugins (kernel observer and, where tcpdump may capture, packet capture).
 *
 * Every 100 runs it prints what the lab process holds: file descriptors, RSS, heap after a full
 * GC, child processes and sockets (from the lab's /api/stats; the heap can only be read inside
 * the lab), plus the TCP sockets still on the runs' ports (ss, any state). At the end: heap growth
 * per run over runs 100..N (least-squares fit) and whether fds and processes stayed the same.
 *
 * SOAK_RUNS=200 for a quick look (rows every SOAK_EVERY runs, default N/10, at most 100).
 * SOAK_SNAPSHOTS=100,300 writes a lab heap snapshot after those runs (into SOAK_SNAPSHOT_DIR,
 * default the system temp dir) for comparing what is retained. SOAK_LAB_FLAGS adds node/V8 flags
 * to the lab's command line, e.g. "--no-opt --no-sparkplug --no-flush-bytecode" for a control run
 * without the JIT's code growth.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { findSetpriv } from '../../server/capture/tcpdump.js';
import { projectRoot } from '../../server/run/paths.js';
import { ServerMessage } from '../../shared/protocol/messages.js';
import type { TraceFooter } from '../../shared/trace/schema.js';
import { percentile, table } from './stats.js';

interface LabStats { rssBytes: number; heapUsedBytes: number; heapTotalBytes: number; externalBytes: number; codeBytes: number; gcRan: boolean; fds: number | null; sockets: number | null; children: number | null; runs: number }

/** One run's echo parameters: one short line, no pause, so a run is as short as the lab allows. */
const PARAMS = { count: 1, intervalMs: 0, message: 'soak' };
const RUN_TIMEOUT_MS = 20_000;

class Lab {
  port = 0;
  cookie = '';
  private stderr = '';
  constructor(readonly child: ChildProcess) {
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (t: string) => { this.stderr = (this.stderr + t).slice(-4000); });
  }

  static async start(snapshotDir: string | null, flags: readonly string[]): Promise<Lab> {
    const args = ['--expose-gc', ...flags, ...(snapshotDir ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${snapshotDir}`] : []), path.join(projectRoot, 'dist/server/cli.js'), 'serve', '--port', '0'];
    const token = randomBytes(16).toString('hex');
    // The lab must not outlive the benchmark, however it ends: the kernel sends it SIGTERM (its
    // own clean shutdown, every run stopped) if this process dies, and 'exit' kills it otherwise.
    const setpriv = findSetpriv();
    const [cmd, argv] = setpriv ? [setpriv, ['--pdeathsig', 'TERM', '--', process.execPath, ...args]] : [process.execPath, args];
    const child = spawn(cmd, argv, { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SOCKET_LAB_TOKEN: token } });
    process.once('exit', () => child.kill('SIGKILL'));
    const lab = new Lab(child);
    lab.port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout!.setEncoding('utf8');
      child.stdout!.on('data', (d: string) => {
        out += d;
        const m = /http:\/\/127\.0\.0\.1:(\d+)\/\?token=/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`the lab exited (${code}) before listening: ${lab.stderr}`)));
    });
    // As the browser: trade the token in the URL for the session cookie, then use only that.
    const res = await get(lab.port, `/?token=${token}`, {});
    const setCookie = res.headers['set-cookie']?.[0];
    if (res.status !== 302 || !setCookie) throw new Error(`no session cookie from the lab (HTTP ${res.status})`);
    lab.cookie = setCookie.split(';')[0]!;
    return lab;
  }

  get origin(): string { return `http://127.0.0.1:${this.port}`; }

  async stats(): Promise<LabStats> {
    const res = await get(this.port, '/api/stats?gc=1', { cookie: this.cookie });
    if (res.status !== 200) throw new Error(`/api/stats: HTTP ${res.status} ${res.body}`);
    return JSON.parse(res.body) as LabStats;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
  }
}

function get(port: number, urlPath: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
  });
}

interface RunResult { ms: number; startedMs: number; headerMs: number; echoedMs: number; endedMs: number; footer: TraceFooter; serverPort: number; failed: string[] }

/** The browser's end: every server message validated with the shared schema before use. */
class Client {
  private handlers = new Set<(m: ServerMessage) => void>();
  private seq = 0;
  /** Set when the lab sent something the schema rejects, or the connection closed: every later run fails. */
  broken: Error | null = null;
  constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      const parsed = ServerMessage.safeParse(JSON.parse(String(d)));
      if (!parsed.success) return this.fail(new Error(`the lab sent an invalid message: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`));
      for (const h of [...this.handlers]) h(parsed.data);
    });
    ws.on('close', () => this.fail(new Error('the lab closed the WebSocket')));
  }

  private fail(err: Error): void {
    this.broken ??= err;
    for (const h of [...this.handlers]) h({ type: 'error', message: err.message, req: '*' });
  }

  static async open(lab: Lab): Promise<Client> {
    const ws = new WebSocket(`ws://127.0.0.1:${lab.port}/ws`, { headers: { cookie: lab.cookie, origin: lab.origin } });
    const client = new Client(ws);
    await new Promise<void>((resolve, reject) => {
      const h = (m: ServerMessage) => {
        if (m.type === 'hello') { client.handlers.delete(h); resolve(); }
        if (m.type === 'error') { client.handlers.delete(h); reject(new Error(m.message)); }
      };
      client.handlers.add(h);
      ws.once('error', reject);
    });
    return client;
  }

  /**
   * One echo run: Run, wait until the trace shows what the experiment's observations check (the
   * server accepted and read every byte the client wrote, and the client read them all back),
   * Stop, wait for the footer and run-ended. Stopping as soon as the client has its echo races
   * the server's own report of its read: an actor that Stop kills before it has sent its last
   * events loses them (seen once in 1,000 runs on a loaded machine).
   */
  echoRun(): Promise<RunResult> {
    const req = `soak-${++this.seq}`;
    const t0 = performance.now();
    return new Promise<RunResult>((resolve, reject) => {
      let runId = '';
      let startedMs = 0; let headerMs = 0; let echoedMs = 0;
      let wrote = 0; let serverRead = 0; let readBack = 0; let serverPort = 0; let accepted = false;
      let footer: TraceFooter | undefined;
      let stopped = false;
      const failed: string[] = [];
      const timer = setTimeout(() => done(new Error(`run ${runId || req} did not end within ${RUN_TIMEOUT_MS} ms`)), RUN_TIMEOUT_MS);
      const done = (err: Error | null) => {
        clearTimeout(timer);
        this.handlers.delete(h);
        if (err) return reject(err);
        resolve({ ms: performance.now() - t0, startedMs, headerMs, echoedMs, endedMs: performance.now() - t0, footer: footer!, serverPort, failed });
      };
      const stop = () => { if (!stopped) { stopped = true; this.ws.send(JSON.stringify({ type: 'stop', runId })); } };
      const h = (m: ServerMessage) => {
        if (m.type === 'error' && (m.req === req || m.req === '*' || (runId && m.runId === runId))) return done(new Error(`lab error: ${m.message}`));
        if (m.type === 'run-started' && m.req === req) { runId = m.runId; startedMs = performance.now() - t0; }
        if (!runId) return;
        if (m.type === 'trace' && m.runId === runId) {
          for (const l of m.lines) {
            if (l.type === 'header') headerMs = performance.now() - t0;
            else if (l.type === 'footer') footer = l;
            else if (l.kind === 'listen' && l.actor === 'server') serverPort = l.local.port;
            else if (l.kind === 'accept' && l.actor === 'server') accepted = true;
            else if (l.kind === 'data' && l.actor === 'server') serverRead += l.bytes;
            else if (l.kind === 'write' && l.actor === 'client') wrote += l.bytes;
            else if (l.kind === 'observation' && !l.held) failed.push(`${l.id}: ${l.detail}`);
            else if (l.kind === 'data' && l.actor === 'client') readBack += l.bytes;
            // The client exiting on its own (it should not: it waits for typing) ends the run too.
            else if (l.kind === 'exit' && l.actor === 'client') stop();
          }
          if (!stopped && accepted && wrote > 0 && serverRead === wrote && readBack === wrote) { echoedMs = performance.now() - t0; stop(); }
        }
        if (m.type === 'run-ended' && m.runId === runId) {
          if (!footer) return done(new Error(`run ${runId} ended without a footer`));
          done(null);
        }
      };
      if (this.broken) return done(this.broken);
      this.handlers.add(h);
      this.ws.send(JSON.stringify({ type: 'run', req, experiment: 'echo', params: PARAMS }));
    });
  }

  close(): void { this.ws.close(); }
}

/** TCP sockets (any state) with one of these ports at either end, by state: what the runs left in the kernel. */
function tcpOnPorts(ports: ReadonlySet<number>): { total: number; byState: string } {
  const r = spawnSync('ss', ['-tanH'], { encoding: 'utf8' });
  if (r.status !== 0) return { total: -1, byState: 'ss failed' };
  const counts = new Map<string, number>();
  let total = 0;
  for (const line of r.stdout.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5) continue;
    const portOf = (a: string) => Number(a.slice(a.lastIndexOf(':') + 1));
    if (!ports.has(portOf(f[3]!)) && !ports.has(portOf(f[4]!))) continue;
    total++;
    counts.set(f[0]!, (counts.get(f[0]!) ?? 0) + 1);
  }
  return { total, byState: [...counts].map(([s, n]) => `${s} ${n}`).join(', ') || '-' };
}

/** Least-squares slope of y over x. */
function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0; let sxx = 0;
  for (let i = 0; i < n; i++) { sxy += (xs[i]! - mx) * (ys[i]! - my); sxx += (xs[i]! - mx) ** 2; }
  return sxx === 0 ? NaN : sxy / sxx;
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function run(): Promise<Record<string, unknown>> {
  const runs = Number(process.env.SOAK_RUNS ?? 1000);
  const every = Number(process.env.SOAK_EVERY ?? Math.min(100, Math.max(1, Math.round(runs / 10))));
  const snapshotAt = new Set((process.env.SOAK_SNAPSHOTS ?? '').split(',').filter(Boolean).map(Number));
  const snapshotDir = snapshotAt.size ? (process.env.SOAK_SNAPSHOT_DIR ?? tmpdir()) : null;
  if (!(Number.isInteger(runs) && runs > 0 && Number.isInteger(every) && every > 0)) throw new Error('SOAK_RUNS and SOAK_EVERY must be positive integers');

  const flags = (process.env.SOAK_LAB_FLAGS ?? '').split(/\s+/).filter(Boolean);
  const lab = await Lab.start(snapshotDir, flags);
  const client = await Client.open(lab);
  const rows: Record<string, string | number>[] = [];
  const points: { run: number; heapMB: number; otherMB: number; fds: number | null; children: number | null; sockets: number | null }[] = [];
  const ports = new Set<number>();
  const times: number[] = [];
  const phases = { started: [] as number[], header: [] as number[], echoed: [] as number[], ended: [] as number[] };
  let failedObservations = 0;
  const failures: string[] = [];
  let capability = '';
  const t0 = performance.now();

  const row = async (n: number, lastPort: number) => {
    await settle(200); // let the last run's closing callbacks finish before looking
    const s = await lab.stats();
    const tcpAll = tcpOnPorts(ports);
    const tcpLast = lastPort ? tcpOnPorts(new Set([lastPort])) : { total: 0, byState: '-' };
    const heapMB = s.heapUsedBytes / 1e6;
    const otherMB = (s.heapUsedBytes - s.codeBytes) / 1e6;
    points.push({ run: n, heapMB, otherMB, fds: s.fds, children: s.children, sockets: s.sockets });
    rows.push({
      run: n, fds: s.fds ?? '?', 'RSS MB': (s.rssBytes / 1e6).toFixed(1), 'heap after GC MB': heapMB.toFixed(3), 'of it code MB': (s.codeBytes / 1e6).toFixed(3), 'heap total MB': (s.heapTotalBytes / 1e6).toFixed(1), 'external MB': (s.externalBytes / 1e6).toFixed(1), children: s.children ?? '?',
      'socket fds': s.sockets ?? '?', 'live runs': s.runs, 'TCP on last run port': tcpLast.byState, 'TCP on all runs ports': tcpAll.byState,
      's/run so far': n ? ((performance.now() - t0) / 1000 / n).toFixed(2) : '-',
    });
    const r = rows.at(-1)!;
    console.log(`  run ${String(n).padStart(5)}: fds ${r.fds}, RSS ${(s.rssBytes / 1e6).toFixed(1)} MB, heap ${heapMB.toFixed(3)} MB${s.gcRan ? '' : ' (no GC!)'} (code ${(s.codeBytes / 1e6).toFixed(3)}), children ${r.children}, socket fds ${r['socket fds']}, TCP on the runs' ports: ${tcpAll.byState}`);
  };

  try {
    await row(0, 0);
    for (let i = 1; i <= runs; i++) {
      const r = await client.echoRun();
      if (r.footer.observations.held !== r.footer.observations.total) {
        failedObservations++;
        if (failures.length < 5) failures.push(`run ${i} (${r.footer.outcome}${r.footer.reason ? `: ${r.footer.reason}` : ''}): ${r.failed.join('; ')}`);
      }
      times.push(r.ms);
      phases.started.push(r.startedMs); phases.header.push(r.headerMs); phases.echoed.push(r.echoedMs); phases.ended.push(r.endedMs);
      if (r.serverPort) ports.add(r.serverPort);
      if (i === 1) capability = `echo ${JSON.stringify(PARAMS)}, outcome ${r.footer.outcome}`;
      if (i % every === 0 || i === runs) await row(i, r.serverPort);
      if (snapshotAt.has(i)) {
        await lab.stats(); // a full GC first, so the snapshot holds what is retained
        lab.child.kill('SIGUSR2');
        await settle(3000);
        console.log(`  heap snapshot after run ${i} written to ${snapshotDir}`);
      }
    }
  } finally {
    client.close();
    await lab.stop();
  }

  const totalS = (performance.now() - t0) / 1000;
  // From run 100 on (the first 100 runs warm the lab up: modules, caches, the JIT); fewer runs, from the first row.
  const fit = points.filter((p) => p.run >= (runs >= 200 ? 100 : every));
  const growthKBPerRun = slope(fit.map((p) => p.run), fit.map((p) => p.heapMB)) * 1000;
  const otherKBPerRun = slope(fit.map((p) => p.run), fit.map((p) => p.otherMB)) * 1000;
  const same = <K extends 'fds' | 'children' | 'sockets'>(k: K) => fit.every((p) => p[k] === fit[0]![k]);
  const fdsSame = same('fds'); const childrenSame = same('children'); const socketsSame = same('sockets');
  const baseSame = points[0]!.fds === fit[0]?.fds && points[0]!.children === fit[0]?.children;

  table(`Soak: ${runs} echo runs through the WebSocket API, one after another (lab process, after each row's run ended)`, rows);
  table('Soak: one run, Run sent → (ms)', [
    { phase: 'run-started', p50: percentile(phases.started, 50), p95: percentile(phases.started, 95) },
    { phase: 'trace header (plugins started)', p50: percentile(phases.header, 50), p95: percentile(phases.header, 95) },
    { phase: 'echo complete in the trace (Stop sent)', p50: percentile(phases.echoed, 50), p95: percentile(phases.echoed, 95) },
    { phase: 'run-ended', p50: percentile(phases.ended, 50), p95: percentile(phases.ended, 95) },
  ]);
  console.log(`\n${capability}${flags.length ? `, lab flags ${flags.join(' ')}` : ''}; ${runs - failedObservations}/${runs} runs with every observation held; ${totalS.toFixed(0)} s in all (${(totalS / runs).toFixed(2)} s a run)`);
  for (const f of failures) console.log(`  observations not held: ${f}`);
  console.log(`heap growth over runs ${fit[0]?.run}..${fit.at(-1)?.run} (least-squares fit of ${fit.length} rows): ${growthKBPerRun.toFixed(2)} KB per run (goal < 0.5); ` +
    `of which not V8 code and bytecode: ${otherKBPerRun.toFixed(2)} KB per run`);
  console.log(`fds identical at every row from run ${fit[0]?.run}: ${fdsSame ? 'yes' : 'NO'}; child processes: ${childrenSame ? 'yes' : 'NO'}; socket fds: ${socketsSame ? 'yes' : 'NO'}; same as before the first run: ${baseSame ? 'yes' : 'no'}`);
  return { runs, rows, growthKBPerRun, otherKBPerRun, fdsSame, childrenSame, socketsSame, failedObservations, secondsPerRun: totalS / runs, runMsP50: percentile(times, 50) };
}

// Run directly (node --expose-gc dist/test/bench/soak.bench.js) as well as from run-all.
if (process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  await run();
  process.exit(0);
}
