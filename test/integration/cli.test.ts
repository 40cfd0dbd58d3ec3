import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TraceLine } from '../../shared/trace/schema.js';
import { projectRoot } from '../../server/run/paths.js';

const BIN = path.join(projectRoot, 'bin', 'socket-lab.js');

function cli(args: string[], during?: (out: () => string) => Promise<void>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    void during?.(() => stdout);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('socket-lab CLI', () => {
  it('lists experiments with their parameters', async () => {
    const r = await cli(['list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^echo\s+Echo server and client/m);
    expect(r.stdout).toMatch(/--set count=3 0\.\.100/);
  });

  it('runs echo headless: role-prefixed output, a valid trace file, observations, exit 0', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'socket-lab-'));
    const trace = path.join(dir, 'echo.jsonl');
    const r = await cli(['run', 'echo', '--set', 'count=2', '--set', 'message=hi', '--duration', '1500ms', '--trace', trace]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^server \| listening on 127\.0\.0\.1:\d+$/m);
    expect(r.stdout).toMatch(/^client \| echo 6 B: "hi #1\\n"$/m);
    expect(r.stdout).toMatch(/3\/3 observations held/);
    const lines = readFileSync(trace, 'utf8').trim().split('\n').map((l) => TraceLine.parse(JSON.parse(l)));
    expect(lines[0]?.type).toBe('header');
    expect(lines.at(-1)?.type).toBe('footer');
  });

  it('explains bad input and exits 2', async () => {
    const a = await cli(['run', 'echo', '--set', 'count=lots']);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/count/);
    const b = await cli(['run', 'nope']);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/unknown experiment "nope". Known: echo/);
    const c = await cli(['run', 'echo', '--duration', 'soon']);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/invalid duration/);
  });

  it('--port makes the server listen where an outside client can reach it while the run is live', async () => {
    const port = await freePort();
    let reply = '';
    const r = await cli(['run', 'echo', '--port', String(port), '--set', 'count=0', '--duration', '3s'], async (out) => {
      for (let i = 0; i < 100 && !out().includes(`listening on 127.0.0.1:${port}`); i++) await new Promise((res) => setTimeout(res, 30));
      await new Promise<void>((resolve, reject) => {
        const c = net.connect(port, '127.0.0.1', () => c.write('from outside\n'));
        c.on('data', (d) => { reply += d; if (reply.endsWith('\n')) { c.end(); resolve(); } });
        c.on('error', reject);
      });
    });
    expect(reply).toBe('from outside\n');
    expect(r.stdout).toMatch(/server \| read 13 B: "from outside\\n"/);
  });
});
