import { TraceLine, type TraceFooter } from '../../shared/trace/schema.js';
import { findExperiment } from '../../server/experiments/index.js';
import { defaultPlugins } from '../../server/run/default-plugins.js';
import { Run } from '../../server/run/run.js';

/** Runs an experiment headless to its end, as the CLI does, and returns its trace. */
export async function runExperiment(id: string, params: Record<string, unknown> = {}, durationMs = 2000, during?: (run: Run) => Promise<void> | void): Promise<{ run: Run; lines: TraceLine[]; footer: TraceFooter }> {
  const exp = findExperiment(id);
  if (!exp) throw new Error(`no experiment ${id}`);
  const run = new Run({ experiment: exp, params, durationMs, plugins: defaultPlugins() });
  const ended = new Promise<TraceFooter>((resolve) => run.once('end', resolve));
  await run.start();
  if (during) await during(run);
  const footer = await ended;
  // Every line must satisfy the shared schema, exactly as a trace file would be read.
  const lines = run.lines.map((l) => TraceLine.parse(JSON.parse(JSON.stringify(l))));
  return { run, lines, footer };
}

/** The final result of each observation (the last one in the trace). */
export function finalObservations(lines: readonly TraceLine[]): Map<string, { held: boolean; detail: string }> {
  const m = new Map<string, { held: boolean; detail: string }>();
  for (const l of lines) if (l.type === 'event' && l.kind === 'observation') m.set(l.id, l);
  return m;
}
