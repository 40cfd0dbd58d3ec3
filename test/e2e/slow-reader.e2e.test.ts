import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { browserAvailable, launchBrowser, paneText, screenshot } from '../helpers/browser.js';
import { startLab, type TestLab } from '../helpers/lab-server.js';

describe.skipIf(!browserAvailable)('slow-reader in real Chromium', () => {
  let lab: TestLab;
  let browser: Browser;
  beforeAll(async () => { lab = await startLab(); browser = await launchBrowser(); });
  afterAll(async () => { await browser?.close(); await lab?.close(); });

  it('shows the zero window, then "Read everything now" reopens it and the writer resumes', async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1200 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${lab.base}/?token=${lab.token}`);
    await page.locator('.catalog button[data-experiment="slow-reader"]').click();
    // Only the button should reopen the window in this run.
    await page.locator('#param-readAllAfterMs').fill('0');
    await page.locator('button.run').click();

    const obs = (id: string) => page.locator(`.observations li[data-observation="${id}"]`);
    await expect.poll(() => obs('zero-window').getAttribute('class'), { timeout: 30_000 }).toBe('held');
    // Let the story play a little: probes backing off, several 7-byte reads that change nothing.
    await expect.poll(() => obs('probes').getAttribute('class'), { timeout: 30_000 }).toBe('held');
    await expect.poll(() => obs('slow-reads-keep-window-shut').getAttribute('class'), { timeout: 30_000 }).toBe('held');
    expect(await paneText(page, 'reader')).toMatch(/^7 >>>1<<< /m);
    expect(await paneText(page, 'writer')).toMatch(/write #\d[\d,]* returned false/);
    expect(await obs('reopen').getAttribute('class')).toBe('pending');
    await screenshot(page, 'slow-reader-zero-window');

    await page.locator('button[data-control="read-all"]').click();
    await expect.poll(() => obs('reopen').getAttribute('class'), { timeout: 30_000 }).toBe('held');
    // At once, while the reader still drains (1 s) and the writer races ahead.
    await screenshot(page, 'slow-reader-resumed');
    await expect.poll(() => paneText(page, 'writer'), { timeout: 15_000 }).toMatch(/'drain' after [\d.]+ s blocked; writing again/);
    await expect.poll(() => paneText(page, 'reader'), { timeout: 15_000 }).toMatch(/reading everything for 1000 ms/);
    // The checklist says what happened: the window reopened and the long wait (seconds) ended.
    expect(await obs('reopen').locator('.detail').innerText()).toMatch(/window 0 → [\d,.]+ (B|KiB) .*’drain’ at [\d.]+ s after [1-9][\d.]* s blocked/);

    await page.locator('button.stop').click();
    await expect.poll(() => page.locator('.run-status').innerText(), { timeout: 15_000 }).toMatch(/ended \(stopped/);
    await expect.poll(() => page.locator('.observations li.held').count()).toBe(7);
    expect(errors).toEqual([]);
    await page.close();
  });
});
