/**
 * Benchmark: what one kernel-observer sample costs, sock_diag against ss, and what the Sampler
 * costs at its default rate (and at 100/s, the issue's target: under 5% of one core).
 *
 * A run-like set of 4 sockets on loopback: 2 connections, one held still (reader paused, writer
 * blocked with megabytes queued) and one idle. The listener is closed once both are accepted, so
 * exactly those 4 sockets match the port.
 *
 * CPU share is (user + system CPU of this process + CPU of the children it reaped) / wall time,
 * from process.cpuUsage() and /proc/self/stat (ss runs as child processes, and their CPU is part
 * of that method's cost). A baseline over the same interval without a sampler is reported too.
 *
 * Called by the bench runner as `run()`; prints a table and returns the numbers.
 */
import net from 'node:net';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { loadLibc } from '../../server/kernel/libc.js';
import { Sampler, SockDiagMethod, SsMethod, type ObserverMethod } from '../../server/kernel/observer.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function summary(us: number[]): { n: number; medianUs: number; p99Us: number; meanUs: number } {
  const s = [...us].sort((a, b) => a - b);
  const r1 = (x: number) => Math.round(x * 10) / 10;
  return { n: s.length, medianUs: r1(quantile(s, 0.5)), p99Us: r1(quantile(s, 0.99)), meanUs: r1(s.reduce((a, b) => a + b, 0) / s.length) };
}

let clkTck = 0;
/** CPU seconds of reaped children (cutime + cstime), from /proc/self/stat. */
function childrenCpuS(): number {
  if (!clkTck) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After "pid (comm) ": state is field 3, so cutime (16) and cstime (17) are at 13 and 14 here.
  return (Number(f[13]) + Number(f[14])) / clkTck;
}

/** CPU share of one core while `body` runs for `ms`: this process plus its reaped children. */
async function cpuShare(ms: number, body: () => Promise<void>): Promise<{ wallMs: number; cpuMs: number; childCpuMs: number; share: number }> {
  const c0 = process.cpuUsage();
  const k0 = childrenCpuS();
  const w0 = performance.now();
  await body();
  await sleep(ms);
  const wall = performance.now() - w0;
  const c = process.cpuUsage(c0);
  const child = (childrenCpuS() - k0) * 1000;
  const own = (c.user + c.system) / 1000;
  return { wallMs: Math.round(wall), cpuMs: Math.round(own * 10) / 10, childCpuMs: Math.round(child), share: Math.round(((own + child) / wall) * 10000) / 100 };
}

async function fixture() {
  const server = net.createServer({ pauseOnConnect: true });
  const accepted: net.Socket[] = [];
  server.on('connection', (c) => accepted.push(c));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const connect = () =>
    new Promise<net.Socket>((resolve, reject) => {
      const c = net.connect(port, '127.0.0.1', () => resolve(c));
      c.once('error', reject);
    });
  const busy = await connect();
  const idle = await connect();
  for (let i = 0; i < 100 && accepted.length < 2; i++) await sleep(10);
  // close() stops listening at once; its callback would wait for the connections to end.
  server.close();
  if (accepted.length < 2) throw new Error('fixture: connections not accepted');
  // Writer blocked behind a reader that never reads: queues on both ends, zero window.
  busy.write(Buffer.alloc(16 << 20));
  await sleep(300);
  return {
    port,
    close() {
      for (const s of [busy, idle, ...accepted]) s.destroy();
    },
  };
}

async function timeQueries(method: ObserverMethod, ports: Set<number>, n: number, warmup: number): Promise<{ us: number[]; sockets: number }> {
  let sockets = 0;
  for (let i = 0; i < warmup; i++) sockets = (await method.query(ports)).length;
  const us: number[] = [];
  const sync = method instanceof SockDiagMethod ? method : undefined;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    if (sync) sync.querySync(ports);
    else await method.query(ports);
    us.push((performance.now() - t) * 1000);
  }
  return { us, sockets };
}

