/**
 * The "Beyond TCP" experiments in real Chromium, against real runs: udp (boundaries beside TCP,
 * the kernel's drop count), unix (file, leftover, abstract name, queues in the kernel view),
 * websocket (upgrade, accept key, decoded frames) and proxy (a toxic switched on live, the stall
 * through both legs). Each leaves a full-page and a panel screenshot in test-results/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { browserAvailable, launchBrowser, openExperiment as open, paneTextUnwrapped as paneText, screenshot, shotOf as shot } from '../helpers/browser.js';
import { startLab, type TestLab } from '../helpers/lab-server.js';

async function stop(page: Page): Promise<void> {
  await page.locator('button.stop').click();
  await expect.poll(() => page.locator('.run-status').innerText(), { timeout: 20_000 }).toMatch(/ended/);
}

async function ended(page: Page): Promise<void> {
  await expect.poll(() => page.locator('.run-status').innerText(), { timeout: 40_000 }).toMatch(/ended/);
}

describe.skipIf(!browserAvailable)('Beyond TCP in real Chromium', () => {
  let lab: TestLab;
  let browser: Browser;
  beforeAll(async () => { lab = await startLab(); browser = await launchBrowser(); });
  afterAll(async () => { await browser?.close(); await lab?.close(); });

  it('udp: K datagrams as K reads beside TCP\'s merged reads; the flood with the kernel\'s drop count; the errors', async () => {
    const { page, errors } = await open(browser, lab, 'udp');
    await page.locator('#param-floodCount').fill('1000');
    await page.locator('button.run').click();
    const panel = page.locator('.udp-panel');
    await ended(page);
    await expect.poll(() => panel.innerText(), { timeout: 20_000 }).toMatch(/UDP: sent 10 × 1024 B → the server’s reads returned 10 × 1024 B/);
    const text = await panel.innerText();
    expect(text).toMatch(/TCP, beside it: 10 × 1024 B written → \d+ reads/);
    expect(text).toMatch(/ECONNREFUSED, reported by recvmsg\(\)/);
    expect(text).toMatch(/65,508 B: refused at once, EMSGSIZE/);
    // The drop counter is a number from the kernel, not a question mark.
    const drops = await panel.locator('.btcp-figure.drop .big').innerText();
    expect(drops).toMatch(/^[\d,]+$/);
    expect(Number(drops.replace(/,/g, ''))).toBeGreaterThan(0);
    expect(await paneText(page, 'sink')).toMatch(/SO_RCVBUF: asked 4096 B, the kernel keeps 8192 B/);
    await expect.poll(() => page.locator('.observations li.held').count()).toBe(6);
    await screenshot(page, 'udp');
    await shot(panel, 'udp-panel');
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it('unix: the socket file, the leftover cleanup, the abstract name and the one queue in the kernel view', async () => {
    const { page, errors } = await open(browser, lab, 'unix');
    await page.locator('button.run').click();
    const panel = page.locator('.unix-panel');
    await expect.poll(() => panel.locator('.btcp-steps li.done').count(), { timeout: 30_000 }).toBe(5);
    await expect.poll(() => panel.innerText(), { timeout: 30_000 }).toMatch(/in the reader’s receive queue/);
    const text = await panel.innerText();
    expect(text).toMatch(/srwx/);
    expect(text).toMatch(/@socket-lab-[0-9a-f]+ \+ \d+ NUL bytes/);
    // The kernel view draws the Unix connection as a pipeline, named by inode.
    await expect.poll(() => page.locator('.pipeline[data-writer="client"][data-reader="server"]').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    await expect.poll(() => page.locator('.kernel-sockets tr[data-key^="unix:"]').count()).toBeGreaterThan(2);
    await expect.poll(() => page.locator('.observations li.held').count(), { timeout: 20_000 }).toBe(5);
    // Pictures while it is live: the queue full, the reader reading 7 bytes a second.
    await screenshot(page, 'unix');
    await shot(panel, 'unix-panel');
    await shot(page.locator('.pipelines'), 'unix-pipeline');
    await stop(page);
    await expect.poll(() => page.locator('.observations li.held').count()).toBe(5);
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it('websocket: the upgrade, the accept key computed step by step, every frame decoded', async () => {
    const { page, errors } = await open(browser, lab, 'websocket');
    await page.locator('button.run').click();
    await ended(page);
    const panel = page.locator('.ws-panel');
    await expect.poll(() => panel.locator('.btcp-accept').innerText(), { timeout: 20_000 }).toMatch(/✓ matches/);
    expect(await panel.locator('.btcp-head .hl').first().innerText()).toMatch(/^Sec-WebSocket-Key: [A-Za-z0-9+/]{22}==$/);
    const frames = await panel.locator('.ws-frames tbody tr').allInnerTexts();
    expect(frames.length).toBe(13);
    expect(frames.join('\n')).toMatch(/127 \+ 64-bit/);
    expect(frames.join('\n')).toMatch(/0x9 ping/);
    expect(frames.join('\n')).toMatch(/0xa pong/);
    expect(frames.join('\n')).toMatch(/code 1000 “done”/);
    await expect.poll(() => page.locator('.observations li.held').count()).toBe(7);
    await screenshot(page, 'websocket');
    await shot(panel, 'websocket-panel');
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it('proxy: the tee on the proxy\'s pane, a toxic switched on live, the stall through both legs', async () => {
    const { page, errors } = await open(browser, lab, 'proxy');
    await page.locator('button.run').click();
    await expect.poll(() => paneText(page, 'proxy'), { timeout: 20_000 }).toMatch(/c→s +\d+ B +3e 3e 3e/);
    // Switch latency on while the run is live: the proxy says so and the panel lists it.
    await page.locator('button[data-control="toxic-latency"]').click();
    const panel = page.locator('.proxy-panel');
    await expect.poll(() => panel.locator('.btcp-table').innerText(), { timeout: 15_000 }).toMatch(/latency\s+on/);
    await expect.poll(() => paneText(page, 'proxy'), { timeout: 15_000 }).toMatch(/toxic latency on/);
    await expect.poll(() => panel.locator('.btcp-steps li.done').count(), { timeout: 30_000 }).toBe(5);
    expect(await panel.locator('.btcp-chart').count()).toBe(1);
    // Both legs in the kernel view.
    expect(await page.locator('.pipeline[data-writer="client"][data-reader="proxy"]').count()).toBeGreaterThan(0);
    expect(await page.locator('.pipeline[data-writer="proxy"][data-reader="server"]').count()).toBeGreaterThan(0);
    await screenshot(page, 'proxy');
    await shot(panel, 'proxy-panel');
    await stop(page);
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);
});
