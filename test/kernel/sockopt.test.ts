/**
 * Socket options, TCP_INFO and the queue ioctls on real loopback sockets (Linux only; elsewhere
 * the module reports "unavailable" and these tests are skipped).
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { loadLibc, SyscallError } from '../../server/kernel/libc.js';
import {
  fdOf, getOption, ioctlInq, ioctlOutq, ioctlOutqNotSent, readTcpInfo, setOption, setRcvBuf, setSndBuf,
} from '../../server/kernel/sockopt.js';

const libc = loadLibc();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const cleanup: Array<() => void> = [];
afterEach(() => {
  while (cleanup.length) cleanup.pop()!();
});

/**
 * A listener that never reads (pauseOnConnect: Node does not even pull into its own buffer),
 * optionally with SO_RCVBUF set on the listener so accepted sockets inherit it before the
 * handshake, and a connected client.
 */
async function pair(opts: { rcvbuf?: number; sndbuf?: number } = {}) {
  const server = net.createServer({ pauseOnConnect: true });
  cleanup.push(() => server.close());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  if (opts.rcvbuf) expect(setRcvBuf(fdOf(server)!, opts.rcvbuf).error).toBeUndefined();
  const accepted = new Promise<net.Socket>((r) => server.once('connection', r));
  const client = net.connect({ port: (server.address() as net.AddressInfo).port, host: '127.0.0.1' });
  cleanup.push(() => client.destroy());
  await new Promise<void>((r, j) => client.once('connect', r).once('error', j));
  if (opts.sndbuf) expect(setSndBuf(fdOf(client)!, opts.sndbuf).error).toBeUndefined();
  const reader = await accepted;
  cleanup.push(() => reader.destroy());
  return { server, client, reader };
}

/** Polls `read` every 50 ms until two consecutive values are equal (bounded). */
async function settle<T>(read: () => T, timeoutMs = 5000): Promise<T> {
  let prev = JSON.stringify(read());
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    await sleep(50);
    const v = read();
    const cur = JSON.stringify(v);
    if (cur === prev) return v;
    prev = cur;
  }
  throw new Error(`did not settle within ${timeoutMs} ms: ${prev}`);
}