async function samplerRun(method: ObserverMethod, port: number, rateHz: number, ms: number) {
  let events = 0;
  const sampler = new Sampler({ ports: [port], emit: () => events++, method, rateHz });
  const cpu = await cpuShare(ms, async () => sampler.start());
  await sampler.stop();
  const st = sampler.stats();
  return {
    rateHz, ...cpu, ticks: st.ticks, ticksPerS: Math.round((st.ticks / cpu.wallMs) * 10000) / 10,
    meanQueryUs: st.meanCostUs, overruns: st.overruns, errors: st.errors, events,
  };
}

export async function run(): Promise<Record<string, unknown>> {
  const libc = loadLibc();
  if (!libc.ok) return { unavailable: libc.reason };
  const fx = await fixture();
  const ports = new Set([fx.port]);
  const result: Record<string, unknown> = { kernel: readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim(), node: process.version };
  try {
    const diag = new SockDiagMethod();
    const diagV2 = new SockDiagMethod(libc.libc, 'v2-per-family+bytecode');
    let ss: SsMethod | undefined;
    try {
      ss = new SsMethod();
    } catch (e) {
      result.ss = { unavailable: e instanceof Error ? e.message : String(e) };
    }

    const d = await timeQueries(diag, ports, 2000, 100);
    const d2 = await timeQueries(diagV2, ports, 1000, 50);
    const s = ss ? await timeQueries(ss, ports, 200, 10) : undefined;
    result.sockets = d.sockets;
    result.sampleCost = {
      sock_diag: { strategy: diag.strategy, ...summary(d.us) },
      sock_diag_v2_per_family: { strategy: diagV2.strategy, ...summary(d2.us) },
      ...(s && ss ? { ss: { version: ss.version.join('.'), ...summary(s.us) } } : {}),
    };
    diagV2.close();

    const ms = 3000;
    const baseline = await cpuShare(ms, async () => {});
    const sampler: Record<string, unknown> = { baseline };
    sampler.sock_diag_50 = await samplerRun(diag, fx.port, 50, ms);
    sampler.sock_diag_100 = await samplerRun(diag, fx.port, 100, ms);
    if (ss) {
      sampler.ss_50 = await samplerRun(ss, fx.port, 50, ms);
      sampler.ss_100 = await samplerRun(ss, fx.port, 100, ms);
    }
    result.sampler = sampler;
    diag.close();
    print(result);
    return result;
  } finally {
    fx.close();
  }
}

function print(r: Record<string, unknown>): void {
  const cost = r.sampleCost as Record<string, { medianUs: number; p99Us: number; n: number }>;
  const samp = r.sampler as Record<string, { share: number; ticksPerS: number; overruns: number; childCpuMs: number }>;
  const rows: string[][] = [['', 'sock_diag (chosen)', 'sock_diag v2 x2', 'ss']];
  const c = (k: string, f: (x: { medianUs: number; p99Us: number; n: number }) => string) => (cost[k] ? f(cost[k]!) : 'n/a');
  rows.push(['sample median (µs)', c('sock_diag', (x) => `${x.medianUs}`), c('sock_diag_v2_per_family', (x) => `${x.medianUs}`), c('ss', (x) => `${x.medianUs}`)]);
  rows.push(['sample p99 (µs)', c('sock_diag', (x) => `${x.p99Us}`), c('sock_diag_v2_per_family', (x) => `${x.p99Us}`), c('ss', (x) => `${x.p99Us}`)]);
  rows.push(['samples timed', c('sock_diag', (x) => `${x.n}`), c('sock_diag_v2_per_family', (x) => `${x.n}`), c('ss', (x) => `${x.n}`)]);
  const sh = (k: string) => {
    const x = samp[k];
    if (!x) return 'n/a';
    return x.ticksPerS === undefined ? `${x.share}%` : `${x.share}% (${x.ticksPerS}/s${x.overruns ? `, ${x.overruns} overruns` : ''})`;
  };
  rows.push(['CPU at 50/s', sh('sock_diag_50'), '', sh('ss_50')]);
  rows.push(['CPU at 100/s', sh('sock_diag_100'), '', sh('ss_100')]);
  rows.push(['idle baseline CPU', sh('baseline'), '', '']);
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  console.log(`\nkernel observer, ${r.sockets} sockets on loopback (kernel ${r.kernel}, node ${r.node})`);
  for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(w[i]!)).join('  '));
}
