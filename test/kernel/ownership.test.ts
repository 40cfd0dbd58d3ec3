/**
 * The kernel observer samples only the run's own sockets, not every socket on the run's ports:
 * another program's socket on the same port (a TIME_WAIT left on the listener's port, a client
 * connected to the run's listener) never enters the trace, while every socket of the run — its
 * listener, both ends of its connection, the accepted end of a foreign client, and its TIME_WAIT
 * after the programs closed — does. First the rules on made-up dumps, then real runs with real
 * foreign sockets made by this test process, for both observer methods (sock_diag and ss).
 */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { ProcessOwnership } from '../../server/kernel/ownership.js';
import { TcpDiagMethod, type KernelSocket } from '../../server/kernel/observer.js';
import { socketKey } from '../../shared/trace/kernel-view.js';
import { cleanupAfterEach, linux, ssAvailable } from '../helpers/kernel-env.js';
import { kernelPlugin } from '../../server/run/kernel-plugin.js';
import { findExperiment } from '../../server/experiments/index.js';
import { Run } from '../../server/run/run.js';
import type { EventOf, TraceLine } from '../../shared/trace/schema.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cleanup = cleanupAfterEach();

// ---------------------------------------------------------------------------------------------
// The rules, on made-up dumps

let nextCookie = 1;
function sock(local: string, remote: string, state: KernelSocket['state'], inode: number, cookie?: string): KernelSocket {
  const ep = (t: string) => ({ address: t.slice(0, t.lastIndexOf(':')), port: Number(t.slice(t.lastIndexOf(':') + 1)) });
  const l = ep(local);
  const r = ep(remote);
  return { key: socketKey(l, r), cookie: cookie ?? String(nextCookie++), local: l, remote: r, state, inode };
}
const keys = (ss: readonly KernelSocket[]) => ss.map((s) => s.key);