describe.skipIf(!libc.ok)('socket options (Linux, koffi)', () => {
  it('SO_SNDBUF and SO_RCVBUF: 4096 asked, 8192 effective (on a connection and on a listener)', async () => {
    const { server, client } = await pair();
    const fd = fdOf(client)!;
    expect(fd).toBeGreaterThan(2);
    expect(setOption(fd, 'SO_SNDBUF', 4096)).toEqual({ option: 'SO_SNDBUF', requested: 4096, effective: 8192 });
    expect(setOption(fd, 'SO_RCVBUF', 4096)).toEqual({ option: 'SO_RCVBUF', requested: 4096, effective: 8192 });
    const lfd = fdOf(server)!;
    expect(setOption(lfd, 'SO_SNDBUF', 4096)).toEqual({ option: 'SO_SNDBUF', requested: 4096, effective: 8192 });
    expect(setOption(lfd, 'SO_RCVBUF', 4096)).toEqual({ option: 'SO_RCVBUF', requested: 4096, effective: 8192 });
    expect(getOption(fd, 'SO_SNDBUF')).toBe(8192);
  });

  it('an accepted socket inherits SO_RCVBUF set on the listener before the handshake', async () => {
    const { reader } = await pair({ rcvbuf: 4096 });
    expect(getOption(fdOf(reader)!, 'SO_RCVBUF')).toBe(8192);
  });

  it('reads back SO_LINGER, TCP_NODELAY, keepalive timers and SO_REUSEADDR as set', async () => {
    const { client } = await pair();
    const fd = fdOf(client)!;
    expect(setOption(fd, 'SO_LINGER', { on: true, seconds: 5 }).effective).toEqual({ on: true, seconds: 5 });
    // Turning linger off keeps the old timeout: Linux only clears the flag (sk_lingertime stays),
    // so "asked 0, effective 5" is the kernel's real answer, shown as such.
    expect(setOption(fd, 'SO_LINGER', { on: false, seconds: 0 }).effective).toEqual({ on: false, seconds: 5 });
    expect(setOption(fd, 'SO_LINGER', { on: true, seconds: 0 }).effective).toEqual({ on: true, seconds: 0 });
    expect(setOption(fd, 'TCP_NODELAY', true).effective).toBe(true);
    expect(setOption(fd, 'TCP_NODELAY', false).effective).toBe(false);
    expect(setOption(fd, 'SO_KEEPALIVE', true).effective).toBe(true);
    expect(setOption(fd, 'TCP_KEEPIDLE', 30).effective).toBe(30);
    expect(setOption(fd, 'TCP_KEEPINTVL', 5).effective).toBe(5);
    expect(setOption(fd, 'TCP_KEEPCNT', 3).effective).toBe(3);
    expect(setOption(fd, 'SO_REUSEADDR', true).effective).toBe(true);
  });

  it('reports a refused set with the errno and the value still in force, and never throws', async () => {
    const { client } = await pair();
    const fd = fdOf(client)!;
    setOption(fd, 'TCP_KEEPCNT', 3);
    // The kernel caps TCP_KEEPCNT at 127 (MAX_TCP_KEEPCNT).
    const r = setOption(fd, 'TCP_KEEPCNT', 1000);
    expect(r.error).toMatch(/EINVAL/);
    expect(r.effective).toBe(3);
    const bad = setOption(fd, 'SO_SNDBUF', 1.5);
    expect(bad.error).toMatch(/invalid value/);
    expect(bad.effective).toBeTypeOf('number');
    expect(setOption(-1, 'TCP_NODELAY', true)).toMatchObject({ effective: null, error: expect.stringMatching(/EBADF/) });
    expect(() => getOption(-1, 'SO_RCVBUF')).toThrow(SyscallError);
  });

  it('fdOf is undefined for a socket without a descriptor', () => {
    expect(fdOf(new net.Socket())).toBeUndefined();
    expect(fdOf(net.createServer())).toBeUndefined();
  });

  it('TCP_INFO of a writer facing a paused reader shows the bytes queued and a zero window', async () => {
    const { client, reader } = await pair({ rcvbuf: 4096, sndbuf: 4096 });
    const wfd = fdOf(client)!;
    client.write(Buffer.alloc(1 << 20));
    // Compare only what describes the queues (the last-sent/received ages tick on their own).
    await settle(() => {
      const i = readTcpInfo(wfd);
      return [i.notsentBytes, i.bytesAcked, i.sndWnd, ioctlOutq(wfd)];
    });
    const info = readTcpInfo(wfd);
    expect(info.state).toBe('ESTABLISHED');
    expect(info.length).toBeGreaterThanOrEqual(104);
    // Unsent bytes wait in the writer's kernel queue; the reader's window is closed.
    expect(info.notsentBytes).toBeGreaterThan(0);
    if (info.sndWnd !== undefined) expect(info.sndWnd).toBe(0);
    expect(ioctlOutq(wfd)).toBeGreaterThan(0);
    const rinfo = readTcpInfo(fdOf(reader)!);
    expect(rinfo.bytesReceived).toBeGreaterThan(0);
    if (rinfo.rcvWnd !== undefined) expect(rinfo.rcvWnd).toBe(0);
  });

  it('SIOCOUTQ / SIOCINQ agree with TCP_INFO and with each other on a held-still connection', async () => {
    const { client, reader } = await pair({ rcvbuf: 4096 });
    const wfd = fdOf(client)!;
    const rfd = fdOf(reader)!;
    let written = 0;
    const chunk = Buffer.alloc(16 * 1024);
    while (client.write(chunk)) written += chunk.length;
    written += chunk.length;
    const q = await settle(() => ({ outq: ioctlOutq(wfd), nsd: ioctlOutqNotSent(wfd), inq: ioctlInq(rfd) }));
    const w = readTcpInfo(wfd);
    const r = readTcpInfo(rfd);
    expect(q.inq).toBeGreaterThan(0);
    expect(q.outq).toBeGreaterThan(0);
    // The reader read nothing: everything it received is still in its queue.
    expect(q.inq).toBe(r.bytesReceived);
    // Held still, everything the reader holds was acknowledged (the writer's bytes_acked counts
    // its SYN as 1).
    expect(w.bytesAcked! - 1).toBe(q.inq);
    // Not-yet-sent is part of the send queue, and is what TCP_INFO calls notsent.
    expect(q.nsd).toBeLessThanOrEqual(q.outq);
    expect(q.nsd).toBe(w.notsentBytes);
    // Every byte the kernel took from the writer is in one of the two queues. Node counts the
    // chunk libuv is still writing as pending, so the kernel may hold up to one chunk more.
    const handedOver = written - client.writableLength;
    expect(q.outq + q.inq).toBeGreaterThanOrEqual(handedOver);
    expect(q.outq + q.inq).toBeLessThanOrEqual(handedOver + chunk.length);
  });

  it('SIOCINQ is refused on a listening socket (EINVAL), as the kernel defines it', async () => {
    const { server } = await pair();
    expect(() => ioctlInq(fdOf(server)!)).toThrow(/EINVAL/);
  });
});

describe.skipIf(libc.ok)('socket options where the kernel interface is unavailable', () => {
  it('says why instead of inventing a value', () => {
    const r = setOption(3, 'SO_SNDBUF', 4096);
    expect(r.effective).toBeNull();
    expect(r.error).toMatch(/^unavailable: /);
  });
});
