/**
 * Benchmark: what the Node-side reports (`nodestate`, server/actor/runtime.ts) cost a max-speed
 * writer. A real actor process (test/bench/fixtures/max-writer.ts) writes 64 KiB chunks over
 * loopback as fast as write() allows, waiting for 'drain'; this process reads as fast as it can
 * and plays the lab (an IPC channel that receives the events).
 *
 * Three variants, interleaved round by round so the machine's noise hits them alike:
 *  - plain:      the socket is not watched (no instrumentation at all);
 *  - watched:    lab.watch() with write coalescing, nodestate off (LAB_NODESTATE_MS=0);
 *  - nodestate:  lab.watch() with nodestate at its default period (25 ms).
 * Reported per variant (median of the rounds): throughput, the writer's CPU per MiB, and the
 * IPC events it sent. The nodestate cost is `nodestate` against `watched`.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { fork } from 'node:child_process';
import { projectRoot } from '../../server/run/paths.js';
import { ACTOR_ENV } from '../../shared/protocol/actor-ipc.js';
import { percentile, table } from './stats.js';
import type { TraceLine } from '../../shared/trace/schema.js';
import { TraceStore } from '../../shared/trace/store.js';
import { chartData, connectionsAt, directionsAt, kernelIndex, kernelSocketsAt, socketKey } from '../../shared/trace/kernel-view.js';

const WRITER = path.join(projectRoot, 'dist/test/bench/fixtures/max-writer.js');
const ROUNDS = 7;
const MS = 1500;

type Variant = 'plain' | 'watched' | 'nodestate';
interface Round {
  mibPerS: number; cpuMsPerMiB: number; cpuShare: number; events: number; nodestates: number;
  /** Time spent inside the nodestate timer's ticks, measured by the runtime itself. */
  tickUs: number; tickShare: number; ticks: number;
}
interface Result { bytes: number; wallMs: number; cpuMs: number; nodeState: { ticks: number; reports: number; ms: number } }

async function once(variant: Variant): Promise<Round> {
  const server = net.createServer();
  let received = 0;
  server.on('connection', (c) => c.on('data', (d: Buffer) => { received += d.length; }));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const child = fork(WRITER, [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: {
      ...process.env,
      [ACTOR_ENV.params]: JSON.stringify({ port, ms: MS, watch: variant === 'plain' ? 'no' : 'yes' }),
      [ACTOR_ENV.role]: 'writer',
      LAB_NODESTATE_MS: variant === 'nodestate' ? '25' : '0',
    },
    execArgv: [],
  });
  let events = 0;
  let nodestates = 0;
  try {
    const result = await new Promise<Result>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('writer did not report within 30 s')), 30_000);
      child.on('message', (m: { type: string; events?: { kind: string }[] }) => {
        if (m.type === 'events') {
          events += m.events!.length;
          for (const e of m.events!) if (e.kind === 'nodestate') nodestates++;
        } else if (m.type === 'result') {
          clearTimeout(timer);
          resolve(m as unknown as Result);
        }
      });
      child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`writer exited with ${code} before reporting`)); });
    });
    const mib = result.bytes / (1 << 20);
    return {
      mibPerS: mib / (result.wallMs / 1000),
      cpuMsPerMiB: result.cpuMs / mib,
      cpuShare: result.cpuMs / result.wallMs,
      events,
      nodestates,
      ticks: result.nodeState.ticks,
      tickUs: result.nodeState.ticks ? (result.nodeState.ms * 1000) / result.nodeState.ticks : 0,
      tickShare: result.nodeState.ms / result.wallMs,
    };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await new Promise<void>((r) => server.close(() => r()));
    void received;
  }
}

/**
 * What the kernel view's derivations cost the browser for a big trace: 4 sockets sampled 25,000
 * times each plus 20,000 nodestate lines (about 8 minutes of a busy run at 50 samples a second).
 * The index is built once (then kept up to date incrementally); a frame at a random cursor asks
 * for the pipelines and the socket table; the chart rebuild covers the whole run.
 */
