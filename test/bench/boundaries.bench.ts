/**
 * How often TCP splits and merges writes on this machine's loopback, measured: the
 * stream-boundaries experiment run repeatedly per setting (Nagle on/off, burst or paced writer,
 * fast or slow reader, with and without the slicer), and the framing experiment's naive reader
 * scored against what was sent. The narratives quote these figures; rerun to check them.
 */
import { findExperiment } from '../../server/experiments/index.js';
import { Run } from '../../server/run/run.js';
import { boundaryStats } from '../../shared/stream/boundaries.js';
import { streamSides } from '../../shared/stream/from-trace.js';
import { framingView, scoreFraming } from '../../shared/stream/framing-view.js';
import type { TraceFooter, TraceLine } from '../../shared/trace/schema.js';
import { TraceQuery } from '../../shared/trace/query.js';
import { table } from './stats.js';

const RUNS = Number(process.env.BOUNDARY_RUNS ?? 10);

async function runOnce(id: string, params: Record<string, unknown>, stopWhen?: (lines: readonly TraceLine[]) => boolean): Promise<TraceLine[]> {
  const r = new Run({ experiment: findExperiment(id)!, params, durationMs: 15_000, plugins: [] });
  const ended = new Promise<TraceFooter>((resolve) => r.once('end', resolve));
  await r.start();
  if (stopWhen) {
    for (let i = 0; i < 300 && !r.ended && !stopWhen(r.lines); i++) await new Promise((res) => setTimeout(res, 50));
    void r.stop('stopped', 'bench has what it needs');
  }
  await ended;
  return [...r.lines];
}

interface Setting { name: string; params: Record<string, unknown> }

const settings: Setting[] = [
  { name: 'burst, Nagle on', params: {} },
  { name: 'burst, TCP_NODELAY', params: { noDelay: true } },
  { name: 'every 10 ms, Nagle on', params: { gapMs: 10 } },
  { name: 'every 10 ms, TCP_NODELAY', params: { gapMs: 10, noDelay: true } },
  { name: 'every 10 ms, reader waits 50 ms', params: { gapMs: 10, readEveryMs: 50 } },
  { name: 'burst, reader waits 50 ms', params: { readEveryMs: 50 } },
  { name: 'burst, 64 KiB messages ×4', params: { size: 65536, count: 4 } },
  { name: 'burst, slicer 300±200 B', params: { slicer: true } },
];

export async function run(): Promise<Record<string, unknown>> {
  const rows: Record<string, string | number>[] = [];
  const out: Record<string, unknown> = {};
  for (const s of settings) {
    let runsWithSplit = 0;
    let runsWithMerge = 0;
    let reads = 0;
    let split = 0;
    let exact = 0;
    let maxPerRead = 0;
    let messages = 0;
    for (let i = 0; i < RUNS; i++) {
      const lines = await runOnce('stream-boundaries', s.params);
      const { writes, reads: rs } = streamSides(TraceQuery.fromLines(lines).events, 'client', 'server');
      const b = boundaryStats(writes, rs);
      messages += b.messages;
      reads += b.reads;
      split += b.splitMessages;
      exact += b.exactReads;
      maxPerRead = Math.max(maxPerRead, b.maxMessagesPerRead);
      if (b.splitMessages > 0) runsWithSplit++;
      if (b.mergedReads > 0) runsWithMerge++;
    }
    const row = {
      setting: s.name, runs: RUNS,
      'reads/run': +(reads / RUNS).toFixed(1),
      'runs with a split': runsWithSplit,
      'runs with a merge': runsWithMerge,
      'writes split %': +((100 * split) / messages).toFixed(1),
      'reads = 1 write %': +((100 * exact) / reads).toFixed(1),
      'max writes/read': maxPerRead,
    };
    rows.push(row);
    out[s.name] = row;
  }
  table(`stream-boundaries on loopback: ${RUNS} runs per setting, 10 × 1 KiB writes unless said`, rows);

  const frows: Record<string, string | number>[] = [];
  for (const [name, params] of [
    ['no slicer, every 10 ms (seed 004)', { slicer: false, intervalMs: 10 }],
    ['no slicer, no pause between messages', { slicer: false, intervalMs: 0 }],
    ['slicer 5±4 B, every 10 ms', { slicer: true, intervalMs: 10 }],
  ] as const) {
    let naiveExact = 0;
    let naiveReads = 0;
    let framedRight = 0;
    let expected = 0;
    for (let i = 0; i < RUNS; i++) {
      const count = 20;
      const lines = await runOnce('framing', { count, ...params }, (ls) => {
        const v = framingView(TraceQuery.fromLines(ls).events);
        return (v.conns[0]?.framed.length ?? 0) >= count;
      });
      const sc = scoreFraming(framingView(TraceQuery.fromLines(lines).events), 128);
      if (!sc) continue;
      naiveExact += sc.naiveExact;
      naiveReads += sc.naiveExact + sc.naiveWrong;
      framedRight += sc.framedRight;
      expected += sc.expected.length;
    }
    const row = { setting: name, runs: RUNS, 'naive reads exactly one message': `${naiveExact}/${naiveReads}`, 'framed right': `${framedRight}/${expected}` };
    frows.push(row);
    out[`framing: ${name}`] = row;
  }
  table(`framing (delimiter) on loopback: ${RUNS} runs × 20 messages of 9 B`, frows);
  return out;
}

