/**
 * udp_diag and unix_diag against real sockets: the UDP method must see a receiver's drops (and
 * agree with /proc/net/udp), the Unix method must find a run's sockets by path, abstract name and
 * peer, and report the reader's queue and the writer's charged memory as ss -x does. A receiver
 * that does not read is a child process blocked in Atomics.wait, so the kernel alone decides.
 * Every wait is bounded; every socket and process is cleaned up.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { loadLibc } from '../../server/kernel/libc.js';
import { UdpDiagMethod } from '../../server/kernel/udp-diag.js';
import { UnixDiagMethod, selectRun, type UnixDiagEntry } from '../../server/kernel/unix-diag.js';
import { readUdpCounters, procUdpDrops } from '../../server/kernel/udp-counters.js';
import { SampleEvent } from '../../shared/trace/kernel-events.js';

const linux = loadLibc().ok;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cleanup: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

/** A child that binds a UDP socket with a small SO_RCVBUF, prints its port, then blocks (reads nothing). */
function blockedReceiver(): Promise<{ port: number; proc: ChildProcess }> {
  const script = `
    const dgram = require('node:dgram');
    const s = dgram.createSocket('udp4');
    s.bind(0, '127.0.0.1', () => {
      s.setRecvBufferSize(4096);
      process.stdout.write(JSON.stringify({ port: s.address().port, rcvbuf: s.getRecvBufferSize() }) + '\\n', () => {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 3000);
        process.exit(0);
      });
    });`;
  const proc = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  cleanup.push(() => { if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL'); });
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error('receiver did not start')), 5000);
    proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.includes('\n')) { clearTimeout(timer); resolve({ port: (JSON.parse(buf) as { port: number }).port, proc }); }
    });
  });
}

async function sendMany(port: number, n: number, size: number): Promise<number> {
  const s = dgram.createSocket('udp4');
  cleanup.push(() => new Promise<void>((r) => { try { s.close(r); } catch { r(); } }));
  let ok = 0;
  for (let i = 0; i < n; i++) {
    await new Promise<void>((r) => s.send(Buffer.alloc(size, 65 + (i % 26)), port, '127.0.0.1', (err) => { if (!err) ok++; r(); }));
  }
  return ok;
}

describe.skipIf(!linux)('udp_diag', () => {
  it('sees a receiver that reads nothing drop datagrams, as /proc/net/udp counts them', async () => {
    const before = readUdpCounters();
    const { port } = await blockedReceiver();
    const m = new UdpDiagMethod();
    cleanup.push(() => m.close());
    const sent = await sendMany(port, 40, 1000);
    expect(sent).toBe(40); // the sender is never told
    let sample = (await m.query(new Set([port]))).find((s) => s.local.port === port);
    for (let i = 0; i < 40 && (sample?.skmem?.drops ?? 0) === 0; i++) {
      await sleep(25);
      sample = (await m.query(new Set([port]))).find((s) => s.local.port === port);
    }
    expect(sample).toBeDefined();
    const s = sample!;
    expect(SampleEvent.safeParse({ type: 'event', t: 0, actor: 'kernel', kind: 'sample', ...s }).success).toBe(true);
    expect(s.proto).toBe('udp');
    expect(s.key.startsWith('udp:127.0.0.1:')).toBe(true);
    expect(s.state).toBe('CLOSE'); // unconnected: ss prints UNCONN
    const drops = s.skmem!.drops;
    expect(drops).toBeGreaterThan(0);
    // Queued memory is at most what the buffer allows (a datagram may overshoot by one).
    expect(s.recvQ).toBeGreaterThan(0);
    expect(s.skmem!.rcvbuf).toBeGreaterThanOrEqual(4096);
    // The same count from the text interface, found by inode.
    const proc = procUdpDrops(s.inode!);
    expect(proc.ok).toBe(true);
    if (proc.ok) expect(proc.value).toBe(drops);
    // System-wide, the receive-buffer errors grew by at least this socket's drops.
    const after = readUdpCounters();
    if (before.ok && after.ok) expect((after.value.RcvbufErrors ?? 0) - (before.value.RcvbufErrors ?? 0)).toBeGreaterThanOrEqual(drops);
  });

  it('filters by port and returns nothing for no ports', async () => {
    const m = new UdpDiagMethod();
    cleanup.push(() => m.close());
    expect(await m.query(new Set())).toEqual([]);
    const s = dgram.createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
    cleanup.push(() => new Promise<void>((r) => s.close(r)));
    const port = s.address().port;
    const found = await m.query(new Set([port]));
    expect(found.map((x) => x.local.port)).toEqual([port]);
    expect(found[0]!.skmem!.drops).toBe(0);
  });
});

