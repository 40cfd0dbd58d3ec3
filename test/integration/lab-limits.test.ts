/**
 * Lab-wide limits (README, "Security model"), each enforced with a message that names it, and
 * the token kept out of every trace even when a browser hands it to an actor's server.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { TraceLine } from '../../shared/trace/schema.js';
import { startLab, TestClient, type TestLab } from '../helpers/lab-server.js';

let lab: TestLab | null = null;
afterEach(async () => { await lab?.close(); lab = null; });

const echo = (req: string, extra: Record<string, unknown> = {}) => ({ type: 'run', req, experiment: 'echo', params: { count: 1, message: 'hi' }, ...extra });

async function until(cond: () => boolean, what: string, maxMs = 20_000): Promise<void> {
  for (let t = 0; t < maxMs && !cond(); t += 10) await new Promise((r) => setTimeout(r, 10));
  if (!cond()) throw new Error(`timed out waiting for ${what}`);
}

function upgradeStatus(l: TestLab): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${l.port}/ws`, { headers: { authorization: `token ${l.token}` } });
    ws.on('unexpected-response', (_req, res) => { resolve(res.statusCode ?? 0); ws.terminate(); });
    ws.on('open', () => { resolve(101); ws.close(); });
    ws.on('error', () => { /* reported through unexpected-response */ });
  });
}

describe('lab-wide limits', () => {
  it('counts runs across every connection, not per connection', async () => {
    lab = await startLab({ limits: { maxLabRuns: 2, maxConcurrentRuns: 4 } });
    const a = await TestClient.open(lab);
    const b = await TestClient.open(lab);
    a.send(echo('a1'));
    a.send(echo('a2'));
    const a1 = await a.next('run-started', (m) => m.req === 'a1');
    await a.next('run-started', (m) => m.req === 'a2');
    b.send(echo('b1'));
    expect((await b.next('error', (m) => m.req === 'b1')).message).toMatch(/already has 2 live runs \(at most 2 across every tab\)/);
    a.send({ type: 'stop', runId: a1.runId });
    await a.next('run-ended', (m) => m.runId === a1.runId);
    b.send(echo('b2'));
    expect((await b.next('run-started', (m) => m.req === 'b2')).runId).toBeTruthy();
    a.close(); b.close();
  });

  it('counts the processes a run may start (its roles and capture) against the lab-wide ceiling', async () => {
    lab = await startLab({ limits: { maxLabProcesses: 5 } });
    const a = await TestClient.open(lab);
    a.send(echo('p1'));
    await a.next('run-started', (m) => m.req === 'p1');
    a.send(echo('p2'));
    expect((await a.next('error', (m) => m.req === 'p2')).message).toMatch(/use up to 4 processes; this run needs up to 4 more \(at most 5\)/);
    a.close();
  });

  it('refuses a WebSocket connection past the limit with 503, and takes one again once a tab closes', async () => {
    lab = await startLab({ limits: { maxConnections: 2 } });
    const a = await TestClient.open(lab);
    const b = await TestClient.open(lab);
    await a.next('hello'); await b.next('hello');
    expect(await upgradeStatus(lab)).toBe(503);
    b.close();
    await until(() => lab!.server.connectionCount === 1, 'the closed connection to be gone');
    expect(await upgradeStatus(lab)).toBe(101);
    a.close();
  });

  it('rate-limits live controls per connection and keeps only the ones it took', async () => {
    lab = await startLab({ limits: { controlsPerSecond: 5 } });
    const c = await TestClient.open(lab);
    c.send(echo('r'));
    const { runId } = await c.next('run-started', (m) => m.req === 'r');
    await until(() => c.lines(runId).some((l) => l.type === 'event' && l.kind === 'spawn' && l.actor === 'client'), 'the client to start');
    for (let i = 0; i < 40; i++) c.send({ type: 'control', runId, role: 'server', command: 'noop', args: { i } });
    await until(() => c.messages.filter((m) => m.type === 'error' && /control limit/.test(m.message)).length > 0, 'a control-limit error');
    c.send({ type: 'stop', runId });
    await c.next('run-ended', (m) => m.runId === runId);
    const refused = c.messages.filter((m) => m.type === 'error' && /control limit: at most 5 controls a second/.test(m.message)).length;
    const kept = c.lines(runId).filter((l) => l.type === 'event' && l.kind === 'control').length;
    expect(refused + kept).toBe(40);
    expect(kept).toBeGreaterThanOrEqual(5);
    expect(kept).toBeLessThan(15); // a burst of 5, plus what 5 a second refills while 40 messages arrive
    c.close();
  });

  it('gives a browser run its default length, says it in the header, and extends it up to the ceiling', async () => {
    lab = await startLab({ limits: { defaultRunMs: 2000, maxRunMs: 8000 } });
    const c = await TestClient.open(lab);
    c.send(echo('d'));
    const d = await c.next('run-started', (m) => m.req === 'd');
    await c.next('run-ended', (m) => m.runId === d.runId, 30_000);
    const lines = c.lines(d.runId);
    expect(lines[0]).toMatchObject({ type: 'header', durationMs: 2000 });
    expect(lines.at(-1)).toMatchObject({ type: 'footer', reason: 'duration reached' });
    expect((lines.at(-1) as Extract<TraceLine, { type: 'footer' }>).t).toBeGreaterThanOrEqual(2000);

    c.send(echo('e', { durationMs: 9000 }));
    expect((await c.next('error', (m) => m.req === 'e')).message).toMatch(/a run lasts at most 8 s/);
    c.send(echo('x', { durationMs: 3000 }));
    const x = await c.next('run-started', (m) => m.req === 'x');
    c.send({ type: 'extend', runId: x.runId, byMs: 60_000 });
    await until(() => c.lines(x.runId).some((l) => l.type === 'event' && l.kind === 'run-length'), 'the run-length event');
    expect(c.lines(x.runId).find((l) => l.type === 'event' && l.kind === 'run-length')).toMatchObject({ actor: 'lab', durationMs: 8000 });
    c.send({ type: 'extend', runId: x.runId, byMs: 60_000 });
    expect((await c.next('error', (m) => m.runId === x.runId)).message).toMatch(/already lasts the most a run may \(8 s\)/);
    c.send({ type: 'stop', runId: x.runId });
    await c.next('run-ended', (m) => m.runId === x.runId);
    c.close();
  });
});

