/**
 * The kernel observer against real loopback sockets, with real child processes on one side: it
 * must agree with ss, see orphaned sockets drain after their process exited, and report a
 * listener's accept queue. Every wait is bounded; every socket and process is cleaned up.
 */
import net from 'node:net';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach, linux, ssAvailable } from '../helpers/kernel-env.js';
import { fdOf, setRcvBuf } from '../../server/kernel/sockopt.js';
import {
  parseSsDuration, parseSsLine, parseSsVersion, Sampler, SsMethod, TcpDiagMethod, type KernelSocket,
} from '../../server/kernel/observer.js';
import { SampleEvent } from '../../shared/trace/kernel-events.js';
import { TraceEvent } from '../../shared/trace/schema.js';

const execFileP = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** One full-size segment on lo (MTU 65536 - 40 bytes of headers - 12 of timestamps). */
const ONE_SEGMENT = 65483;

const cleanup = cleanupAfterEach();

/** A Node child process running `script`; resolves its stdout lines as JSON on demand. */
function child(script: string) {
  const proc: ChildProcess = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  cleanup.push(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  });
  const lines: unknown[] = [];
  let waiting: (() => void) | undefined;
  let buf = '';
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      lines.push(JSON.parse(buf.slice(0, i)));
      buf = buf.slice(i + 1);
      waiting?.();
    }
  });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  return {
    proc,
    exited,
    async line<T>(timeoutMs = 5000): Promise<T> {
      const end = Date.now() + timeoutMs;
      while (lines.length === 0) {
        if (Date.now() > end) throw new Error('child wrote nothing');
        await new Promise<void>((r) => {
          waiting = r;
          setTimeout(r, 50);
        });
      }
      return lines.shift() as T;
    },
  };
}

