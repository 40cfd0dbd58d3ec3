import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../server/run/paths.js';
import { eventually } from '../helpers/processes.js';

describe('socket-lab serve', () => {
  it('says when its port is taken and takes the next free one', async () => {
    // Occupy a port, and make sure the next one is free.
    const blocker = net.createServer();
    let port = 0;
    for (let i = 0; i < 20 && port === 0; i++) {
      await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
      const p = (blocker.address() as net.AddressInfo).port;
      const probe = net.createServer();
      const free = await new Promise<boolean>((r) => { probe.once('error', () => r(false)); probe.listen(p + 1, '127.0.0.1', () => probe.close(() => r(true))); });
      if (free && p < 65535) port = p;
      else await new Promise((r) => blocker.close(r));
    }
    expect(port).toBeGreaterThan(0);
    const lab = spawn(process.execPath, [path.join(projectRoot, 'bin/socket-lab.js'), 'serve', '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    lab.stdout.on('data', (d) => { out += d; });
    const seen = await eventually(() => out.includes('?token='), 10_000);
    lab.kill('SIGTERM');
    await new Promise((r) => lab.once('exit', r));
    await new Promise((r) => blocker.close(r));
    expect(seen).toBe(true);
    expect(out).toContain(`port ${port} is in use; trying ${port + 1}`);
    expect(out).toMatch(new RegExp(`http://127\\.0\\.0\\.1:${port + 1}/\\?token=[0-9a-f]{48}`));
  });
});
