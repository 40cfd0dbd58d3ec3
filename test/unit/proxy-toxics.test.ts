/**
 * The proxy's copy loop (Link) and each registered toxic, on real loopback sockets in this
 * process: client ⇄ [proxy: two Links] ⇄ server. Times are checked as lower bounds and ratios of
 * measured values only; every socket is closed afterwards.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Link, QUEUE_LIMIT } from '../../server/experiments/proxy/link.js';
import { findToxic, parseToxicList, toxics, toxicSetting } from '../../server/experiments/proxy/toxics/index.js';
import type { ToxicEnv } from '../../server/experiments/proxy/toxics/types.js';

const cleanup: Array<() => void> = [];
afterEach(() => { while (cleanup.length) cleanup.pop()!(); });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Rig {
  client: net.Socket;
  server: net.Socket;
  up: Link;
  down: Link;
  closes: string[];
  /** Puts a toxic on one or both links. */
  toxic(name: string, args?: Record<string, number>, dir?: 'upstream' | 'downstream' | 'both'): void;
}

async function rig(): Promise<Rig> {
  const listen = (s: net.Server) => new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as net.AddressInfo).port)));
  const backend = net.createServer({ allowHalfOpen: true });
  const serverSock = new Promise<net.Socket>((r) => backend.once('connection', r));
  const backendPort = await listen(backend);
  const front = net.createServer({ allowHalfOpen: true });
  const proxied = new Promise<{ c: net.Socket; u: net.Socket }>((r) => front.once('connection', (c) => {
    const u = net.connect({ port: backendPort, host: '127.0.0.1', allowHalfOpen: true });
    r({ c, u });
  }));
  const frontPort = await listen(front);
  const client = net.connect({ port: frontPort, host: '127.0.0.1', allowHalfOpen: true });
  const { c, u } = await proxied;
  const server = await serverSock;
  const closes: string[] = [];
  const hooks = { tee: () => {}, log: () => {} };
  const up = new Link('upstream', c, u, hooks);
  const down = new Link('downstream', u, c, hooks);
  for (const s of [client, server, c, u]) s.on('error', () => {});
  cleanup.push(() => { up.stop(); down.stop(); for (const s of [client, server, c, u]) s.destroy(); backend.close(); front.close(); });
  const env = (link: Link, sleepFn: (ms: number) => Promise<void>): ToxicEnv => ({
    direction: link.direction,
    close: (how, why) => { closes.push(`${how}: ${why}`); for (const s of [c, u]) { if (how === 'reset') s.resetAndDestroy(); else s.end(); } },
    log: () => {},
    sleep: sleepFn,
  });
  return {
    client, server, up, down, closes,
    toxic(name, args = {}, dir = 'upstream') {
      const t = findToxic(name)!;
      const s = toxicSetting(name, args);
      if (typeof s === 'string') throw new Error(s);
      for (const link of [up, down]) {
        if (dir === 'both' || dir === link.direction) link.setToxic(name, (sl) => t.create(s.params, env(link, sl)));
      }
    },
  };
}

/** Collects what `s` reads: each read's size and time. */
function reads(s: net.Socket): { t: number; n: number; data: Buffer[] }[] {
  const out: { t: number; n: number; data: Buffer[] }[] = [];
  s.on('data', (d: Buffer) => out.push({ t: performance.now(), n: d.length, data: [d] }));
  return out;
}

async function until(cond: () => boolean, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  for (let i = 0; i < 10_000 && Date.now() < end; i++) { if (cond()) return true; await sleep(10); }
  return cond();
}