function derivationCost(): Record<string, number> {
  const A = { address: '127.0.0.1', port: 7000, family: 'IPv4' as const };
  const B = { address: '127.0.0.1', port: 41000, family: 'IPv4' as const };
  const ANY = { address: '0.0.0.0', port: 0, family: 'IPv4' as const };
  const C2 = { address: '127.0.0.1', port: 41001, family: 'IPv4' as const };
  const lines: TraceLine[] = [];
  const ev = (x: Record<string, unknown>) => lines.push(x as unknown as TraceLine);
  ev({ type: 'event', t: 1, actor: 'server', kind: 'listen', sock: 'L1', local: A });
  ev({ type: 'event', t: 2, actor: 'client', kind: 'connect', sock: 'c1', local: B, remote: A });
  ev({ type: 'event', t: 2, actor: 'server', kind: 'accept', sock: 's2', local: A, remote: B });
  ev({ type: 'event', t: 2, actor: 'client', kind: 'connect', sock: 'c3', local: C2, remote: A });
  ev({ type: 'event', t: 2, actor: 'server', kind: 'accept', sock: 's4', local: A, remote: C2 });
  const pairs = [[A, ANY], [B, A], [A, B], [C2, A]] as const;
  for (let i = 0; i < 25_000; i++) {
    const t = 3 + i * 20;
    for (const [l, r] of pairs) {
      ev({ type: 'event', t, actor: 'kernel', kind: 'sample', key: socketKey(l, r), local: l, remote: r, state: r.port === 0 ? 'LISTEN' : 'ESTABLISHED', recvQ: i % 97, sendQ: (i * 7) % 8000, sndWnd: (i * 13) % 65536 });
    }
    if (i % 5 === 0) {
      for (const [actor, sock] of [['client', 'c1'], ['server', 's2']]) {
        ev({ type: 'event', t: t + 1, actor, kind: 'nodestate', sock, writableLength: i % 16384, writableHighWaterMark: 16384, toKernel: i, readableLength: i % 1024, readableHighWaterMark: 1024, bytesRead: i, delivered: 0, flowing: false, writeFalse: 0, drainWaitMs: 0, waiting: false });
      }
    }
  }
  const store = new TraceStore();
  store.append(lines);
  const t0 = performance.now();
  const ix = kernelIndex(store);
  const buildMs = performance.now() - t0;
  const end = store.endTime;
  const frames: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const cur = Math.random() * end;
    const f0 = performance.now();
    kernelIndex(store); // nothing new: must cost nothing
    for (const c of connectionsAt(ix, cur)) directionsAt(ix, c, cur);
    kernelSocketsAt(ix, cur);
    frames.push((performance.now() - f0) * 1000);
  }
  const c0 = performance.now();
  const chart = chartData(ix, (x) => x);
  const chartMs = performance.now() - c0;
  const r = {
    events: lines.length,
    indexBuildMs: Math.round(buildMs),
    frameUsP50: Math.round(percentile(frames, 50) * 10) / 10,
    frameUsP99: Math.round(percentile(frames, 99) * 10) / 10,
    chartRebuildMs: Math.round(chartMs),
    chartPoints: chart.columns[0].length,
  };
  table('kernel view derivations for a big trace (browser-side code, run here in Node)', [
    { events: r.events, 'index build ms (once)': r.indexBuildMs, 'frame µs p50': r.frameUsP50, 'frame µs p99': r.frameUsP99, 'chart rebuild ms': r.chartRebuildMs, 'chart points': r.chartPoints },
  ]);
  return r;
}

export async function run(): Promise<Record<string, unknown>> {
  const derivations = derivationCost();
  const variants: Variant[] = ['plain', 'watched', 'nodestate'];
  const rounds: Record<Variant, Round[]> = { plain: [], watched: [], nodestate: [] };
  await once('watched'); // warm up (page cache, JIT of this process)
  for (let i = 0; i < ROUNDS; i++) for (const v of variants) rounds[v].push(await once(v));
  const med = (v: Variant, k: keyof Round) => percentile(rounds[v].map((r) => r[k]), 50);
  const result: Record<string, unknown> = { derivations };
  const rows = variants.map((v) => {
    const r = {
      variant: v,
      'MiB/s (median)': Math.round(med(v, 'mibPerS')),
      'MiB/s (min..max)': `${Math.round(Math.min(...rounds[v].map((x) => x.mibPerS)))}..${Math.round(Math.max(...rounds[v].map((x) => x.mibPerS)))}`,
      'writer CPU ms/MiB': Math.round(med(v, 'cpuMsPerMiB') * 1000) / 1000,
      'writer CPU share': `${Math.round(med(v, 'cpuShare') * 100)}%`,
      'IPC events/s': Math.round(med(v, 'events') / (MS / 1000)),
      'nodestate/s': Math.round(med(v, 'nodestates') / (MS / 1000)),
      'tick µs (median)': Math.round(med(v, 'tickUs') * 10) / 10,
      'time in ticks': `${(med(v, 'tickShare') * 100).toFixed(3)}%`,
    };
    result[v] = { ...r, rounds: rounds[v] };
    return r;
  });
  table(`max-speed writer over loopback, ${ROUNDS} rounds of ${MS} ms each, medians`, rows);
  const cost = (med('nodestate', 'cpuMsPerMiB') / med('watched', 'cpuMsPerMiB') - 1) * 100;
  const tput = (med('nodestate', 'mibPerS') / med('watched', 'mibPerS') - 1) * 100;
  result.nodestateCpuPerMiBPct = Math.round(cost * 10) / 10;
  const ticks = rounds.nodestate.flatMap((r) => (r.ticks ? [r.tickUs] : []));
  result.tickUs = { p50: percentile(ticks, 50), p99: percentile(ticks, 99) };
  console.log(`nodestate timer: ${Math.round(med('nodestate', 'ticks') / (MS / 1000))} ticks/s, each ${percentile(ticks, 50).toFixed(1)} µs (median of rounds), ${(med('nodestate', 'tickShare') * 100).toFixed(3)}% of the writer's wall time`);
  result.nodestateThroughputPct = Math.round(tput * 10) / 10;
  console.log(`nodestate vs watched without it: CPU per MiB ${cost >= 0 ? '+' : ''}${cost.toFixed(1)}%, throughput ${tput >= 0 ? '+' : ''}${tput.toFixed(1)}% (machine noise is several %)`);
  return result;
}
