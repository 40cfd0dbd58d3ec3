/**
 * Packet capture costs: how fast the in-process pcap decoder and flow tracker go (segments per
 * second, what a busy loopback asks of it), and how long tcpdump takes to start capturing (the
 * time every run waits before its first actor starts, and each handover to a narrower filter).
 */
import { PcapReader, decodeTcp, FLAG } from '../../server/capture/pcap.js';
import { FlowTracker } from '../../server/capture/tcp-flows.js';
import { CapturePlugin, type CapturePluginOptions } from '../../server/run/capture-plugin.js';
import { kernelPlugin } from '../../server/run/kernel-plugin.js';
import { Run } from '../../server/run/run.js';
import { findExperiment } from '../../server/experiments/index.js';
import { readFileSync } from 'node:fs';
import { percentile, table } from './stats.js';

/** CPU time (µs) a process has used so far, from /proc (undefined once it is gone). */
function procCpuUs(pid: number): number | undefined {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1e6) / 100; // utime + stime, in USER_HZ (100/s)
  } catch { return undefined; }
}

interface FlowSample { rate: number; labUsPerMB: number; tcpdumpUsPerMB: number; events: number; segments: number; dropped: number }

/**
 * The slow-reader writer at full speed (1 KiB writes, reader draining), under the lab with the
 * kernel observer and capture, capture configured one way or another. What it costs per MB the
 * writer moved: the lab process's CPU and tcpdump's, plus how many packet events the trace got.
 */
async function flowUnder(opts: CapturePluginOptions | 'kernel' | null): Promise<FlowSample> {
  const MS = 2000;
  let plugin: CapturePlugin | undefined;
  const run = new Run({
    experiment: findExperiment('slow-reader')!,
    params: { readIntervalMs: 0, sndbuf: 'auto', rcvbuf: 'auto', stopAfterMs: MS, messageBytes: 1024, readAllAfterMs: 0 },
    durationMs: MS + 15_000,
    plugins: opts === 'kernel' ? [kernelPlugin()] : opts ? [kernelPlugin(), () => (plugin = new CapturePlugin(opts))] : [],
  });
  const summary = new Promise<{ bytes: number; seconds: number }>((resolve, reject) => {
    run.on('line', (l) => { if (l.type === 'event' && l.kind === 'custom' && l.name === 'summary') resolve(l.data as { bytes: number; seconds: number }); });
    run.once('end', (f) => reject(new Error(`run ended (${f.outcome}: ${f.reason}) before the writer's summary`)));
  });
  const c0 = process.cpuUsage();
  await run.start();
  let tcpdumpUs = 0;
  let s: { bytes: number; seconds: number };
  try {
    s = await summary;
    const c = process.cpuUsage(c0);
    for (const pid of plugin?.pids ?? []) tcpdumpUs += procCpuUs(pid) ?? 0;
    const mb = s.bytes / 1e6;
    await run.stop('stopped', 'measured');
    let events = 0;
    let segments = 0;
    let dropped = 0;
    for (const l of run.lines) {
      if (l.type !== 'event') continue;
      if (l.kind === 'packet') { events++; segments += l.count ?? 1; }
      if (l.kind === 'note' && /capture: the kernel dropped (\d+)/.test(l.text)) dropped += Number(/dropped (\d+)/.exec(l.text)![1]);
    }
    return { rate: s.bytes / s.seconds, labUsPerMB: (c.user + c.system) / mb, tcpdumpUsPerMB: tcpdumpUs / mb, events, segments, dropped };
  } finally { await run.stop('stopped', 'measured'); }
}

