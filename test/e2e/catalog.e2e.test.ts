/**
 * The whole catalog in real Chromium: every registered experiment is listed, opens, runs with its
 * defaults, and is stopped; one screenshot each (test-results/catalog-<id>.png).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { experiments } from '../../server/experiments/index.js';
import { browserAvailable, launchBrowser, screenshot } from '../helpers/browser.js';
import { startLab, type TestLab } from '../helpers/lab-server.js';

/** How long each run is watched before the screenshot: long enough for something to happen. */
const WATCH_MS = 3000;

describe.skipIf(!browserAvailable)('the catalog in real Chromium', () => {
  let lab: TestLab;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  beforeAll(async () => {
    lab = await startLab();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1600, height: 1100 } });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${lab.base}/?token=${lab.token}`);
  });
  afterAll(async () => { await browser?.close(); await lab?.close(); });

  it('lists every registered experiment, under its group', async () => {
    await expect.poll(() => page.locator('.catalog button[data-experiment]').count(), { timeout: 15_000 }).toBe(experiments.length);
    const listed = await page.locator('.catalog button[data-experiment]').evaluateAll((bs) => bs.map((b) => b.getAttribute('data-experiment')));
    expect([...listed].sort()).toEqual(experiments.map((e) => e.id).sort());
    const groups = await page.locator('.catalog h3').allInnerTexts();
    expect(new Set(groups)).toEqual(new Set(experiments.map((e) => e.group)));
  });

  it.each(experiments.map((e) => [e.id, e] as const))('%s opens, runs and stops', async (id, exp) => {
    await page.locator(`.catalog button[data-experiment="${id}"]`).click();
    await expect.poll(() => page.locator('.exp-head h2').innerText()).toBe(exp.title);
    await page.locator('button.run').click();
    // Running: the lab started the programs (their spawn is in the event list).
    await expect.poll(() => page.locator('.events').innerText(), { timeout: 20_000 }).toMatch(/spawn pid \d+/);
    await page.waitForTimeout(WATCH_MS);
    await screenshot(page, `catalog-${id}`);
    const status = page.locator('.run-status');
    if ((await status.getAttribute('data-live')) === 'yes') await page.locator('button.stop').click();
    await expect.poll(() => status.innerText(), { timeout: 20_000 }).toMatch(/^ended \((completed|stopped)/);
    expect(await page.locator('.error-banner').count()).toBe(0);
    expect(errors).toEqual([]);
  }, 60_000);
});

describe.skipIf(!browserAvailable)('More-TCP panels in real Chromium', () => {
  let lab: TestLab;
  let browser: Browser;
  beforeAll(async () => { lab = await startLab(); browser = await launchBrowser(); });
  afterAll(async () => { await browser?.close(); await lab?.close(); });

  it('the address panel parses what is typed, like Go’s ParseIP', async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1100 } });
    await page.goto(`${lab.base}/?token=${lab.token}`);
    await page.locator('.catalog button[data-experiment="addresses"]').click();
    const input = page.locator('.addr-input input');
    await input.fill('127.0.0.1');
    await expect.poll(() => page.locator('.addr-parsed').innerText()).toMatch(/IPv4 · loopback/);
    expect(await page.locator('.addr-parsed .addr-byte').allInnerTexts()).toEqual([...'00 00 00 00 00 00 00 00 00 00 ff ff 7f 00 00 01'.split(' '), '7f', '00', '00', '01']);
    await input.fill('::FFFF:10.0.0.1');
    await expect.poll(() => page.locator('.addr-parsed').innerText()).toMatch(/IPv4-mapped IPv6[\s\S]*Go String\(\)\s*10\.0\.0\.1[\s\S]*inet_ntop \(Node\)\s*::ffff:10\.0\.0\.1/);
    await input.fill('010.0.0.1');
    await expect.poll(() => page.locator('.addr-invalid').innerText()).toMatch(/leading zero/);
    // After a run, the addresses the sockets used are listed and can be picked.
    await input.fill('::1');
    await page.locator('button.run').click();
    await expect.poll(() => page.locator('.addr-seen').innerText(), { timeout: 20_000 }).toMatch(/::ffff:127\.0\.0\.1\s+IPv4-mapped IPv6/);
    await expect.poll(() => page.locator('.addr-listeners').innerText(), { timeout: 20_000 }).toMatch(/\[::ffff:127\.0\.0\.1\]:\d+ \(IPv6\)/);
    await page.locator('.addr-panel').screenshot({ path: 'test-results/addresses-panel.png' });
    if ((await page.locator('.run-status').getAttribute('data-live')) === 'yes') await page.locator('button.stop').click();
    await expect.poll(() => page.locator('.run-status').innerText(), { timeout: 20_000 }).toMatch(/^ended/);
    await page.close();
  });

  it('backlog: the queue gauge fills from kernel samples; “Accept all” drains it', async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1100 } });
    await page.goto(`${lab.base}/?token=${lab.token}`);
    await page.locator('.catalog button[data-experiment="backlog"]').click();
    await page.locator('#param-acceptAfterMs').fill('0');
    await page.locator('button.run').click();
    await expect.poll(() => page.locator('.backlog-panel').innerText(), { timeout: 20_000 }).toMatch(/waiting for accept\(\): 3 \(Recv-Q\) · limit 2 \(Send-Q\)/);
    await expect.poll(() => page.locator('.backlog-slot.full').count()).toBe(3);
    await expect.poll(() => page.locator('.backlog-panel').innerText(), { timeout: 20_000 }).toMatch(/still in SYN_SENT: 3 \(SYN sent again up to [1-9]/);
    await page.locator('.backlog-panel').screenshot({ path: 'test-results/backlog-panel-full.png' });
    await page.locator('button[data-control="accept"]').click();
    await expect.poll(() => page.locator('.backlog-panel').innerText(), { timeout: 20_000 }).toMatch(/waiting for accept\(\): 0 \(Recv-Q\)/);
    await expect.poll(() => page.locator('.backlog-panel').innerText(), { timeout: 20_000 }).toMatch(/clients established: 6 · still in SYN_SENT: 0/);
    await page.locator('button.stop').click();
    await expect.poll(() => page.locator('.run-status').innerText(), { timeout: 20_000 }).toMatch(/^ended/);
    await page.close();
  });
});
