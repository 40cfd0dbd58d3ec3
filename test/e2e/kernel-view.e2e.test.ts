/**
 * The kernel view in real Chromium, against real runs: the pipeline's gauges, the TCP state
 * badges and the kernel sockets table, from the kernel observer's samples and the actors' Node-side
 * reports. Screenshots go to test-results/.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { browserAvailable, launchBrowser, resultsDir, screenshot } from '../helpers/browser.js';
import { startLab, type TestLab } from '../helpers/lab-server.js';
import { startStatic } from '../helpers/static-server.js';
import { projectRoot, webDistDir } from '../../server/run/paths.js';
import { findExperiment } from '../../server/experiments/index.js';
import { kernelPlugin } from '../../server/run/kernel-plugin.js';
import { Run } from '../../server/run/run.js';

const linux = process.platform === 'linux';
const slowReaderBuilt = existsSync(path.join(projectRoot, 'dist/server/experiments/slow-reader/index.js'));

/** Bytes shown in a stage's big figure ("2,304 B (2.3 KiB)" → 2304), or NaN. */
async function stageBytes(page: Page, selector: string): Promise<number> {
  const text = await page.locator(selector).first().innerText().catch(() => '');
  const m = /([\d,]+) B/.exec(text);
  return m ? Number(m[1]!.replace(/,/g, '')) : NaN;
}