describe('ProcessOwnership (rules)', () => {
  it('keeps sockets an actor holds, leaves out another process\'s, and keeps a closed socket by its cookie', () => {
    const held = new Map<number, number[]>([[100, [11, 12]]]);
    const o = new ProcessOwnership({ pids: () => [100], socketInodes: (pid) => held.get(pid) ?? [] });
    const listener = sock('127.0.0.1:7000', '0.0.0.0:0', 'LISTEN', 11);
    const mine = sock('127.0.0.1:7000', '127.0.0.1:50000', 'ESTABLISHED', 12);
    const theirs = sock('127.0.0.1:50001', '127.0.0.1:7000', 'ESTABLISHED', 99);
    // The foreign one is undecided once (accept() gives an inode before the fd is installed)...
    expect(keys(o.select([listener, mine, theirs]))).toEqual([listener.key, mine.key]);
    // ...and foreign from the second refresh that does not place it.
    expect(keys(o.select([listener, mine, theirs]))).toEqual([listener.key, mine.key]);
    const refreshes = o.stats().refreshes;
    expect(keys(o.select([listener, mine, theirs]))).toEqual([listener.key, mine.key]);
    expect(o.stats().refreshes).toBe(refreshes); // decided: /proc is not read again
    expect(o.stats().foreign).toBe(1);
    // Both programs close: the sockets lose their inodes. Mine goes TIME_WAIT (same cookie): still
    // mine. Theirs (same cookie) stays theirs, though its peer is one of mine.
    const mineTw = { ...mine, state: 'TIME_WAIT' as const, inode: 0 };
    const theirsLastAck = { ...theirs, state: 'LAST_ACK' as const, inode: 0 };
    expect(keys(o.select([listener, mineTw, theirsLastAck]))).toEqual([listener.key, mine.key]);
  });

  it('places an inode found only on the next refresh (the accept race)', () => {
    const held: number[] = [21];
    const o = new ProcessOwnership({ pids: () => [1], socketInodes: () => held });
    const accepted = sock('127.0.0.1:7000', '127.0.0.1:50002', 'ESTABLISHED', 22);
    expect(o.select([accepted])).toEqual([]);
    held.push(22); // the fd appears in the actor's table
    expect(keys(o.select([accepted]))).toEqual([accepted.key]);
  });

  it('sockets nobody holds: known address pairs and the run\'s accept queues only, never a foreign TIME_WAIT', () => {
    const o = new ProcessOwnership({ pids: () => [1], socketInodes: () => [31] });
    const listener = sock('0.0.0.0:7000', '0.0.0.0:0', 'LISTEN', 31);
    // Left on the listener's port by another program before the run: not the run's.
    const foreignTw = sock('127.0.0.1:7000', '127.0.0.1:40000', 'TIME_WAIT', 0);
    // Waiting in the run's listener's accept queue (half-open, and established before accept()).
    const half = sock('127.0.0.1:7000', '127.0.0.1:40001', 'SYN_RECV', 0);
    const queued = sock('127.0.0.1:7000', '127.0.0.1:40002', 'ESTABLISHED', 0);
    // A connection an actor reported, closed before any sample saw it with an inode.
    const quick = sock('127.0.0.1:40003', '127.0.0.1:7000', 'TIME_WAIT', 0);
    expect(keys(o.select([listener, foreignTw, half, queued, quick]))).toEqual([listener.key, half.key, queued.key]);
    o.addConnection(quick.local, quick.remote);
    expect(keys(o.select([listener, foreignTw, half, queued, quick]))).toEqual([listener.key, half.key, queued.key, quick.key]);
    // Without the listener in the dump, nothing is "in its queue".
    const o2 = new ProcessOwnership({ pids: () => [1], socketInodes: () => [] });
    expect(o2.select([half, queued, foreignTw])).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Real runs, real foreign sockets

/**
 * Leaves a TIME_WAIT that belongs to this test process on a free loopback port, the way a
 * program that ran before the lab would: a listener whose accepted connection closes first.
 * Returns the port and the TIME_WAIT's key. (Its SO_REUSEADDR, inherited from Node's listener,
 * lets the next listener bind the port at once.)
 */
async function leaveTimeWait(): Promise<{ port: number; key: string }> {
  const server = net.createServer((c) => c.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const client = net.connect(port, '127.0.0.1');
  client.resume();
  client.on('end', () => client.end());
  const local = await new Promise<number>((resolve, reject) => {
    client.once('connect', () => resolve(client.localPort!));
    client.once('error', reject);
  });
  await new Promise((r) => client.once('close', r));
  await new Promise((r) => server.close(r));
  return { port, key: socketKey({ address: '127.0.0.1', port }, { address: '127.0.0.1', port: local }) };
}

/** Every socket on `port` right now, by port alone (what port-only matching would sample). */
function portOnly(port: number): KernelSocket[] {
  const m = new TcpDiagMethod();
  try {
    return m.querySync(new Set([port]));
  } finally {
    m.close();
  }
}

const events = (lines: readonly TraceLine[]) => lines.flatMap((l) => (l.type === 'event' ? [l] : []));

describe.skipIf(!linux)('the kernel observer in a run samples only the run\'s sockets (real processes)', () => {
  for (const method of ['sock_diag', 'ss'] as const) {
    it.skipIf(method === 'ss' && !ssAvailable)(`${method}: a foreign TIME_WAIT and a foreign client on the run's port never appear; the run's own sockets all do`, async () => {
      const tw = await leaveTimeWait();
      expect(portOnly(tw.port).some((s) => s.key === tw.key && s.state === 'TIME_WAIT')).toBe(true);

      const run = new Run({
        experiment: findExperiment('echo')!,
        params: { count: 2, intervalMs: 50, message: 'ping', port: tw.port },
        durationMs: 2500,
        plugins: [kernelPlugin({ method })],
      });
      cleanup.push(() => { run.killNow(); });
      const ended = new Promise((r) => run.once('end', r));
      await run.start();

      // A client of this test process connects to the run's listener, stays a while, closes first.
      const foreign = net.connect(tw.port, '127.0.0.1');
      cleanup.push(() => { foreign.destroy(); });
      foreign.resume();
      await new Promise<void>((resolve, reject) => { foreign.once('connect', () => resolve()); foreign.once('error', reject); });
      const foreignKey = socketKey({ address: '127.0.0.1', port: foreign.localPort! }, { address: '127.0.0.1', port: tw.port });
      const acceptedKey = socketKey({ address: '127.0.0.1', port: tw.port }, { address: '127.0.0.1', port: foreign.localPort! });
      await sleep(300);
      // Port-only matching would have both foreign sockets right now (so the test can fail).
      const now = portOnly(tw.port).map((s) => s.key);
      expect(now).toContain(foreignKey);
      expect(now).toContain(tw.key);
      foreign.end();
      await new Promise((r) => foreign.once('close', r));
      // And one that connects and closes before any sample can see it held.
      const brief = net.connect(tw.port, '127.0.0.1', () => brief.end());
      brief.resume();
      const briefLocal = await new Promise<number>((r) => brief.once('connect', () => r(brief.localPort!)));
      await new Promise((r) => brief.once('close', r));
      const briefKey = socketKey({ address: '127.0.0.1', port: briefLocal }, { address: '127.0.0.1', port: tw.port });
      await sleep(300);
      expect(portOnly(tw.port).map((s) => s.key)).toContain(foreignKey); // its TIME_WAIT
      await ended;

      const lines = run.lines;
      const header = lines[0]!;
      expect(header.type === 'header' && header.capabilities.kernel).toMatch(method === 'ss' ? /^on \(ss/ : /^on$/);
      const evs = events(lines);
      const samples = evs.filter((e): e is EventOf<'sample'> => e.kind === 'sample');

      // Nothing of this test process's sockets is in the trace.
      const leaked = samples.filter((s) => [tw.key, foreignKey, briefKey].includes(s.key));
      expect(leaked.map((s) => `${s.key} ${s.state}`)).toEqual([]);

      // The run's own: the listener, both ends of the echo connection, with a TIME_WAIT after
      // the programs closed, and the server's accepted end of the foreign client (the actor holds it).
      const listen = evs.find((e): e is EventOf<'listen'> => e.kind === 'listen' && e.actor === 'server')!;
      expect(listen.local.port).toBe(tw.port);
      const connect = evs.find((e): e is EventOf<'connect'> => e.kind === 'connect' && e.actor === 'client')!;
      const clientKey = socketKey(connect.local, connect.remote);
      const serverKey = socketKey(connect.remote, connect.local);
      const of = (key: string) => samples.filter((s) => s.key === key);
      expect(samples.some((s) => s.local.port === tw.port && s.remote.port === 0 && s.state === 'LISTEN')).toBe(true);
      for (const key of [clientKey, serverKey]) expect(of(key).some((s) => s.state === 'ESTABLISHED')).toBe(true);
      expect([...of(clientKey), ...of(serverKey)].some((s) => s.state === 'TIME_WAIT')).toBe(true);
      expect(of(acceptedKey).some((s) => s.state === 'ESTABLISHED')).toBe(true);
      // Every connection an actor reported was sampled (but the brief one's accepted end, which
      // may live only milliseconds, between two samples, whoever owns it).
      for (const e of evs) {
        if ((e.kind === 'connect' || e.kind === 'accept') && e.remote.port !== briefLocal) {
          expect(of(socketKey(e.local, e.remote)).length, `${e.actor} ${e.kind} ${socketKey(e.local, e.remote)}`).toBeGreaterThan(0);
        }
      }
      // The closing note says how many were left out.
      const note = evs.find((e): e is EventOf<'note'> => e.kind === 'note' && e.text.startsWith('kernel observer'));
      expect(note?.text).toMatch(/ignored \d+ sockets? of other programs/);
    });
  }
});
