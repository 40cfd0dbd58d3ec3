/**
 * Long traces made from a real one (a recorded echo run), in two shapes:
 *  - "one-connection": the run's connection lives on, its traffic (writes, reads, what the
 *    programs printed, kernel samples) repeated end to end, shifted in time: a long session;
 *  - "reconnects": the whole run repeated, each time with new sockets (ids, client port) and
 *    pids, as if the client reconnected again and again: thousands of connections.
 * Every line is checked by the shared reader afterwards (the benchmark asserts no issue), so what
 * is loaded is a valid trace.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { readTraceText } from '../../shared/trace/reader.js';
import type { TraceEvent, TraceFooter, TraceHeader } from '../../shared/trace/schema.js';

export interface SyntheticInfo { bytes: number; lines: number; events: number; repetitions: number; endMs: number }

export type TraceShape = 'one-connection' | 'reconnects';

export async function writeRepeatedTrace(recorded: string, targetBytes: number, file: string, shape: TraceShape = 'reconnects'): Promise<SyntheticInfo> {
  const base = readTraceText(recorded);
  if (base.issues.length || !base.header || !base.footer) {
    throw new Error(`the recorded trace is not clean: ${base.issues.map((i) => i.message).join('; ') || 'no header or footer'}`);
  }
  const header: TraceHeader = base.header;
  const footer: TraceFooter = base.footer;
  const events = base.lines.filter((l): l is TraceEvent => l.type === 'event').sort((a, b) => a.t - b.t);
  if (shape === 'one-connection') return writeOneConnection(header, footer, events, targetBytes, file);
  const span = footer.t + 50;
  const serverPorts = new Set(events.flatMap((e) => (e.kind === 'listen' ? [e.local.port] : [])));
  const out = createWriteStream(file);
  const write = async (s: string) => { if (!out.write(s)) await once(out, 'drain'); };
  let bytes = 0;
  let lines = 0;
  let n = 0;
  const put = async (line: unknown) => { const s = JSON.stringify(line) + '\n'; bytes += Buffer.byteLength(s); lines++; await write(s); };
  await put(header);
  let k = 0;
  for (; bytes < targetBytes; k++) {
    const shift = k * span;
    // Ephemeral client ports move on with each reconnection; the server keeps its port.
    const port = (p: number) => (serverPorts.has(p) || p === 0 ? p : 20000 + ((p - 20000 + k * 7) % 40000 + 40000) % 40000);
    const addr = (a: { address: string; port: number; family?: 'IPv4' | 'IPv6' | 'unix' }) => ({ ...a, port: port(a.port) });
    for (const e of events) {
      const c: Record<string, unknown> = { ...e, t: e.t + shift };
      if (k > 0) {
        if (typeof c.sock === 'string') c.sock = `${c.sock}.${k}`;
        if (typeof c.listener === 'string') c.listener = `${c.listener}.${k}`;
        if (typeof c.pid === 'number') c.pid = (c.pid as number) + k;
        for (const f of ['local', 'remote'] as const) if (c[f]) c[f] = addr(c[f] as { address: string; port: number });
        if (e.kind === 'sample') c.key = `${(c.local as { address: string; port: number }).address}:${(c.local as { port: number }).port}>${(c.remote as { address: string }).address}:${(c.remote as { port: number }).port}`;
      }
      await put(c);
      n++;
    }
  }
  const endMs = (k - 1) * span + footer.t;
  await put({ ...footer, t: endMs });
  out.end();
  await once(out, 'finish');
  return { bytes, lines, events: n, repetitions: k, endMs };
}

/** Setup (up to the connection), the traffic repeated, then the teardown and the results once. */
async function writeOneConnection(header: TraceHeader, footer: TraceFooter, events: TraceEvent[], targetBytes: number, file: string): Promise<SyntheticInfo> {
  let setupEnd = 0;
  events.forEach((e, i) => { if (e.kind === 'accept' || e.kind === 'connect') setupEnd = i + 1; });
  const teardown = events.findIndex((e, i) => i >= setupEnd && (e.kind === 'end' || e.kind === 'eof' || e.kind === 'close' || e.kind === 'exit' || e.kind === 'destroy'));
  const stop = teardown < 0 ? events.length : teardown;
  const traffic = events.slice(setupEnd, stop).filter((e) => e.kind !== 'observation' && e.kind !== 'note');
  if (traffic.length === 0) throw new Error('the recorded run has no traffic between connect and close');
  const t0 = events[setupEnd]?.t ?? 0;
  const tEnd = events[stop - 1]?.t ?? t0;
  const span = Math.max(1, tEnd - t0) + 20;
  const out = createWriteStream(file);
  let bytes = 0;
  let lines = 0;
  let n = 0;
  const put = async (line: unknown) => {
    const s = JSON.stringify(line) + '\n';
    bytes += Buffer.byteLength(s);
    lines++;
    if (!out.write(s)) await once(out, 'drain');
  };
  await put(header);
  for (const e of events.slice(0, setupEnd)) { await put(e); n++; }
  let k = 0;
  const tail = events.slice(stop);
  const tailBytes = tail.reduce((a, e) => a + JSON.stringify(e).length + 1, 200);
  for (; bytes + tailBytes < targetBytes; k++) {
    for (const e of traffic) { await put({ ...e, t: e.t + k * span }); n++; }
  }
  const shift = (k - 1) * span;
  for (const e of tail) { await put({ ...e, t: e.t + shift }); n++; }
  const endMs = footer.t + shift;
  await put({ ...footer, t: endMs });
  out.end();
  await once(out, 'finish');
  return { bytes, lines, events: n, repetitions: k, endMs };
}
