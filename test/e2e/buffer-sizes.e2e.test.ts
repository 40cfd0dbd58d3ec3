import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { browserAvailable, launchBrowser, screenshot } from '../helpers/browser.js';
import { startLab, type TestLab } from '../helpers/lab-server.js';

describe.skipIf(!browserAvailable)('buffer-sizes in real Chromium', () => {
  let lab: TestLab;
  let browser: Browser;
  beforeAll(async () => { lab = await startLab(); browser = await launchBrowser(); });
  afterAll(async () => { await browser?.close(); await lab?.close(); });

  it('sweeps three sizes and shows the table and the chart from the real runs', async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1100 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${lab.base}/?token=${lab.token}`);
    await page.locator('.catalog button[data-experiment="buffer-sizes"]').click();
    await page.locator('#param-sizes').fill('auto,4096,65536');
    await page.locator('button.run').click();
    // The run ends by itself once both programs have measured every size.
    await expect.poll(() => page.locator('.run-status').innerText(), { timeout: 60_000 }).toMatch(/ended \(completed/);
    const rows = page.locator('.sweep-table tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    // Asked vs kept, as the kernel reported it, and a bar per size in the chart.
    await expect.poll(() => page.locator('.sweep-table tr[data-size="4096"]').innerText()).toMatch(/4,096 → 8,192 B/);
    expect(await page.locator('.sweep-svg rect.stopped').count()).toBe(3);
    expect(await page.locator('.sweep-table tr[data-size="auto"] .sharebar > span').count()).toBe(4);
    await expect.poll(() => page.locator('.observations li.held').count()).toBe(5);
    await page.locator('.sweep-panel').scrollIntoViewIfNeeded();
    await screenshot(page, 'buffer-sizes');
    await page.locator('.sweep-panel').screenshot({ path: 'test-results/buffer-sizes-panel.png' });
    expect(errors).toEqual([]);
    await page.close();
  });
});
