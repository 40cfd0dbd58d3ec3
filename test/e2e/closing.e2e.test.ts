/**
 * The Closing views in real Chromium: the linger comparison (one run per setting, side by side)
 * and the ladder with captured segments (rows and time layouts, zoom, cursor).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { browserAvailable, launchBrowser, screenshot } from '../helpers/browser.js';
import { startLab, type TestLab } from '../helpers/lab-server.js';

/** The cell of the comparison table in row `rowLabel` and the column whose header starts with `col`. */
async function cell(page: Page, rowLabel: string, col: string): Promise<string> {
  return page.evaluate(([rowLabel, col]) => {
    const table = document.querySelector('.linger-table')!;
    const heads = [...table.querySelectorAll('thead th')].map((th) => th.querySelector('button')?.textContent ?? '');
    const ci = heads.findIndex((h) => h.startsWith(col!));
    const row = [...table.querySelectorAll('tbody tr')].find((tr) => tr.querySelector('th')?.textContent === rowLabel);
    if (ci < 0 || !row) return `missing (${ci}, ${Boolean(row)})`;
    return row.children[ci]!.textContent ?? '';
  }, [rowLabel, col] as const);
}

describe.skipIf(!browserAvailable)('Closing views in real Chromium', () => {
  let lab: TestLab;
  let browser: Browser;
  beforeAll(async () => { lab = await startLab(); browser = await launchBrowser(); });
  afterAll(async () => { await browser?.close(); await lab?.close(); });

  it('runs every linger setting side by side and shows what Linux did in each', async () => {
    const page = await browser.newPage({ viewport: { width: 1700, height: 1200 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${lab.base}/?token=${lab.token}`);
    await page.locator('.catalog button[data-experiment="linger"]').click();
    await page.locator('#param-pauseMs').fill('1500');
    await page.locator('#param-closeAfterMs').fill('300');
    await page.locator('#param-lingerSeconds').fill('1');
    await page.locator('[data-testid="linger-compare"]').click();
    // Five runs, at most four at a time: wait until every column says it ended.
    await expect.poll(() => page.locator('.linger-table thead th .linger-status').allInnerTexts(), { timeout: 90_000, interval: 500 })
      .toEqual(Array(5).fill('ended (completed)'));
    expect(await cell(page, 'the reader saw', 'SO_LINGER 0 · destroy()')).toMatch(/ECONNRESET/);
    expect(await cell(page, 'the reader finally read', 'SO_LINGER 0 · destroy()')).toMatch(/dropped by the kernel \(RST\)/);
    expect(await cell(page, 'the reader finally read', 'no SO_LINGER · end()')).toMatch(/\(all\)/);
    const stalled = await cell(page, 'close call stalled the writer', 'SO_LINGER 1 s · destroy()');
    expect(Number(/([\d.]+) ms/.exec(stalled)?.[1])).toBeGreaterThanOrEqual(800);
    const wire = await cell(page, 'writer sent (capture)', 'SO_LINGER 0 · destroy()');
    const capture = await cell(page, 'writer sent (capture)', 'no SO_LINGER · destroy()');
    if (!/capture off/.test(wire)) {
      expect(wire).toMatch(/^RST/);
      expect(capture).toMatch(/^FIN/);
    } else if (process.env.CI === 'true') throw new Error('capture is off in CI');
    await screenshot(page, 'linger-comparison');

    // A column's ladder: the RST arrow of SO_LINGER 0.
    await page.locator('.linger-table thead th button', { hasText: 'SO_LINGER 0 · destroy()' }).click();
    await expect.poll(() => page.locator('.ladder-compare .row').count()).toBeGreaterThan(3);
    if (!/capture off/.test(wire)) expect(await page.locator('.ladder-compare .packet.tone-rst').count()).toBeGreaterThanOrEqual(1);
    await page.locator('.linger-compare').screenshot({ path: 'test-results/linger-comparison-ladder.png' });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('draws captured segments on the ladder, in rows and in time, zooms, and follows a pinned cursor', async () => {
    const page = await browser.newPage({ viewport: { width: 1700, height: 1300 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${lab.base}/?token=${lab.token}`);
    await page.locator('.catalog button[data-experiment="close-wait"]').click();
    await page.locator('#param-clients').fill('2');
    await page.locator('#param-intervalMs').fill('300');
    await page.locator('#param-writeAfterMs').fill('600');
    await page.locator('button.run').click();
    await expect.poll(() => page.locator('.run-status').innerText(), { timeout: 30_000 }).toMatch(/ended/);
    const ladder = page.locator('section.ladder');
    const captured = (await ladder.locator('.packet').count()) > 0;
    if (captured) {
      expect(await ladder.locator('.packet.tone-syn').count()).toBeGreaterThanOrEqual(2);
      expect(await ladder.locator('.packet.tone-rst').count()).toBe(2);
      expect(await ladder.locator('.packet.tone-fin').count()).toBeGreaterThanOrEqual(2);
    } else {
      if (process.env.CI === 'true') throw new Error('no packets on the ladder in CI');
      await expect.poll(() => ladder.locator('.ladder-capture-off').innerText()).toMatch(/capture is off/);
    }
    // Program calls are on the ladder too: the failed second write.
    expect(await ladder.locator('.row.k-error').count()).toBeGreaterThanOrEqual(2);
    await ladder.screenshot({ path: 'test-results/ladder-rows.png' });

    // Time layout: fit, then zoom in; the scale label changes.
    await ladder.locator('button', { hasText: 'Time' }).click();
    const scale1 = await ladder.locator('.ladder-scale').innerText();
    await ladder.locator('button[aria-label="Zoom in"]').click();
    await ladder.locator('button[aria-label="Zoom in"]').click();
    expect(await ladder.locator('.ladder-scale').innerText()).not.toBe(scale1);
    await ladder.screenshot({ path: 'test-results/ladder-time-zoomed.png' });

    // Click a row: the cursor pins there; the ladder marks it and dims what comes after.
    await ladder.locator('button', { hasText: 'Rows' }).click();
    const target = captured ? ladder.locator('.packet.tone-rst').first() : ladder.locator('.row.k-error').first();
    await target.dispatchEvent('click');
    await expect.poll(() => ladder.locator('.ladder-cursor').count()).toBe(1);
    expect(await ladder.locator('g[opacity="0.3"]').count()).toBeGreaterThan(0);
    await screenshot(page, 'ladder-cursor');
    expect(errors).toEqual([]);
    await page.close();
  });
});
