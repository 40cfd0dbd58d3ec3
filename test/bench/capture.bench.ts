/**
 * Packet capture costs: how fast the in-process pcap decoder and flow tracker go (segments per
 * second, what a busy loopback asks of it), and how long tcpdump takes to start capturing (the
 * time every run waits before its first actor starts, and each handover to a narrower filter).
 */
import { PcapReader, decodeTcp, FLAG } from '../../server/capture/pcap.js';
import { FlowTracker } from '../../server/capture/tcp-flows.js';
import { CapturePlugin } from '../../server/run/capture-plugin.js';
import { percentile, table } from './stats.js';

/** N Ethernet/IPv4/TCP records of a two-way conversation, as tcpdump -w writes them. */
function syntheticPcap(n: number): Buffer {
  const head = Buffer.alloc(24);
  head.writeUInt32LE(0xa1b23c4d, 0); head.writeUInt16LE(2, 4); head.writeUInt16LE(4, 6); head.writeUInt32LE(160, 16); head.writeUInt32LE(1, 20);
  const parts = [head];
  let seqA = 1000;
  let seqB = 9000;
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

  const decoder = { 'segments/s (median of 5)': Math.round(percentile(rates, 50)), 'segments/s (worst)': Math.round(Math.min(...rates)), segments: n };
  table('pcap decoder + flow tracker (in process)', [decoder]);
  const startup: Record<string, string | number> = status === 'on'
    ? { 'tcpdump ready, p50 ms': percentile(starts, 50), 'p90 ms': percentile(starts, 90), runs: starts.length }
    : { 'tcpdump ready': `not measured: capture ${status}` };
  table('capture start (tcpdump until "listening on")', [startup]);
  return { decoder, startup };
}
