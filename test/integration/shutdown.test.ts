import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ServerMessage } from '../../shared/protocol/messages.js';
import { projectRoot } from '../../server/run/paths.js';
import { alive, eventually } from '../helpers/processes.js';

describe('lab shutdown', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} ends every actor of every run and frees the port`, async () => {
      const token = 'shutdown-test';
      const lab = spawn(process.execPath, [path.join(projectRoot, 'bin/socket-lab.js'), 'serve', '--port', '0'], { env: { ...process.env, SOCKET_LAB_TOKEN: token }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      lab.stdout.on('data', (d) => { out += d; });
      expect(await eventually(() => /http:\/\/127\.0\.0\.1:\d+/.test(out), 10_000)).toBe(true);
      const port = Number(/127\.0\.0\.1:(\d+)/.exec(out)![1]);
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { authorization: `token ${token}` } });
      const pids: number[] = [];
      ws.on('message', (d) => {
        const m = ServerMessage.parse(JSON.parse(String(d)));
        if (m.type === 'trace') for (const l of m.lines) if (l.type === 'event' && l.kind === 'spawn') pids.push(l.pid);
      });
      await new Promise((r) => ws.once('open', r));
      ws.send(JSON.stringify({ type: 'run', req: 'a', experiment: 'echo' }));
      ws.send(JSON.stringify({ type: 'run', req: 'b', experiment: 'echo' }));
      expect(await eventually(() => pids.length === 4, 10_000)).toBe(true);
      const exited = new Promise<number | null>((r) => lab.once('exit', r));
      lab.kill(signal);
      expect(await exited).toBe(0);
      expect(await eventually(() => pids.every((p) => !alive(p)))).toBe(true);
      // The port is free again.
      const net = await import('node:net');
      const probe = net.createServer();
      await new Promise<void>((resolve, reject) => { probe.once('error', reject); probe.listen(port, '127.0.0.1', resolve); });
      await new Promise((r) => probe.close(r));
    });
  }
});
