/**
 * `socket-lab check TRACE.jsonl`: judges a saved trace again with the experiment's current
 * observations and prints the verdicts as `run` does, with the same exit codes (0 all held,
 * 1 any failed, 3 some not reached; 2 when the trace cannot be judged at all). A teacher checks
 * a student's trace with it; anyone can test an observation on a trace made by hand.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { TraceQuery } from '../../shared/trace/query.js';
import { formatIssue, TraceReader } from '../../shared/trace/reader.js';
import type { TraceLine } from '../../shared/trace/schema.js';
import { resultOf, type CheckResult } from '../../shared/trace/verdict.js';
import { experiments, findExperiment } from '../experiments/index.js';
import { printVerdicts } from './verdicts.js';

/** Reads a trace file in pieces (a trace may be hundreds of MB) with the reader the replay page uses. */
function readTraceFile(file: string): { lines: TraceLine[]; reader: TraceReader } {
  const reader = new TraceReader();
  const lines: TraceLine[] = [];
  const fd = openSync(file, 'r');
  const buf = Buffer.alloc(1 << 20);
  const decoder = new TextDecoder();
  try {
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0;) for (const l of reader.push(decoder.decode(buf.subarray(0, n), { stream: true }))) lines.push(l);
    for (const l of reader.end()) lines.push(l);
  } finally {
    closeSync(fd);
  }
  return { lines, reader };
}

export function checkCommand(file: string): number {
  let read: ReturnType<typeof readTraceFile>;
  try { read = readTraceFile(file); } catch (err) {
    const e = err as NodeJS.ErrnoException;
    console.error(`socket-lab check: cannot read ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'it is a directory' : e.message}`);
    return 2;
  }
  const { lines, reader } = read;
  for (const i of reader.issues) console.error(`${i.level}: ${formatIssue(i)}`);
  if (reader.fatal) { console.error(`socket-lab check: ${file} cannot be judged: ${reader.fatal.message}`); return 2; }
  const header = reader.header;
  if (!header) { console.error(`socket-lab check: ${file} has no header, so which experiment it is is unknown`); return 2; }
  const exp = findExperiment(header.experiment);
  if (!exp) { console.error(`socket-lab check: the trace is of experiment "${header.experiment}", which this lab does not have (it has ${experiments.map((e) => e.id).join(', ')})`); return 2; }
  const params = exp.params.safeParse(header.params);
  if (!params.success) {
    console.error(`socket-lab check: the trace's parameters do not fit ${exp.id} as it is now: ${params.error.issues.map((i) => `${i.path.join('.') || 'params'}: ${i.message}`).join('; ')}`);
    return 2;
  }
  const q = TraceQuery.fromLines(lines);
  const footer = reader.footer;
  console.log(`${exp.title}: trace of ${header.startedAt}${footer ? `, run ${footer.outcome}${footer.reason ? ` (${footer.reason})` : ''}` : ', no footer (the run was cut short)'}`);
  const verdicts = exp.observations.map((o) => {
    let r: CheckResult;
    try { r = o.check(q, params.data); } catch (err) { r = { held: false, detail: `check failed: ${(err as Error).message}` }; }
    return { label: o.label, result: resultOf(r), detail: r.detail };
  });
  return printVerdicts(verdicts, { runFailed: footer?.outcome === 'failed' });
}
