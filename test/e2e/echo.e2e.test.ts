import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { browserAvailable, launchBrowser, paneText, screenshot } from '../helpers/browser.js';
import { startLab, type TestLab } from '../helpers/lab-server.js';

describe.skipIf(!browserAvailable)('echo in real Chromium', () => {
  let lab: TestLab;
  let browser: Browser;
  beforeAll(async () => { lab = await startLab(); browser = await launchBrowser(); });
  afterAll(async () => { await browser?.close(); await lab?.close(); });

  it('runs echo; "hello" typed into the client pane reaches the server pane and comes back', async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${lab.base}/?token=${lab.token}`);
    expect(page.url()).toBe(`${lab.base}/`); // the token left the address bar
    await page.locator('.catalog button[data-experiment="echo"]').click();
    await page.locator('#param-count').fill('1');
    await page.locator('button.run').click();
    await expect.poll(() => paneText(page, 'client'), { timeout: 15_000 }).toMatch(/echo \d+ B: "hello, socket lab #1\\n"/);
    await page.locator('.pane[data-role="client"] .term').click();
    await page.keyboard.type('hello');
    await page.keyboard.press('Enter');
    await expect.poll(() => paneText(page, 'server'), { timeout: 15_000 }).toMatch(/read 6 B: "hello\\n"/);
    await expect.poll(() => paneText(page, 'client'), { timeout: 15_000 }).toMatch(/echo 6 B: "hello\\n"/);
    // The pane header shows the real process and socket.
    const header = await page.locator('.pane[data-role="client"] header').innerText();
    expect(header).toMatch(/pid \d+/);
    expect(header).toMatch(/local 127\.0\.0\.1:\d+/);
    expect(header).toMatch(/remote 127\.0\.0\.1:\d+/);
    await expect.poll(() => page.locator('.events').innerText()).toMatch(/accept from 127\.0\.0\.1/);
    await screenshot(page, 'echo-live');
    await page.locator('button.stop').click();
    await expect.poll(() => page.locator('.run-status').innerText(), { timeout: 15_000 }).toMatch(/ended \(stopped/);
    await expect.poll(() => page.locator('.observations li.held').count()).toBe(3);
    await screenshot(page, 'echo-stopped');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('refuses a wrong token', async () => {
    const page = await browser.newPage();
    const res = await page.goto(`${lab.base}/?token=wrong`);
    expect(res?.status()).toBe(401);
    expect(await page.locator('body').innerText()).toMatch(/Unauthorized: wrong token/);
    await screenshot(page, 'wrong-token');
    await page.close();
  });

  it('refuses a WebSocket opened by a page from a foreign Origin, even with the token', async () => {
    // A page on another origin (another loopback port) tries to drive the lab.
    const evil = http.createServer((_req, res) => { res.writeHead(200, { 'Content-Type': 'text/html' }); res.end('<p>evil</p>'); });
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
    const evilPort = (evil.address() as { port: number }).port;
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${evilPort}/`);
    const outcome = await page.evaluate(async (url) => new Promise<string>((resolve) => {
      const ws = new WebSocket(url);
      ws.onopen = () => resolve('open');
      ws.onerror = () => resolve('refused');
    }), `ws://127.0.0.1:${lab.port}/ws?token=${lab.token}`);
    expect(outcome).toBe('refused');
    await page.close();
    await new Promise((r) => evil.close(r));
  });
});
