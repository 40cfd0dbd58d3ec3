/**
 * Foundation figures: lab start to listening, Run to both actors connected (p50/p95 over 20
 * runs), and lab server memory over 100 runs (it must not grow run over run).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import WebSocket from 'ws';
import { LabServer } from '../../server/http/lab-server.js';
import { projectRoot } from '../../server/run/paths.js';
import { ServerMessage } from '../../shared/protocol/messages.js';
import { percentile, table } from './stats.js';

async function startupMs(): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [path.join(projectRoot, 'dist/server/cli.js'), 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise<void>((resolve) => {
    let out = '';
    child.stdout.on('data', (d) => { out += d; if (out.includes('?token=')) resolve(); });
  });
  const ms = performance.now() - t0;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  return ms;
}

class Client {
  private handlers: ((m: ServerMessage) => void)[] = [];
  constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => { const m = ServerMessage.parse(JSON.parse(String(d))); for (const h of this.handlers) h(m); });
  }
  /** Time from sending Run until the trace shows the client's connect and the server's accept. */
  async runToConnected(params: Record<string, unknown> = {}): Promise<number> {
    const req = Math.random().toString(36).slice(2);
    let runId = '';
    let connect = false;
    let accept = false;
    const t0 = performance.now();
    const done = new Promise<number>((resolve) => {
      const h = (m: ServerMessage) => {
        if (m.type === 'run-started' && m.req === req) runId = m.runId;
        if (m.type === 'trace' && m.runId === runId) {
          for (const l of m.lines) if (l.type === 'event') { if (l.kind === 'connect') connect = true; if (l.kind === 'accept') accept = true; }
          if (connect && accept) { this.handlers = this.handlers.filter((x) => x !== h); resolve(performance.now() - t0); }
        }
      };
      this.handlers.push(h);
    });
    this.ws.send(JSON.stringify({ type: 'run', req, experiment: 'echo', params: { count: 1, ...params } }));
    const ms = await done;
    const ended = new Promise<void>((resolve) => {
      const h = (m: ServerMessage) => { if (m.type === 'run-ended' && m.runId === runId) { this.handlers = this.handlers.filter((x) => x !== h); resolve(); } };
      this.handlers.push(h);
    });
    this.ws.send(JSON.stringify({ type: 'stop', runId }));
    await ended;
    return ms;
  }
}

function heapMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 1e6;
}

export async function run(): Promise<Record<string, unknown>> {
  const starts: number[] = [];
  for (let i = 0; i < 5; i++) starts.push(await startupMs());

  const token = 'bench';
  const server = new LabServer({ host: '127.0.0.1', port: 0, token });
  const port = await server.listen();
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { authorization: `token ${token}` } });
  await new Promise((r) => ws.once('open', r));
  const client = new Client(ws);

  const connectTimes: number[] = [];
  for (let i = 0; i < 20; i++) connectTimes.push(await client.runToConnected());

  const memory: Record<string, number | string>[] = [];
  const base = heapMb();
  memory.push({ runs: 0, heapMB: base, rssMB: process.memoryUsage().rss / 1e6 });
  for (let i = 1; i <= 100; i++) {
    await client.runToConnected();
    if (i % 25 === 0) memory.push({ runs: i, heapMB: heapMb(), rssMB: process.memoryUsage().rss / 1e6 });
  }
  ws.close();
  await server.close();

  const growthPerRunKB = ((memory.at(-1)!.heapMB as number) - (memory[1]!.heapMB as number)) / 75 * 1000;
  table('Foundation: start and connect', [
    { figure: 'npm start (built) → listening, median of 5', ms: percentile(starts, 50) },
    { figure: 'Run → both actors connected, p50 of 20', ms: percentile(connectTimes, 50) },
    { figure: 'Run → both actors connected, p95 of 20', ms: percentile(connectTimes, 95) },
  ]);
  table('Foundation: lab server memory over 100 runs (after GC)', memory);
  console.log(`heap growth from run 25 to run 100: ${growthPerRunKB.toFixed(1)} KB per run${(globalThis as { gc?: unknown }).gc ? '' : ' (no --expose-gc: figures include garbage)'}`);
  return { startupMsP50: percentile(starts, 50), connectP50: percentile(connectTimes, 50), connectP95: percentile(connectTimes, 95), memory, growthPerRunKB };
}