/** N Ethernet/IPv4/TCP records of a two-way conversation, as tcpdump -w writes them. */
function syntheticPcap(n: number): Buffer {
  const head = Buffer.alloc(24);
  head.writeUInt32LE(0xa1b23c4d, 0); head.writeUInt16LE(2, 4); head.writeUInt16LE(4, 6); head.writeUInt32LE(160, 16); head.writeUInt32LE(1, 20);
  const parts = [head];
  let seqA = 1000;
  const seqB = 9000;
  for (let i = 0; i < n; i++) {
    const fromA = i % 2 === 0;
    const frame = Buffer.alloc(14 + 20 + 20);
    frame.writeUInt16BE(0x0800, 12);
    const ip = 14;
    frame[ip] = 0x45; frame[ip + 9] = 6;
    frame.writeUInt16BE(20 + 20 + (fromA ? 1448 : 0), ip + 2);
    frame.set([127, 0, 0, 1], ip + 12); frame.set([127, 0, 0, 1], ip + 16);
    const tcp = ip + 20;
    frame.writeUInt16BE(fromA ? 40000 : 7000, tcp); frame.writeUInt16BE(fromA ? 7000 : 40000, tcp + 2);
    frame.writeUInt32BE((fromA ? seqA : seqB) >>> 0, tcp + 4); frame.writeUInt32BE((fromA ? seqB : seqA) >>> 0, tcp + 8);
    frame[tcp + 12] = 5 << 4; frame[tcp + 13] = FLAG.ACK | (fromA ? FLAG.PSH : 0); frame.writeUInt16BE(512, tcp + 14);
    if (fromA) seqA += 1448;
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(1_700_000_000 + Math.floor(i / 1000), 0); rec.writeUInt32LE((i % 1000) * 1000, 4);
    rec.writeUInt32LE(frame.length, 8); rec.writeUInt32LE(frame.length + (fromA ? 1448 : 0), 12);
    parts.push(rec, frame);
  }
  return Buffer.concat(parts);
}

export async function run(): Promise<Record<string, unknown>> {
  const n = 200_000;
  const data = syntheticPcap(n);
  const rates: number[] = [];
  for (let round = 0; round < 5; round++) {
    const reader = new PcapReader();
    const flows = new FlowTracker();
    let segs = 0;
    const t0 = process.hrtime.bigint();
    for (let at = 0; at < data.length; at += 65536) {
      for (const p of reader.push(data.subarray(at, at + 65536))) {
        const s = decodeTcp(p);
        if (s) { flows.observe(s); segs++; }
      }
    }
    const sec = Number(process.hrtime.bigint() - t0) / 1e9;
    if (segs !== n) throw new Error(`decoded ${segs} of ${n}`);
    rates.push(segs / sec);
  }

  const starts: number[] = [];
  let status = '';
  for (let i = 0; i < 5; i++) {
    const p = new CapturePlugin();
    const t0 = performance.now();
    status = await p.start({ runId: 'bench', append() {}, ports: () => new Set(), onPort() {} });
    const ms = performance.now() - t0;
    await p.stop();
    if (status !== 'on') break;
    starts.push(ms);
  }

  // Before (every segment an event, tcpdump's ring 4 MiB) and after (the defaults), interleaved.
  const variants: [string, CapturePluginOptions | 'kernel' | null][] = [['no plugins', null], ['kernel observer only', 'kernel'], ['capture raw, -B 4 MiB (before)', { coalesce: false, bufferKiB: 4096 }], ['capture default (after)', {}]];
  const flow: Record<string, FlowSample[]> = {};
  let flowRows: Record<string, string | number>[] = [];
  if (status === 'on') {
    await flowUnder(null); // warm-up
    for (let round = 0; round < 4; round++) for (const [name, o] of variants) (flow[name] ??= []).push(await flowUnder(o));
    const med = (xs: FlowSample[], k: keyof FlowSample) => percentile(xs.map((x) => x[k]), 50);
    flowRows = variants.map(([name]) => ({
      variant: name,
      'writer MB/s': Math.round(med(flow[name]!, 'rate') / 1e4) / 100,
      'lab CPU µs/MB': Math.round(med(flow[name]!, 'labUsPerMB')),
      'tcpdump CPU µs/MB': Math.round(med(flow[name]!, 'tcpdumpUsPerMB')),
      'packet events': Math.round(med(flow[name]!, 'events')),
      segments: Math.round(med(flow[name]!, 'segments')),
      'dropped (max)': Math.max(...flow[name]!.map((x) => x.dropped)),
    }));
  }

  const decoder = { 'segments/s (median of 5)': Math.round(percentile(rates, 50)), 'segments/s (worst)': Math.round(Math.min(...rates)), segments: n };
  table('pcap decoder + flow tracker (in process)', [decoder]);
  const startup: Record<string, string | number> = status === 'on'
    ? { 'tcpdump ready, p50 ms': percentile(starts, 50), 'p90 ms': percentile(starts, 90), runs: starts.length }
    : { 'tcpdump ready': `not measured: capture ${status}` };
  table('capture start (tcpdump until "listening on")', [startup]);
  if (flowRows.length) table('slow-reader writer, 1 KiB at full speed for 2 s, kernel observer + capture; 4 interleaved rounds, medians', flowRows);
  return { decoder, startup, flow };
}