/** A listener that never reads from its connections (pauseOnConnect: not even into Node's buffer). */
async function pausedListener(rcvbuf?: number) {
  const server = net.createServer({ pauseOnConnect: true });
  const conns: net.Socket[] = [];
  server.on('connection', (c) => conns.push(c));
  cleanup.push(() => {
    for (const c of conns) c.destroy();
    server.close();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  if (rcvbuf) expect(setRcvBuf(fdOf(server)!, rcvbuf).error).toBeUndefined();
  return { server, conns, port: (server.address() as net.AddressInfo).port };
}

/** Polls `fn` every `everyMs` until it returns a value (bounded in time). */
async function waitFor<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, timeoutMs = 5000, everyMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** `ss -tanmiH` (-a: listeners too) for the port, as the user would type it: Recv-Q / Send-Q by "local>peer". */
async function ssQueues(port: number): Promise<Map<string, { state: string; recvQ: number; sendQ: number }>> {
  const { stdout } = await execFileP('ss', ['-tanmiH', `( sport = :${port} or dport = :${port} )`]);
  const out = new Map<string, { state: string; recvQ: number; sendQ: number }>();
  for (const line of stdout.split('\n')) {
    if (!line || /^\s/.test(line)) continue; // -i and -m details continue on indented lines
    const [state, recvQ, sendQ, local, peer] = line.trim().split(/\s+/);
    // ss writes port 0 as "*" and the IPv6 any address as "*"; sample keys write ":0" and "[::]".
    const norm = (e: string) => e.replace(/:\*$/, ':0').replace(/^\*:/, '[::]:');
    out.set(`${norm(local!)}>${norm(peer!)}`, { state: state!, recvQ: Number(recvQ), sendQ: Number(sendQ) });
  }
  return out;
}

describe('pure parts', () => {
  // IPv6 text and socket keys: addresses.test.ts.

  it('parses ss lines, inferring zero only for counters ss prints when non-zero', () => {
    // A writer facing a zero window, as printed by iproute2 6.1 on this kernel.
    const line =
      'ESTAB  0      2804443 127.0.0.1:40602 127.0.0.1:7878  timer:(persist,360ms,0) ino:9083 sk:3 cgroup:/ <-> ' +
      'skmem:(r0,rb131072,t0,tb4194304,f3813,w2855195,o0,bl0,d0) ts sack bbr wscale:10,10 rto:208 backoff:1 ' +
      'rtt:5.34/10.419 mss:47616 pmtu:65535 rcvmss:536 advmss:65483 cwnd:17 bytes_sent:215525 bytes_retrans:19968 ' +
      'bytes_acked:195558 segs_out:10 segs_in:5 data_segs_out:7 send 1212692135bps lastsnd:304 lastrcv:312 ' +
      'lastack:56 pacing_rate 71290599944bps delivery_rate 28442320bps delivered:8 busy:312ms ' +
      'rwnd_limited:312ms(100.0%) retrans:0/1 dsack_dups:1 rcv_space:65495 rcv_ssthresh:65495 notsent:2804443 minrtt:0.105';
    const s = parseSsLine(line, [6, 1])!;
    expect(s).toMatchObject({
      key: '127.0.0.1:40602>127.0.0.1:7878', state: 'ESTABLISHED', recvQ: 0, sendQ: 2804443, inode: 9083, uid: 0,
      cookie: '3', timer: { name: 'persist', expiresMs: 360, retrans: 0 }, backoff: 1, rtoUs: 208000, rttUs: 5340,
      sndWnd: 0, notsent: 2804443, retransmits: 0, totalRetrans: 1, unacked: 0, bytesReceived: 0,
      skmem: { rmemAlloc: 0, rcvbuf: 131072, sndbuf: 4194304, wmemQueued: 2855195, drops: 0 },
    });
    // rcv_wnd is not printed before iproute2 6.7: unknown, so absent.
    expect(s.rcvWnd).toBeUndefined();
    expect(parseSsLine(line, [6, 7])!.rcvWnd).toBe(0);
    // An older ss: no zero is inferred.
    expect(parseSsLine(line, [5, 0])!.sndWnd).toBeUndefined();

    const listen = parseSsLine('LISTEN 0      511                     *:7879                   *:*     ino:9996 sk:5 cgroup:/ v6only:0 <->')!;
    expect(listen).toMatchObject({ key: '[::]:7879>[::]:0', state: 'LISTEN', acceptQ: 0, acceptMax: 511 });
    const tw = parseSsLine('TIME-WAIT 0      0      127.0.0.1:33012 127.0.0.1:45221 timer:(timewait,36sec,0) ino:0 sk:139')!;
    expect(tw).toMatchObject({ state: 'TIME_WAIT', inode: 0, cookie: '139', timer: { name: 'timewait', expiresMs: 36000, retrans: 0 } });
    expect(tw.uid).toBeUndefined(); // a minisocket has no owner
    expect(tw.sndWnd).toBeUndefined();
    for (const [text, ms] of [['360ms', 360], ['8.768ms', 8768], ['59sec', 59000], ['2min4sec', 124000], ['12min', 720000]] as const) {
      expect(parseSsDuration(text), text).toBe(ms);
    }
    expect(parseSsDuration('soon')).toBeUndefined();
    expect(parseSsVersion('ss utility, iproute2-6.1.0')).toEqual([6, 1]);
    expect(parseSsVersion('ss utility, iproute2-6.7.0, libbpf 1.3.0')).toEqual([6, 7]);
  });
});

describe.skipIf(!linux)('kernel observer (Linux)', () => {
  it(
    'Recv-Q and Send-Q of a held-still connection equal what ss -tmi prints, within one segment',
    async () => {
      const { port } = await pausedListener();
      // The writer is another process: it writes 16 MB at once and stays blocked on it.
      const writer = child(`
        const s = require('net').connect(${port}, '127.0.0.1', () => {
          const ok = s.write(Buffer.alloc(16 << 20));
          console.log(JSON.stringify({ ok, localPort: s.localPort }));
        });
        setInterval(() => {}, 1000);`);
      const { ok, localPort } = await writer.line<{ ok: boolean; localPort: number }>();
      expect(ok).toBe(false);

      const diag = new TcpDiagMethod();
      cleanup.push(() => diag.close());
      const ports = new Set([port]);
      const conn = (list: KernelSocket[]) => list.filter((s) => s.state === 'ESTABLISHED');
      // Held still: two reads 100 ms apart with the same queues on both ends.
      let prev = '';
      await waitFor('the connection to hold still', () => {
        const sig = JSON.stringify(conn(diag.querySync(ports)).map((s) => [s.key, s.recvQ, s.sendQ]));
        const still = sig === prev && conn(diag.querySync(ports)).length === 2;
        prev = sig;
        return still ? true : undefined;
      }, 8000, 100);

      const [ours, theirs] = await Promise.all([diag.query(ports), ssQueues(port)]);
      const writerSock = ours.find((s) => s.local.port === localPort)!;
      const readerSock = ours.find((s) => s.remote.port === localPort)!;
      expect(writerSock.sendQ).toBeGreaterThan(0);
      expect(readerSock.recvQ).toBeGreaterThan(0);
      for (const s of [writerSock, readerSock]) {
        const t = theirs.get(s.key);
        expect(t, `ss shows ${s.key}`).toBeDefined();
        expect(t!.state).toBe('ESTAB');
        expect(Math.abs(s.recvQ! - t!.recvQ)).toBeLessThanOrEqual(ONE_SEGMENT);
        expect(Math.abs(s.sendQ! - t!.sendQ)).toBeLessThanOrEqual(ONE_SEGMENT);
      }
      // The writer is blocked by a zero window; the reader advertises none.
      expect(writerSock.sndWnd).toBe(0);
      expect(writerSock.timer?.name).toBe('persist');
      if (readerSock.rcvWnd !== undefined) expect(readerSock.rcvWnd).toBe(0);
      expect(writerSock.inode).toBeGreaterThan(0);

      if (ssAvailable) {
        // The two methods agree on everything both can see. A zero-window probe may fire while
        // ss runs (backoff, timer), so ss's value must be the one sock_diag saw just before or
        // just after it.
        const before = diag.querySync(ports);
        const viaSs = await new SsMethod().query(ports);
        const after = diag.querySync(ports);
        for (const key of [writerSock.key, readerSock.key]) {
          const o = viaSs.find((x) => x.key === key)!;
          const b = before.find((x) => x.key === key)!;
          const a = after.find((x) => x.key === key)!;
          for (const k of ['state', 'recvQ', 'sendQ', 'inode', 'uid', 'cookie', 'sndWnd', 'backoff', 'notsent', 'skmem', 'shutdown'] as const) {
            expect([b[k], a[k]], `${key} ${k}`).toContainEqual(o[k]);
          }
        }
      }
    },
    20_000,
  );

  it(
    'sees an orphaned socket drain its queue after its process exited, then FIN_WAIT2 and TIME_WAIT',
    async () => {
      // A small receive buffer and a slow reader make the drain last long enough to watch.
      const { port, conns } = await pausedListener(4096);
      const t0 = performance.now();
      const now = () => performance.now() - t0;
      const events: SampleEvent[] = [];
      const sampler = new Sampler({ ports: [port], emit: (e) => events.push(e), now, method: 'sock_diag' });
      cleanup.push(() => sampler.close());
      sampler.start();

      // The writer hands 1 MiB to its kernel, holds on a moment, then shuts down its side and
      // exits at once, leaving the queue to the kernel.
      const writer = child(`
        const s = require('net').connect(${port}, '127.0.0.1', () => {
          console.log(JSON.stringify({ localPort: s.localPort }));
          s.write(Buffer.alloc(1 << 20), () => setTimeout(() => { s.end(); setTimeout(() => process.exit(0), 20); }, 200));
        });`);
      const { localPort } = await writer.line<{ localPort: number }>();
      await writer.exited;
      const exitedAt = now();
      await sleep(200);

      const reader = await waitFor('the accepted connection', () => conns[0]);
      let got = 0;
      const ended = new Promise<void>((resolve) => reader.once('end', resolve));
      reader.on('data', (d: Buffer) => {
        got += d.length;
        reader.pause();
        setTimeout(() => reader.resume(), 5);
      });
      reader.resume();
      await Promise.race([ended, sleep(10_000)]);
      expect(got).toBe(1 << 20);
      // Keep the reader open a moment so the writer's FIN_WAIT2 is visible, then close it.
      await sleep(200);
      reader.end();
      const key = `127.0.0.1:${localPort}>127.0.0.1:${port}`;
      await waitFor('TIME_WAIT', () => (events.some((e) => e.key === key && e.state === 'TIME_WAIT') ? true : undefined), 3000);
      await sampler.stop();

      const mine = events.filter((e) => e.key === key);
      for (const e of mine) SampleEvent.parse(e);
      expect(new Set(mine.map((e) => e.cookie)).size).toBe(1);
      expect(mine.find((e) => e.t < exitedAt)).toMatchObject({ state: 'ESTABLISHED', inode: expect.any(Number) });
      expect(mine.find((e) => e.t < exitedAt)!.inode).toBeGreaterThan(0);
      // After the exit nobody holds it (inode 0), and it is still sending its queue.
      const draining = mine.filter((e) => e.t > exitedAt && e.state === 'FIN_WAIT1' && e.inode === 0 && e.sendQ! > 0);
      expect(draining.length).toBeGreaterThanOrEqual(3);
      for (let i = 1; i < draining.length; i++) expect(draining[i]!.sendQ!).toBeLessThanOrEqual(draining[i - 1]!.sendQ!);
      expect(draining.at(-1)!.sendQ!).toBeLessThan(draining[0]!.sendQ!);
      const states = mine.map((e) => e.state);
      const order = ['ESTABLISHED', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT'];
      const firsts = order.map((s) => states.indexOf(s as SampleEvent['state']));
      expect(firsts.every((i) => i >= 0), `states seen: ${[...new Set(states)].join(' ')}`).toBe(true);
      expect([...firsts].sort((a, b) => a - b)).toEqual(firsts);
      // TIME_WAIT runs on the kernel's timewait timer, with no tcp_info behind it.
      const tw = mine.find((e) => e.state === 'TIME_WAIT')!;
      expect(tw.timer?.name).toBe('timewait');
      expect(tw.sndWnd).toBeUndefined();
      expect(tw.uid).toBeUndefined();
    },
    20_000,
  );

  it(
    "reports a listener's accept queue and its limit (a program that does not accept)",
    async () => {
      // The listener's process blocks its event loop, so connections pile up in the kernel.
      const server = child(`
        const s = require('net').createServer().listen({ port: 0, host: '127.0.0.1', backlog: 2 }, () => {
          console.log(JSON.stringify({ port: s.address().port }));
          setTimeout(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 15000), 50);
        });`);
      const { port } = await server.line<{ port: number }>();
      await sleep(200);
      const clients = [0, 1, 2, 3].map(() => net.connect(port, '127.0.0.1').on('error', () => {}));
      cleanup.push(() => clients.forEach((c) => c.destroy()));

      const diag = new TcpDiagMethod();
      cleanup.push(() => diag.close());
      const ports = new Set([port]);
      const listener = await waitFor('a full accept queue', () => {
        const l = diag.querySync(ports).find((s) => s.state === 'LISTEN');
        return l && l.acceptQ! >= 3 ? l : undefined;
      }, 5000);
      // Linux queues up to backlog + 1 completed connections.
      expect(listener).toMatchObject({ acceptQ: 3, acceptMax: 2, recvQ: 3, sendQ: 2 });
      const theirs = await ssQueues(port);
      expect(theirs.get(listener.key)).toMatchObject({ state: 'LISTEN', recvQ: 3, sendQ: 2 });

      const all = diag.querySync(ports);
      // Connections nobody accepted yet: established in the kernel, held by no file (inode 0).
      const queued = all.filter((s) => s.state === 'ESTABLISHED' && s.local.port === port);
      expect(queued.length).toBeGreaterThanOrEqual(3);
      for (const s of queued) expect(s.inode).toBe(0);
      // The fourth client's SYN was dropped: it is still trying.
      expect(all.filter((s) => s.state === 'SYN_SENT').length).toBeGreaterThanOrEqual(1);
    },
    20_000,
  );

  it(
    'compares on every tick: each change is written at the next sample, an unchanged socket is not, a closed one goes',
    async () => {
      const { server, port, conns } = await pausedListener();
      const client = net.connect(port, '127.0.0.1');
      cleanup.push(() => void client.destroy());
      await new Promise<void>((r) => client.once('connect', r));
      await waitFor('accept', () => conns[0]);
      const events: SampleEvent[] = [];
      const sampler = new Sampler({ ports: [port], emit: (e) => events.push(e) });
      cleanup.push(() => sampler.close());
      const clientKey = `127.0.0.1:${client.localPort}>127.0.0.1:${port}`;
      const readerKey = `127.0.0.1:${port}>127.0.0.1:${client.localPort}`;

      await sampler.tick();
      expect(events.map((e) => e.key).sort()).toEqual([clientKey, readerKey, `127.0.0.1:${port}>0.0.0.0:0`].sort());
      // Nothing changes: nothing is written.
      for (let i = 0; i < 5; i++) await sampler.tick();
      expect(events.length).toBe(3);
      expect(sampler.stats().elided).toBe(15);

      // Each write between two samples shows up in the very next one.
      for (let i = 1; i <= 3; i++) {
        const before = events.length;
        await new Promise<void>((r) => client.write(Buffer.alloc(1000), () => r()));
        await waitFor('the bytes to arrive', () => {
          const r = new TcpDiagMethod();
          try {
            return r.querySync(new Set([port])).find((s) => s.key === readerKey)!.recvQ === 1000 * i ? true : undefined;
          } finally {
            r.close();
          }
        }, 2000, 5);
        await sampler.tick();
        const reader = events.slice(before).find((e) => e.key === readerKey);
        expect(reader?.recvQ).toBe(1000 * i);
      }

      // A listener that closes is written as GONE at the next sample.
      // (close()'s callback waits for the connections too; the listening socket itself is closed
      // by libuv right away.)
      server.close();
      await sleep(20);
      await sampler.tick();
      expect(events.at(-1)).toMatchObject({ key: `127.0.0.1:${port}>0.0.0.0:0`, state: 'GONE' });

      // Everything written is a valid trace event, in time order.
      for (const e of events) TraceEvent.parse(e);
      for (let i = 1; i < events.length; i++) expect(events[i]!.t).toBeGreaterThanOrEqual(events[i - 1]!.t);
    },
    20_000,
  );

  it('keeps its rate with start(), unref-ed, and stops cleanly', async () => {
    const { port } = await pausedListener();
    const sampler = new Sampler({ ports: [port], emit: () => {}, rateHz: 100 });
    cleanup.push(() => sampler.close());
    sampler.start();
    await sleep(500);
    await sampler.stop();
    const { ticks, errors, overruns } = sampler.stats();
    expect(errors).toBe(0);
    // Deadlines missed under load are skipped and counted, not made up later.
    expect(ticks + overruns).toBeGreaterThanOrEqual(45);
    expect(ticks + overruns).toBeLessThanOrEqual(52);
    expect(ticks).toBeGreaterThanOrEqual(35);
    await sleep(50);
    expect(sampler.stats().ticks).toBe(ticks);
  });
});
