import WebSocket from 'ws';
import { LabServer, type LabServerOptions } from '../../server/http/lab-server.js';
import { ServerMessage } from '../../shared/protocol/messages.js';

export interface TestLab { server: LabServer; port: number; token: string; base: string; close(): Promise<void> }

/** A lab server on a free loopback port, as `socket-lab serve` would start it. */
export async function startLab(opts: Partial<LabServerOptions> = {}): Promise<TestLab> {
  const token = 'test-token-' + Math.random().toString(36).slice(2).padEnd(12, '0');
  const server = new LabServer({ host: '127.0.0.1', port: 0, token, ...opts });
  const port = await server.listen();
  return { server, port, token, base: `http://127.0.0.1:${port}`, close: () => server.close() };
}

/** A WebSocket client that collects validated server messages. */
export class TestClient {
  readonly messages: ServerMessage[] = [];
  private waiters: { pred: (m: ServerMessage) => boolean; resolve: (m: ServerMessage) => void }[] = [];
  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const msg = ServerMessage.parse(JSON.parse(String(data)));
      this.messages.push(msg);
      this.waiters = this.waiters.filter((w) => (w.pred(msg) ? (w.resolve(msg), false) : true));
    });
  }
  static async open(lab: Pick<TestLab, 'port' | 'token'>, headers: Record<string, string> = {}): Promise<TestClient> {
    const ws = new WebSocket(`ws://127.0.0.1:${lab.port}/ws`, { headers: { authorization: `token ${lab.token}`, ...headers } });
    const client = new TestClient(ws);
    await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
    return client;
  }
  send(msg: unknown): void { this.ws.send(JSON.stringify(msg)); }
  next<T extends ServerMessage['type']>(type: T, pred: (m: Extract<ServerMessage, { type: T }>) => boolean = () => true, timeoutMs = 15_000): Promise<Extract<ServerMessage, { type: T }>> {
    const found = this.messages.find((m) => m.type === type && pred(m as never));
    if (found) return Promise.resolve(found as never);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${type} message within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ pred: (m) => m.type === type && pred(m as never), resolve: (m) => { clearTimeout(timer); resolve(m as never); } });
    });
  }
  lines(runId: string) {
    return this.messages.flatMap((m) => (m.type === 'trace' && m.runId === runId ? m.lines : []));
  }
  close(): void { this.ws.close(); }
}