describe('toxic registry', () => {
  it('has the seven toxiproxy toxics, each with documented parameters in range', () => {
    expect(toxics.map((t) => t.name)).toEqual(['latency', 'bandwidth', 'slicer', 'slow_close', 'reset_peer', 'timeout', 'limit_data']);
    for (const t of toxics) for (const [k, p] of Object.entries(t.params)) {
      expect(p.default, `${t.name}.${k}`).toBeGreaterThanOrEqual(p.min);
      expect(p.default, `${t.name}.${k}`).toBeLessThanOrEqual(p.max);
      expect(p.help.length).toBeGreaterThan(3);
    }
  });

  it('checks settings and parses the toxics parameter, with clear reasons', () => {
    expect(toxicSetting('latency', { latency: 50, dir: 2 })).toEqual({ name: 'latency', dir: 2, params: { latency: 50, jitter: 0 } });
    expect(toxicSetting('nope', {})).toMatch(/unknown toxic "nope"/);
    expect(toxicSetting('latency', { latency: -1 })).toMatch(/latency must be 0\.\.60000 ms/);
    expect(toxicSetting('latency', { dir: 5 })).toMatch(/dir must be 0/);
    expect(toxicSetting('bandwidth', { speed: 1 })).toMatch(/no parameter "speed"/);
    expect(parseToxicList('')).toEqual([]);
    expect(parseToxicList('latency:latency=10,jitter=5; slicer')).toEqual([
      { name: 'latency', dir: 0, params: { latency: 10, jitter: 5 } },
      { name: 'slicer', dir: 1, params: { averageSize: 64, sizeVariation: 32, delayUs: 1000 } },
    ]);
    expect(parseToxicList('latency:latency=ten')).toMatch(/expected key=number/);
  });
});

describe('Link: io.Copy with backpressure', () => {
  it('copies both ways byte for byte and passes a FIN on', async () => {
    const r = await rig();
    const atServer = reads(r.server);
    const atClient = reads(r.client);
    const payload = Buffer.from(Array.from({ length: 200_000 }, (_v, i) => i % 251));
    r.client.end(payload);
    const ended = new Promise<void>((res) => r.server.once('end', () => res()));
    await ended;
    expect(Buffer.concat(atServer.flatMap((x) => x.data)).equals(payload)).toBe(true);
    r.server.end('back');
    await new Promise<void>((res) => r.client.once('end', () => res()));
    expect(Buffer.concat(atClient.flatMap((x) => x.data)).toString()).toBe('back');
  });

  it('a server that does not read stops the proxy reading from the client: the client\'s writes push back', async () => {
    const r = await rig();
    r.server.pause();
    let wrote = 0;
    let blocked = false;
    const chunk = Buffer.alloc(16 * 1024);
    for (let i = 0; i < 2000 && !blocked; i++) {
      wrote += chunk.length;
      if (!r.client.write(chunk)) blocked = true;
      await sleep(0);
    }
    expect(blocked).toBe(true);
    await sleep(200);
    const drained = new Promise<boolean>((res) => { r.client.once('drain', () => res(true)); setTimeout(() => res(false), 300); });
    // Still stuck while the server is paused…
    expect(await drained).toBe(false);
    // …and the proxy holds at most its queue limit plus one chunk in user space.
    expect(wrote).toBeGreaterThan(QUEUE_LIMIT);
    let got = 0;
    r.server.on('data', (d: Buffer) => { got += d.length; });
    r.server.resume();
    expect(await new Promise<boolean>((res) => { r.client.once('drain', () => res(true)); setTimeout(() => res(false), 5000); })).toBe(true);
    expect(await until(() => got === wrote)).toBe(true);
  });
});

