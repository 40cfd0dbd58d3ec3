/**
 * The framing experiments in real Chromium, against real runs: the naive-vs-framed columns, a
 * line typed into the client pane framed and decoded, the Bytes tab's hex view with coloured
 * frames, and the stream-boundaries strip. Screenshots go to test-results/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { browserAvailable, launchBrowser, openExperiment as open, paneTextUnwrapped as paneText, screenshot, shotOf as shot } from '../helpers/browser.js';
import { startLab, type TestLab } from '../helpers/lab-server.js';

describe.skipIf(!browserAvailable)('framing experiments in real Chromium', () => {
  let lab: TestLab;
  let browser: Browser;
  beforeAll(async () => { lab = await startLab(); browser = await launchBrowser(); });
  afterAll(async () => { await browser?.close(); await lab?.close(); });

  it('framing: naive vs framed columns, a typed line framed and decoded, the hex view', async () => {
    const { page, errors } = await open(browser, lab, 'framing');
    await page.locator('#param-framing').selectOption('length-prefix');
    await page.locator('#param-count').fill('5');
    await page.locator('button.run').click();

    const panel = page.locator('.framing-panel');
    // With the slicer on (the default) the naive reader gets reads that are pieces of messages…
    await expect.poll(() => panel.locator('.framing-col.naive li.wrong').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    // …while the length-prefix reader returns the five messages, each marked right.
    await expect.poll(() => panel.locator('.framing-col.framed li .right').count(), { timeout: 20_000 }).toBe(5);
    expect(await panel.locator('.framing-col.framed li .wrong').count()).toBe(0);
    expect(await panel.locator('.framing-summary').innerText()).toMatch(/Length prefix: 5 of 5 messages decoded right/);

    // A line typed into the client pane is framed: the pane shows the exact bytes, 4-byte length first.
    await page.locator('.pane[data-role="client"] .term').click();
    await page.keyboard.type('hello framing');
    await page.keyboard.press('Enter');
    await expect.poll(() => paneText(page, 'client'), { timeout: 15_000 }).toMatch(/sent #5 "hello framing" as 17 B: 00 00 00 0d 68 65 6c 6c 6f/);
    await expect.poll(() => panel.locator('.framing-col.framed li').last().innerText(), { timeout: 15_000 }).toMatch(/hello framing/);
    await expect.poll(() => panel.locator('.framing-col.framed li .right').count()).toBe(6);
    await panel.scrollIntoViewIfNeeded();
    await screenshot(page, 'framing-naive-vs-framed');
    await shot(panel, 'framing-panel');
    await shot(page.locator('.panes'), 'framing-panes');

    // The server's Bytes tab: hex and ASCII, length headers and payloads coloured, read starts marked.
    await page.locator('.pane[data-role="server"] .tabs button', { hasText: 'Bytes' }).click();
    const hex = page.locator('.pane[data-role="server"] .hexview');
    await expect.poll(() => hex.locator('.hex-row').count()).toBeGreaterThan(5);
    await expect.poll(() => hex.locator('.hex-bar button.on').innerText()).toMatch(/received on s\d+ \(\d+ B\)/);
    // Length prefix: 4 header bytes per message, 6 messages.
    await expect.poll(() => hex.locator('.hex-bytes .b.framing').count()).toBe(24);
    await expect.poll(() => hex.locator('.hex-bytes .b.cut').count()).toBeGreaterThan(5);
    // The first header says 00 00 00 08 (">>>1<<< " is 8 bytes).
    expect((await hex.locator('.hex-bytes .b.framing').allInnerTexts()).slice(0, 4)).toEqual(['00', '00', '00', '08']);
    // The client's Bytes tab shows what it sent, framed the same way.
    await page.locator('.pane[data-role="client"] .tabs button', { hasText: 'Bytes' }).click();
    await expect.poll(() => page.locator('.pane[data-role="client"] .hexview .hex-bytes .b.framing').count()).toBe(24);
    await page.locator('.panes').scrollIntoViewIfNeeded();
    await screenshot(page, 'framing-hex-view');
    await shot(page.locator('.panes'), 'framing-panes-bytes');

    await page.locator('button.stop').click();
    await expect.poll(() => page.locator('.run-status').innerText(), { timeout: 15_000 }).toMatch(/ended \(stopped/);
    await expect.poll(() => page.locator('.observations li.held').count(), { timeout: 15_000 }).toBe(3);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('framing: an oversized message gives FRAME_TOO_LARGE in the framed column and the connection is dropped', async () => {
    const { page, errors } = await open(browser, lab, 'framing');
    await page.locator('#param-oversized').check();
    await page.locator('#param-count').fill('4');
    await page.locator('button.run').click();
    const panel = page.locator('.framing-panel');
    await expect.poll(() => panel.locator('.framing-col.framed li.error').innerText(), { timeout: 20_000 }).toMatch(/FRAME_TOO_LARGE at byte \d+ .*dropped the connection/s);
    await expect.poll(() => paneText(page, 'client'), { timeout: 15_000 }).toMatch(/server says: error: FRAME_TOO_LARGE/);
    await screenshot(page, 'framing-oversized');
    await shot(panel, 'framing-panel-oversized');
    await page.locator('button.stop').click();
    await expect.poll(() => page.locator('.run-status').innerText(), { timeout: 15_000 }).toMatch(/ended/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('stream-boundaries: with the slicer, the strip shows writes cut by reads', async () => {
    const { page, errors } = await open(browser, lab, 'stream-boundaries');
    await page.locator('#param-slicer').check();
    // 20 ms between the slicer's pieces: even a reader on a busy machine sees them apart, so some
    // write is certainly split (with 1 ms, a stalled reader can take everything in one read).
    await page.locator('#param-sliceDelayUs').fill('20000');
    await page.locator('button.run').click();
    // A one-shot run: it ends by itself when every program has exited.
    await expect.poll(() => page.locator('.run-status').innerText(), { timeout: 20_000 }).toMatch(/ended \(completed/);
    const panel = page.locator('.boundary-panel');
    await expect.poll(() => panel.locator('.boundary-svg .msg').count()).toBe(10);
    await expect.poll(() => panel.locator('.boundary-svg .msg.split').count()).toBeGreaterThan(0);
    const summary = await panel.locator('.boundary-summary').innerText();
    expect(summary).toMatch(/10 writes arrived as \d+ reads: [1-9]\d* writes were split across reads/);
    // One table row per read (how many depends on the machine: a busy reader merges slicer pieces).
    expect(await panel.locator('.boundary-table tbody tr').count()).toBe(Math.min(200, Number(/as (\d+) reads/.exec(summary)![1])));
    await expect.poll(() => paneText(page, 'server')).toMatch(/read \d+ B: \[#\d+ \d+\.\.\d+\]/);
    await panel.scrollIntoViewIfNeeded();
    await screenshot(page, 'stream-boundaries-slicer');
    await shot(panel, 'stream-boundaries-panel');
    // The reader's Bytes tab, coloured per read (no framing in this experiment).
    await page.locator('.pane[data-role="server"] .tabs button', { hasText: 'Bytes' }).click();
    await expect.poll(() => page.locator('.pane[data-role="server"] .hexview .hex-bytes .b.plain').count()).toBeGreaterThan(100);
    await page.locator('.panes').scrollIntoViewIfNeeded();
    await screenshot(page, 'stream-boundaries-bytes');
    await shot(page.locator('.panes'), 'stream-boundaries-panes-bytes');
    expect(errors).toEqual([]);
    await page.close();
  });
});
