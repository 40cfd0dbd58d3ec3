import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { browserAvailable, launchBrowser, paneText, screenshot } from '../helpers/browser.js';
import { startLab, type TestLab } from '../helpers/lab-server.js';

const num = (s: string) => Number(s.replace(/[^\d]/g, ''));

describe.skipIf(!browserAvailable)('write-deadline in real Chromium', () => {
  let lab: TestLab;
  let browser: Browser;
  beforeAll(async () => { lab = await startLab(); browser = await launchBrowser(); });
  afterAll(async () => { await browser?.close(); await lab?.close(); });

  it('shows who had the bytes when the deadline fired: wrote > kernel took = reader got', async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1100 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${lab.base}/?token=${lab.token}`);
    await page.locator('.catalog button[data-experiment="write-deadline"]').click();
    await page.locator('#param-writeDeadlineMs').fill('1000');
    await page.locator('#param-busyMs').fill('2500');
    await page.locator('button.run').click();
    await expect.poll(() => page.locator('.run-status').innerText(), { timeout: 30_000 }).toMatch(/ended \(completed/);
    await expect.poll(() => page.locator('.observations li.held').count()).toBe(5);
    const value = (row: string) => page.locator(`.deadline-bars li[data-row="${row}"] .value`).innerText();
    const handed = num(await value('atDeadline'));
    const kernel = num(await value('kernel'));
    const got = num(await value('got'));
    expect(handed).toBeGreaterThan(kernel);
    expect(got).toBe(kernel);
    expect(await page.locator('.deadline-note').innerText()).toMatch(/destroy\(\) threw away [\d,]+ B/);
    expect(await paneText(page, 'writer')).toMatch(/write deadline exceeded after 1000 ms/);
    await page.locator('.deadline-panel').scrollIntoViewIfNeeded();
    await page.locator('.deadline-panel').screenshot({ path: 'test-results/write-deadline-panel.png' });
    await screenshot(page, 'write-deadline');
    expect(errors).toEqual([]);
    await page.close();
  });
});
