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
import path from 'node:path';
import { fork } from 'node:child_process';
import { projectRoot } from '../../server/run/paths.js';
import { ACTOR_ENV } from '../../shared/protocol/actor-ipc.js';
import { percentile, table } from './stats.js';

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

export async function run(): Promise<Record<string, unknown>> {
  const variants: Variant[] = ['plain', 'watched', 'nodestate'];
  const rounds: Record<Variant, Round[]> = { plain: [], watched: [], nodestate: [] };
  await once('watched'); // warm up (page cache, JIT of this process)
  for (let i = 0; i < ROUNDS; i++) for (const v of variants) rounds[v].push(await once(v));
  const med = (v: Variant, k: keyof Round) => percentile(rounds[v].map((r) => r[k]), 50);
  const result: Record<string, unknown> = {};
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