describe('the token stays out of traces', () => {
  it('stars the lab cookie a browser sent to an actor\'s server, in reads, writes and output alike', async () => {
    lab = await startLab();
    const c = await TestClient.open(lab);
    c.send({ type: 'run', req: 't', experiment: 'echo', params: { count: 1, message: 'hi' } });
    const { runId } = await c.next('run-started', (m) => m.req === 't');
    await until(() => c.lines(runId).some((l) => l.type === 'event' && l.kind === 'listen'), 'the echo server to listen');
    const listen = c.lines(runId).find((l) => l.type === 'event' && l.kind === 'listen');
    const port = listen?.type === 'event' && listen.kind === 'listen' ? listen.local.port : 0;
    // What Chromium sends for <img src="http://127.0.0.1:PORT/"> on a page of any loopback origin.
    const request = `GET /x.png HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nCookie: other=1; socketlab-token-${lab.port}=${lab.token}\r\n\r\n`;
    const sock = net.connect(port, '127.0.0.1');
    let echoed = '';
    sock.on('data', (d) => { echoed += d.toString('latin1'); });
    // Written in two pieces that split the token, as TCP may deliver it.
    const cut = request.indexOf(lab.token) + 10;
    sock.write(request.slice(0, cut));
    await until(() => echoed.length >= cut, 'the first piece echoed');
    sock.write(request.slice(cut));
    await until(() => echoed.length >= request.length, 'the whole request echoed');
    sock.end();
    await until(() => c.lines(runId).filter((l) => l.type === 'event' && l.kind === 'stdout' && l.actor === 'server' && /read \d+ B/.test(l.text)).length >= 2, 'the server to print both reads');
    c.send({ type: 'stop', runId });
    await c.next('run-ended', (m) => m.runId === runId);

    const lines = c.lines(runId);
    const text = lines.map((l) => JSON.stringify(l)).join('\n');
    const heads = lines.flatMap((l) => (l.type === 'event' && 'head' in l && typeof l.head === 'string' ? [Buffer.from(l.head, 'base64').toString('latin1')] : []));
    const secretPieces = [lab.token, lab.token.slice(0, 10), lab.token.slice(10)];
    for (const piece of secretPieces) {
      expect(text.includes(piece), `trace text holds ${piece}`).toBe(false);
      for (const h of heads) expect(h.includes(piece), `a head holds ${piece}`).toBe(false);
    }
    // It was there to cut: the server's output shows the starred cookie (byte counts unchanged).
    expect(text).toMatch(/socketlab-token-\d+=\*{10}/);
    expect(echoed).toContain(lab.token); // the echo itself is the program's business, not the trace's
    c.close();
  });
});
