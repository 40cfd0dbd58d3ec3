/**
 * `socket-lab run <experiment>`: the same run as in the browser, headless. Prints each role's
 * output prefixed with its role, writes the trace, prints each observation's verdict, and exits
 * 0 if all held, 1 if any failed (or the run failed), 3 if none failed but some were not reached.
 */
import { createWriteStream, openSync } from 'node:fs';
import { findExperiment, experiments } from '../experiments/index.js';
import { Run } from '../run/run.js';
import { defaultPlugins } from '../run/default-plugins.js';
import { parseDuration } from './duration.js';
import { parseSetPairs } from './set-params.js';
import { printVerdicts } from './verdicts.js';

export interface RunCommandOptions { experiment: string; set: string[]; duration?: string; trace?: string; port?: number; allowTargets?: string[] }

export async function runCommand(o: RunCommandOptions): Promise<number> {
  const exp = findExperiment(o.experiment);
  if (!exp) {
    console.error(`unknown experiment "${o.experiment}". Known: ${experiments.map((e) => e.id).join(', ')}`);
    return 2;
  }
  const params = parseSetPairs(o.set, exp.params);
  const durationMs = o.duration ? parseDuration(o.duration) : exp.defaultDurationMs;
  // Open the trace file before any actor starts, so a bad path is a clear error, not a crash mid-run.
  let traceFd: number | undefined;
  if (o.trace) {
    try { traceFd = openSync(o.trace, 'w'); } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const why = e.code === 'ENOENT' ? 'its directory does not exist' : e.code === 'EACCES' ? 'permission denied' : e.code === 'EISDIR' ? 'it is a directory' : e.message;
      console.error(`socket-lab: cannot write the trace to ${o.trace}: ${why}`);
      return 2;
    }
  }
  const run = new Run({
    experiment: exp, params, durationMs,
    ...(o.port ? { listenPort: o.port } : {}), plugins: defaultPlugins(), allowTargets: o.allowTargets ?? [],
  });
  const out = traceFd !== undefined ? createWriteStream('', { fd: traceFd }) : null;
  const width = Math.max(...exp.roles.map((r) => r.name.length), 3);
  const partial = new Map<string, string>();
  run.on('line', (line, json) => {
    out?.write(json + '\n');
    if (line.type !== 'event') return;
    if (line.kind === 'stdout' || line.kind === 'stderr') {
      // Prefix whole lines only; keep a partial line until its newline arrives.
      const text = (partial.get(line.actor) ?? '') + line.text;
      const parts = text.split('\n');
      partial.set(line.actor, parts.pop()!);
      for (const p of parts) (line.kind === 'stderr' ? process.stderr : process.stdout).write(`${line.actor.padEnd(width)} | ${p}\n`);
    } else if (line.kind === 'note') {
      console.error(`${'lab'.padEnd(width)} | ${line.level}: ${line.text}`);
    } else if (line.kind === 'listen' && line.actor !== 'lab' && o.port) {
      console.log(`${'lab'.padEnd(width)} | ${line.actor} listens on ${line.local.address}:${line.local.port} — connect to it while the run is live`);
    }
  });
  const stopOnSignal = () => void run.stop('stopped', 'interrupted');
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  await run.start();
  const footer = await new Promise<import('../../shared/trace/schema.js').TraceFooter>((resolve) => {
    run.once('end', resolve);
    if (run.ended) void run.stop().then(resolve);
  });
  process.off('SIGINT', stopOnSignal);
  process.off('SIGTERM', stopOnSignal);
  for (const [actor, rest] of partial) if (rest) console.log(`${actor.padEnd(width)} | ${rest}`);
  if (out) await new Promise<void>((r) => out.end(r));

  console.log(`\n${exp.title}: run ${footer.outcome}${footer.reason ? ` (${footer.reason})` : ''}`);
  // The final check of each observation (the run keeps it even when its trace spilled to a file).
  return printVerdicts([...run.observationResults.values()], { runFailed: footer.outcome === 'failed', suffix: o.trace ? `; trace written to ${o.trace}` : '' });
}

export function listCommand(): void {
  for (const e of experiments) {
    console.log(`${e.id.padEnd(20)} ${e.title}  [${e.group}; seeds ${e.seeds.join(', ')}]`);
    console.log(`${''.padEnd(20)} ${e.summary}`);
    const shape = e.params.shape as Record<string, import('zod').ZodType>;
    for (const [key, field] of Object.entries(shape)) {
      const js = field.toJSONSchema() as { default?: unknown; minimum?: number; maximum?: number; enum?: unknown[] };
      const range = js.enum ? ` one of ${js.enum.join('|')}` : js.minimum !== undefined || js.maximum !== undefined ? ` ${js.minimum ?? ''}..${js.maximum ?? ''}` : '';
      console.log(`${''.padEnd(22)}--set ${key}=${JSON.stringify(js.default)}${range}  ${field.description ?? ''}`);
    }
    console.log('');
  }
}