describe.skipIf(!browserAvailable || !linux)('kernel view in real Chromium', () => {
  let lab: TestLab;
  let browser: Browser;
  beforeAll(async () => { lab = await startLab(); browser = await launchBrowser(); });
  afterAll(async () => { await browser?.close(); await lab?.close(); });

  it('echo: a pipeline per direction, ESTABLISHED badges while live, the states after close once stopped', async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1200 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${lab.base}/?token=${lab.token}`);
    await page.locator('.catalog button[data-experiment="echo"]').click();
    await page.locator('#param-count').fill('2');
    await page.locator('#param-intervalMs').fill('100');
    await page.locator('button.run').click();

    // Both directions carried the echo: client → server and server → client.
    await expect.poll(() => page.locator('.pipeline').count(), { timeout: 15_000 }).toBe(2);
    const toServer = page.locator('.pipeline[data-writer="client"][data-reader="server"]');
    await expect.poll(() => toServer.locator('.stage').last().innerText(), { timeout: 15_000 }).toMatch(/server s\d+ read\s+\S*\s*(\d+) B/);
    // Node-side figures: the server's Node buffer is flowing (the echo server reads as data arrives).
    await expect.poll(() => toServer.locator('.stage').nth(5).innerText()).toMatch(/flowing/);
    // The pane header's kernel badge and the sockets table show the live connection.
    await expect.poll(() => page.locator('.pane[data-role="client"] .tcp-badge').innerText(), { timeout: 15_000 }).toBe('ESTABLISHED');
    await expect.poll(() => page.locator('.kernel-sockets tr[data-state="LISTEN"]').count()).toBe(1);
    await expect.poll(() => page.locator('.kernel-sockets tr[data-state="ESTABLISHED"]').count()).toBe(2);
    await expect.poll(() => page.locator('.kernel-chart canvas').count()).toBeGreaterThan(0);
    await screenshot(page, 'kernel-view-echo-live');

    await page.locator('button.stop').click();
    await expect.poll(() => page.locator('.run-status').innerText(), { timeout: 15_000 }).toMatch(/ended \(stopped/);
    // After the processes exit the kernel still holds one end in TIME_WAIT (or freed them both):
    // no ESTABLISHED socket is left.
    await expect.poll(() => page.locator('.kernel-sockets tr[data-state="ESTABLISHED"]').count()).toBe(0);
    const states = await page.locator('.kernel-sockets tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-state')).filter(Boolean));
    expect(states.length).toBeGreaterThanOrEqual(3);
    expect(states.every((s) => ['TIME_WAIT', 'GONE', 'FIN_WAIT2', 'LAST_ACK', 'CLOSE', 'FIN_WAIT1', 'CLOSING', 'CLOSE_WAIT'].includes(s!))).toBe(true);
    await screenshot(page, 'kernel-view-echo-stopped');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a trace without a kernel view says why in place, and still shows the Node-side figures', async () => {
    // A real echo run whose kernel plugin reports itself off, as it does on macOS or Windows.
    const run = new Run({ experiment: findExperiment('echo')!, params: { count: 2, intervalMs: 50 }, durationMs: 3000, plugins: [kernelPlugin({ platform: 'darwin' })] });
    const ended = new Promise((r) => run.once('end', r));
    await run.start();
    await ended;
    // What the programs did, from the trace: the page must show exactly these figures.
    const total = (kind: 'write' | 'data', actor: string) =>
      run.lines.reduce((n, l) => n + (l.type === 'event' && l.kind === kind && l.actor === actor ? l.bytes : 0), 0);
    const wrote = total('write', 'client');
    expect(wrote).toBeGreaterThan(0);
    expect(total('data', 'server')).toBe(wrote);
    const file = path.join(resultsDir, 'kernel-off-echo.jsonl');
    writeFileSync(file, run.lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const statics = await startStatic(webDistDir);
    const page = await browser.newPage({ viewport: { width: 1600, height: 1100 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(`${statics.base}/`);
      await page.locator('input[data-testid="trace-file"]').setInputFiles(file);
      await expect.poll(() => page.locator('.replay-app').getAttribute('data-trace-state'), { timeout: 15_000 }).toBe('ready');
      const pipe = page.locator('.pipeline[data-writer="client"][data-reader="server"]');
      await expect.poll(() => pipe.count()).toBe(1);
      const stages = await pipe.locator('.stage').allInnerTexts();
      // Kernel stages: off, with the reason, in place.
      for (const i of [2, 3, 4]) expect(stages[i]).toMatch(/kernel view off[\s\S]*not Linux \(darwin\)/);
      // Node-side stages: the programs' real figures.
      expect(stages[0]).toMatch(new RegExp(`client c\\d+ wrote\\s+${wrote} B`));
      expect(stages[1]).toMatch(/0 B[\s\S]*highWaterMark/);
      expect(stages[5]).toMatch(/flowing/);
      expect(stages[6]).toMatch(new RegExp(`server s\\d+ read\\s+${wrote} B`));
      expect(await page.locator('.kernel-sockets').innerText()).toMatch(/No kernel view: not Linux \(darwin\)/);
      expect(await page.locator('.pane[data-role="client"] .tcp-badge').innerText()).toBe('kernel view off');
      await screenshot(page, 'kernel-view-off');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await statics.close();
    }
  });

  it.skipIf(!slowReaderBuilt)('slow-reader: the paused reader\'s kernel queues fill, and the zero window shows', async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1300 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${lab.base}/?token=${lab.token}`);
    await page.locator('.catalog button[data-experiment="slow-reader"]').click();
    await page.locator('button.run').click();
    const pipe = page.locator('.pipeline').first();
    await expect.poll(() => pipe.count(), { timeout: 15_000 }).toBe(1);
    // Stages: 0 wrote, 1 Node queue, 2 kernel send queue, 3 wire, 4 kernel receive queue, 5 Node buffer, 6 read.
    await expect.poll(() => stageBytes(page, '.pipeline .stage.kernel:nth-child(3) .stage-big'), { timeout: 20_000 }).toBeGreaterThan(0);
    await expect.poll(() => stageBytes(page, '.pipeline .stage.kernel:nth-child(5) .stage-big'), { timeout: 20_000 }).toBeGreaterThan(0);
    await expect.poll(() => pipe.locator('.zero-window').count(), { timeout: 20_000 }).toBe(1);
    // Node's side holds bytes too: the writer's queue, and the paused reader's buffer.
    await expect.poll(() => stageBytes(page, '.pipeline .stage:nth-child(2) .stage-big')).toBeGreaterThan(0);
    await expect.poll(() => stageBytes(page, '.pipeline .stage:nth-child(6) .stage-big')).toBeGreaterThan(0);
    // The writer keeps probing the closed window, backing off after each probe.
    await expect.poll(async () => Number(/probe backoff (\d+)/.exec(await pipe.locator('.stage.wire').innerText())?.[1] ?? 0), { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    expect(await page.locator('.pane[data-role="writer"] .tcp-badge').innerText()).toBe('ESTABLISHED');
    await screenshot(page, 'kernel-view-slow-reader');
    // Click the chart's first moment: everything shows the run as it was then — the connection
    // just made, the window open.
    await page.locator('.kernel-chart .u-over').click({ position: { x: 1, y: 20 } });
    await expect.poll(() => pipe.locator('.zero-window').count()).toBe(0);
    // The chart may begin before the kernel's first look at the writer's socket (the stage then
    // says "no kernel sample yet"): step to that first look, as a student would with Next ▶.
    for (let i = 0; i < 40 && Number.isNaN(await stageBytes(page, '.pipeline .stage.kernel:nth-child(3) .stage-big')); i++) {
      expect(await page.locator('.pipeline .stage.kernel:nth-child(3)').first().innerText()).toMatch(/no kernel sample yet/);
      await page.locator('button.step-next').first().click();
    }
    // At that first look a max-speed writer may already have a few KiB queued (the kernel is looked
    // at 50 times a second): what must hold is that it is a kernel figure, and the window is open.
    expect(await stageBytes(page, '.pipeline .stage.kernel:nth-child(3) .stage-big')).toBeGreaterThanOrEqual(0);
    expect(await stageBytes(page, '.pipeline .stage.wire .stage-big')).toBeGreaterThan(0);
    await screenshot(page, 'kernel-view-slow-reader-seek');
    await page.locator('button.stop').click();
    await expect.poll(() => page.locator('.run-status').innerText(), { timeout: 15_000 }).toMatch(/ended/);
    expect(errors).toEqual([]);
    await page.close();
  });
});