describe('selectRun (pure)', () => {
  const e = (inode: number, name: string, peer?: number): UnixDiagEntry => ({ inode, type: 1, state: 1, cookie: '0', name, ...(peer !== undefined ? { peer } : {}) });
  it('takes named sockets under the prefix, their peers, and sockets whose peer is one of them', () => {
    const list = [e(1, '/run/lab/x.sock'), e(2, '/run/lab/x.sock', 3), e(3, '', 2), e(4, '/other.sock'), e(5, '', 4), e(6, '@lab-abc', 7), e(7, '', 6)];
    expect(selectRun(list, { pathPrefix: '/run/lab/' }).map((x) => x.inode)).toEqual([1, 2, 3]);
    expect(selectRun(list, { abstractPrefix: 'lab-' }).map((x) => x.inode)).toEqual([6, 7]);
    expect(selectRun(list, { pathPrefix: '/run/lab/', abstractPrefix: 'lab-' }).map((x) => x.inode)).toEqual([1, 2, 3, 6, 7]);
  });
});

describe.skipIf(!linux)('unix_diag', () => {
  it('finds the run\'s listener, accepted and client sockets, with the reader\'s queue and the writer\'s charged memory', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-unix-test-'));
    cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 's.sock');
    const server = net.createServer({ pauseOnConnect: true });
    const conns: net.Socket[] = [];
    server.on('connection', (c) => conns.push(c));
    await new Promise<void>((r) => server.listen(file, r));
    cleanup.push(() => new Promise<void>((r) => { for (const c of conns) c.destroy(); server.close(() => r()); }));
    const client = net.connect(file);
    cleanup.push(() => { client.destroy(); });
    await new Promise<void>((r) => client.once('connect', () => r()));
    // Write until Node says stop: the kernel queue is then full.
    let wrote = 0;
    for (let i = 0; i < 10_000; i++) { wrote += 1000; if (!client.write(Buffer.alloc(1000, 120))) break; }
    const m = new UnixDiagMethod({ pathPrefix: `${dir}/` });
    cleanup.push(() => m.close());
    let socks = await m.query();
    for (let i = 0; i < 40 && !socks.some((s) => s.state === 'ESTABLISHED' && (s.recvQ ?? 0) > 0); i++) { await sleep(25); socks = await m.query(); }
    const listener = socks.find((s) => s.state === 'LISTEN');
    expect(listener).toMatchObject({ proto: 'unix', local: { address: file, family: 'unix' } });
    const conn = socks.filter((s) => s.state === 'ESTABLISHED');
    expect(conn).toHaveLength(2);
    const reader = conn.find((s) => s.local.address === file)!; // the accepted socket carries the path
    const writer = conn.find((s) => s.local.address === '')!; // the client socket is unnamed
    expect(reader.peerInode).toBe(writer.inode);
    expect(writer.peerInode).toBe(reader.inode);
    expect(reader.key).toBe(`unix:${reader.inode}`);
    expect(writer.remote.address).toBe(file);
    // The bytes wait in the reader's queue; the writer's Send-Q is their memory, charged to its sndbuf.
    expect(reader.recvQ).toBeGreaterThan(0);
    expect(reader.recvQ).toBeLessThanOrEqual(wrote);
    expect(writer.sendQ).toBeGreaterThanOrEqual(reader.recvQ!);
    expect(writer.skmem!.wmemAlloc).toBe(writer.sendQ);
    expect(writer.sendQ).toBeGreaterThanOrEqual(writer.skmem!.sndbuf * 0.9);
    // ss agrees on the reader's Recv-Q.
    const ss = execFileSync('ss', ['-xH', 'src', file], { encoding: 'utf8' });
    const row = ss.split('\n').find((l) => l.includes(String(reader.inode)) && l.startsWith('u_str ESTAB'));
    expect(row).toBeDefined();
    expect(Number(row!.trim().split(/\s+/)[2])).toBe(reader.recvQ);
    for (const s of socks) expect(SampleEvent.safeParse({ type: 'event', t: 0, actor: 'kernel', kind: 'sample', ...s }).success).toBe(true);
  });

  it('names an abstract socket with "@" and finds no file for it', async () => {
    const name = `lab-test-${process.pid}-${Date.now()}`;
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(`\0${name}`, r));
    cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
    const m = new UnixDiagMethod({ abstractPrefix: name });
    cleanup.push(() => m.close());
    const socks = await m.query();
    expect(socks).toHaveLength(1);
    expect(socks[0]!.state).toBe('LISTEN');
    // Node 20 binds the whole sun_path: the name is padded with NULs, which ss (and we) print as "@".
    expect(socks[0]!.local.address.startsWith(`@${name}`)).toBe(true);
    expect(socks[0]!.local.address.slice(name.length + 1)).toMatch(/^@*$/);
    expect(execFileSync('ss', ['-xlH'], { encoding: 'utf8' })).toContain(socks[0]!.local.address);
  });

  it('refuses to run without a filter (it would report every Unix socket on the machine)', () => {
    expect(() => new UnixDiagMethod({})).toThrow(/prefix/);
  });
});
