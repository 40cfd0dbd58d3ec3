/**
 * What a page on another loopback port can do to a lab open in the same browser (Chromium, for
 * real): it cannot frame the lab, an <img> with a target that is not a URL does not end it, and
 * an <img> pointed at an actor's server hands that server the lab's cookie, but the token never
 * reaches the run's trace.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { browserAvailable, launchBrowser } from '../helpers/browser.js';
import { startLab, TestClient, type TestLab } from '../helpers/lab-server.js';
import http from 'node:http';

let lab: TestLab;
let browser: Browser;
let attacker: { base: string; close(): Promise<void> } | null = null;
const logged: string[] = [];

beforeAll(async () => {
  lab = await startLab({ log: (l) => logged.push(l) });
  if (browserAvailable) browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await attacker?.close();
  await lab.close();
});

async function until(cond: () => boolean, what: string, maxMs = 15_000): Promise<void> {
  for (let t = 0; t < maxMs && !cond(); t += 20) await new Promise((r) => setTimeout(r, 20));
  if (!cond()) throw new Error(`timed out waiting for ${what}`);
}

describe.runIf(browserAvailable)('a page on another loopback port', () => {
  it('cannot frame the lab, cannot end it with odd targets, and cannot get the token into a trace', async () => {
    const context = await browser.newContext();
    // The student's lab tab: trades the token for the cookie and connects.
    const labPage = await context.newPage();
    await labPage.goto(`${lab.base}/?token=${lab.token}`);
    await labPage.locator('.conn.open').waitFor();
    await until(() => lab.server.connectionCount === 1, 'the lab tab to connect');

    // A run with a server the attacker page can point at.
    const c = await TestClient.open(lab);
    c.send({ type: 'run', req: 'e', experiment: 'echo', params: { count: 1, message: 'hi' } });
    const { runId } = await c.next('run-started', (m) => m.req === 'e');
    await until(() => c.lines(runId).some((l) => l.type === 'event' && l.kind === 'listen'), 'the echo server to listen');
    const listen = c.lines(runId).find((l) => l.type === 'event' && l.kind === 'listen');
    const echoPort = listen?.type === 'event' && listen.kind === 'listen' ? listen.local.port : 0;
    const connectionsBefore = lab.server.connectionCount; // the lab tab and the test client

    const page = `<!doctype html><html><body>
      <iframe id="frame" src="${lab.base}/" width="600" height="400"></iframe>
      ${['//', '///', '//a:b', '//%zz', '/\\'].map((t) => `<img src="${lab.base}${t}">`).join('\n')}
      <img id="leak" src="http://127.0.0.1:${echoPort}/x.png">
    </body></html>`;
    // The attacker: any page served from another port of this machine.
    const server = http.createServer((_req, res) => { res.writeHead(200, { 'Content-Type': 'text/html' }); res.end(page); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const evilPort = (server.address() as { port: number }).port;
    attacker = { base: `http://127.0.0.1:${evilPort}`, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };

    const evil = await context.newPage();
    const blocked: string[] = [];
    evil.on('console', (m) => { if (/frame|X-Frame-Options|frame-ancestors/i.test(m.text())) blocked.push(m.text()); });
    await evil.goto(`${attacker.base}/`);
    // The echo server got the browser's request, cookie and all.
    await until(() => c.lines(runId).some((l) => l.type === 'event' && l.kind === 'stdout' && l.actor === 'server' && l.text.includes('GET /x.png')), 'the echo server to read the <img> request', 20_000);

    // The frame never loaded the lab: no lab UI inside it, and no new WebSocket to the lab.
    const frame = evil.frames().find((f) => f !== evil.mainFrame());
    const framedRoot = await frame?.evaluate(() => document.querySelector('#root') !== null).catch(() => false);
    expect(framedRoot).toBe(false);
    expect(lab.server.connectionCount).toBe(connectionsBefore);
    expect(blocked.length).toBeGreaterThan(0);

    // The lab is up, answered every odd target without a handler failing, and the trace holds no token.
    const health = await fetch(`${lab.base}/api/health`, { headers: { authorization: `token ${lab.token}` } });
    expect(health.status).toBe(200);
    expect(logged).toEqual([]);
    c.send({ type: 'stop', runId });
    await c.next('run-ended', (m) => m.runId === runId);
    const text = c.lines(runId).map((l) => JSON.stringify(l)).join('\n');
    expect(text).toContain(`socketlab-token-${lab.port}=`);
    for (let i = 0; i + 10 <= lab.token.length; i++) expect(text.includes(lab.token.slice(i, i + 10))).toBe(false);
    for (const l of c.lines(runId)) {
      if (l.type === 'event' && 'head' in l && typeof l.head === 'string') expect(Buffer.from(l.head, 'base64').toString('latin1')).not.toContain(lab.token.slice(0, 10));
    }
    c.close();
    await context.close();
  });
});
