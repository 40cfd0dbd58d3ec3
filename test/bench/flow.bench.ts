/**
 * Benchmark: what the lab costs the slow-reader experiment's writer at full speed. The same two
 * programs (server/experiments/slow-reader/reader.js and writer.js) run with the reader draining
 * as fast as it can (readIntervalMs 0, buffers auto); the writer writes for a fixed time, then
 * prints its byte rate. Three ways, interleaved round by round so the machine's noise hits all
 * alike:
 *  - off:     both programs started by hand, no lab: the runtime does nothing (no IPC channel);
 *  - watched: under the lab's Run, instrumented (write/data/drain events, nodestate), no plugins;
 *  - lab:     as the UI runs it: instrumented plus the kernel observer and packet capture.
 * For two message sizes: the seed's ">>>i<<<" (about 12 B, one syscall per write) and 1 KiB.
 * Besides throughput: the writer's own CPU per MB (what instrumentation costs the program,
 * whatever else the machine runs) and the lab process's CPU share (run manager and plugins,
 * which compete with the actors for this machine's 2 cores).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../../server/run/paths.js';
import { Run } from '../../server/run/run.js';
import { findExperiment } from '../../server/experiments/index.js';
import { defaultPlugins } from '../../server/run/default-plugins.js';
import { percentile, table } from './stats.js';

const DIR = path.join(projectRoot, 'dist/server/experiments/slow-reader');
const ROUNDS = 6;
const MS = 2000;
type Variant = 'off' | 'watched' | 'lab';
const VARIANTS: Variant[] = ['off', 'watched', 'lab'];

function waitLine(child: ChildProcess, re: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`no ${re} within ${timeoutMs} ms; got ${buf.slice(-300)}`)), timeoutMs);
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => {
      buf += d;
      const m = re.exec(buf);
      if (m) { clearTimeout(timer); resolve(m); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`exited (${code}) before ${re}: ${buf.slice(-300)}`)); });
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => { child.once('exit', () => r()); child.kill('SIGTERM'); });
}

const SUMMARY = /SUMMARY wrote (\d+) B in (\d+) writes over ([\d.]+) s: \d+ B\/s, (\d+) ms of CPU/;

/** The writer's rate and its own CPU time per MB (the runtime's cost shows there, whatever the machine's load). */
interface Sample { rate: number; cpuUsPerMB: number; labCpuShare: number }

/** Bytes per second the writer reached with no lab at all. */
async function off(messageBytes: number): Promise<Sample> {
  const reader = spawn(process.execPath, [path.join(DIR, 'reader.js'), '--port', '0', '--readIntervalMs', '0', '--rcvbuf', 'auto', '--readAllAfterMs', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = (await waitLine(reader, /listening on 127\.0\.0\.1:(\d+)/, 10_000))[1]!;
    const writer = spawn(process.execPath, [path.join(DIR, 'writer.js'), '--serverPort', port, '--sndbuf', 'auto', '--stopAfterMs', String(MS), '--messageBytes', String(messageBytes)], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const m = await waitLine(writer, SUMMARY, MS + 15_000);
      return { rate: Number(m[1]) / Number(m[3]), cpuUsPerMB: (Number(m[4]) * 1000) / (Number(m[1]) / 1e6), labCpuShare: 0 };
    } finally { await stop(writer); }
  } finally { await stop(reader); }
}

/** Bytes per second under the lab's Run, with or without the run plugins. */
async function underLab(messageBytes: number, withPlugins: boolean): Promise<Sample> {
  const run = new Run({
    experiment: findExperiment('slow-reader')!,
    params: { readIntervalMs: 0, sndbuf: 'auto', rcvbuf: 'auto', stopAfterMs: MS, messageBytes, readAllAfterMs: 0 },
    durationMs: MS + 15_000,
    plugins: withPlugins ? defaultPlugins() : [],
  });
  const summary = new Promise<{ bytes: number; seconds: number; cpuMs: number }>((resolve, reject) => {
    run.on('line', (l) => { if (l.type === 'event' && l.kind === 'custom' && l.name === 'summary') resolve(l.data as { bytes: number; seconds: number; cpuMs: number }); });
    run.once('end', (f) => reject(new Error(`run ended (${f.outcome}: ${f.reason}) before the writer's summary`)));
  });
  // This process is the lab here: its CPU while the writer runs is the run manager's and plugins' share.
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await run.start();
  try {
    const s = await summary;
    const c = process.cpuUsage(c0);
    return { rate: s.bytes / s.seconds, cpuUsPerMB: (s.cpuMs * 1000) / (s.bytes / 1e6), labCpuShare: (c.user + c.system) / 1000 / (performance.now() - t0) };
  } finally { await run.stop('stopped', 'measured'); }
}

const once = (v: Variant, bytes: number) => (v === 'off' ? off(bytes) : underLab(bytes, v === 'lab'));

export async function run(): Promise<Record<string, unknown>> {
  const result: Record<string, unknown> = {};
  const rows: Record<string, string | number>[] = [];
  for (const messageBytes of [0, 1024]) {
    const label = messageBytes === 0 ? 'seed’s >>>i<<< (~12 B)' : `${messageBytes} B`;
    const samples: Record<Variant, Sample[]> = { off: [], watched: [], lab: [] };
    await once('watched', messageBytes); // warm-up: page cache, JIT, first fork
    for (let i = 0; i < ROUNDS; i++) for (const v of VARIANTS) samples[v].push(await once(v, messageBytes));
    const med = (v: Variant, k: keyof Sample = 'rate') => percentile(samples[v].map((x) => x[k]), 50);
    const mb = (x: number) => Math.round(x / 1e4) / 100;
    const r = {
      message: label,
      'off MB/s': mb(med('off')),
      'watched MB/s': mb(med('watched')),
      'lab MB/s': mb(med('lab')),
      'watched/off': Math.round((med('watched') / med('off')) * 100) / 100,
      'lab/off': Math.round((med('lab') / med('off')) * 100) / 100,
      'writer CPU µs/MB off': Math.round(med('off', 'cpuUsPerMB')),
      'watched': Math.round(med('watched', 'cpuUsPerMB')),
      'lab': Math.round(med('lab', 'cpuUsPerMB')),
      'lab process CPU watched': `${Math.round(med('watched', 'labCpuShare') * 100)}%`,
      'lab process CPU lab': `${Math.round(med('lab', 'labCpuShare') * 100)}%`,
      'lab MB/s min..max': `${mb(Math.min(...samples.lab.map((x) => x.rate)))}..${mb(Math.max(...samples.lab.map((x) => x.rate)))}`,
      'off MB/s min..max': `${mb(Math.min(...samples.off.map((x) => x.rate)))}..${mb(Math.max(...samples.off.map((x) => x.rate)))}`,
    };
    rows.push(r);
    result[messageBytes === 0 ? 'seedMessage' : `bytes${messageBytes}`] = { ...r, rounds: samples };
  }
  table(`slow-reader writer at full speed (reader draining), ${ROUNDS} interleaved rounds of ${MS} ms, medians; aim: lab/off ≥ 0.9`, rows);
  return result;
}