describe('toxics on a live connection', () => {
  it('latency: every chunk arrives at least latency ms after it was sent, in order; off again, at once', async () => {
    const r = await rig();
    r.toxic('latency', { latency: 150, jitter: 20 }, 'upstream');
    const got = reads(r.server);
    const sent: number[] = [];
    for (let i = 0; i < 5; i++) { sent.push(performance.now()); r.client.write(`m${i};`); await sleep(30); }
    expect(await until(() => Buffer.concat(got.flatMap((x) => x.data)).toString() === 'm0;m1;m2;m3;m4;')).toBe(true);
    expect(got[0]!.t - sent[0]!).toBeGreaterThanOrEqual(130 - 1);
    // Delay counts from each chunk's arrival at the proxy: the last one waited about as long.
    expect(got.at(-1)!.t - sent.at(-1)!).toBeGreaterThanOrEqual(130 - 1);
    r.up.setToxic('latency', null);
    const t0 = performance.now();
    r.client.write('now');
    expect(await until(() => Buffer.concat(got.flatMap((x) => x.data)).toString().endsWith('now'))).toBe(true);
    expect(got.at(-1)!.t - t0).toBeLessThan(got[0]!.t - sent[0]!);
  });

  it('bandwidth: the receiver\'s measured rate is within 20% of the limit over a few seconds', async () => {
    const r = await rig();
    const rate = 50_000;
    r.toxic('bandwidth', { rate });
    const got = reads(r.server);
    const chunk = Buffer.alloc(8192);
    let go = true;
    const pump = () => { while (go && r.client.write(chunk)); if (go) r.client.once('drain', pump); };
    pump();
    await sleep(3000);
    go = false;
    const first = got[0]!.t;
    const window = got.filter((x) => x.t > first + 500);
    const bytes = window.reduce((a, x) => a + x.n, 0);
    const secs = (window.at(-1)!.t - (first + 500)) / 1000;
    const measured = bytes / secs;
    expect(measured / rate).toBeGreaterThan(0.8);
    expect(measured / rate).toBeLessThan(1.2);
  }, 10_000);

  it('slicer: one write arrives as many small reads', async () => {
    const r = await rig();
    r.toxic('slicer', { averageSize: 50, sizeVariation: 20, delayUs: 2000 });
    const got = reads(r.server);
    r.client.write(Buffer.alloc(2000, 97));
    expect(await until(() => got.reduce((a, x) => a + x.n, 0) === 2000)).toBe(true);
    expect(got.length).toBeGreaterThan(10);
    expect(Math.max(...got.map((x) => x.n))).toBeLessThanOrEqual(70);
  });

  it('slow_close: the FIN is passed on only after the delay; data before it is not held', async () => {
    const r = await rig();
    r.toxic('slow_close', { delay: 400 });
    const got = reads(r.server);
    const t0 = performance.now();
    r.client.end('bye');
    const ended = await new Promise<number>((res) => r.server.once('end', () => res(performance.now())));
    expect(Buffer.concat(got.flatMap((x) => x.data)).toString()).toBe('bye');
    expect(got[0]!.t - t0).toBeLessThan(ended - t0);
    expect(ended - t0).toBeGreaterThanOrEqual(399);
  });

  it('reset_peer: both ends get ECONNRESET', async () => {
    const r = await rig();
    const errs: string[] = [];
    r.client.on('error', (e: NodeJS.ErrnoException) => errs.push(`client ${e.code}`));
    r.server.on('error', (e: NodeJS.ErrnoException) => errs.push(`server ${e.code}`));
    r.client.resume(); r.server.resume();
    r.toxic('reset_peer', { timeout: 50 }, 'both');
    expect(await until(() => errs.length === 2)).toBe(true);
    expect(errs.sort()).toEqual(['client ECONNRESET', 'server ECONNRESET']);
    expect(r.closes[0]).toMatch(/^reset: reset_peer after 50 ms/);
  });

  it('timeout: data is dropped while it is on (the writer is not told), and the connection ends after the timeout', async () => {
    const r = await rig();
    r.toxic('timeout', { timeout: 300 });
    const got = reads(r.server);
    expect(r.client.write('lost')).toBe(true);
    const ended = await new Promise<boolean>((res) => { r.server.once('end', () => res(true)); setTimeout(() => res(false), 3000); });
    expect(ended).toBe(true);
    expect(got).toEqual([]);
    expect(r.closes[0]).toMatch(/closed after 300 ms/);
  });

  it('timeout 0 drops data until removed; then data flows again', async () => {
    const r = await rig();
    r.toxic('timeout', { timeout: 0 });
    const got = reads(r.server);
    r.client.write('dropped');
    await sleep(200);
    r.up.setToxic('timeout', null);
    r.client.write('kept');
    expect(await until(() => got.length > 0)).toBe(true);
    expect(Buffer.concat(got.flatMap((x) => x.data)).toString()).toBe('kept');
  });

  it('limit_data: exactly the first N bytes pass, then the connection ends', async () => {
    const r = await rig();
    r.toxic('limit_data', { bytes: 1000 });
    const got = reads(r.server);
    r.client.write(Buffer.alloc(5000, 120));
    const ended = await new Promise<boolean>((res) => { r.server.once('end', () => res(true)); setTimeout(() => res(false), 3000); });
    expect(ended).toBe(true);
    expect(got.reduce((a, x) => a + x.n, 0)).toBe(1000);
  });
});
