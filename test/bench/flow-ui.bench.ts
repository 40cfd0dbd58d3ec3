/**
 * Benchmark: can the browser keep up with a max-speed run? The lab serves the built UI; headless
 * Chromium runs slow-reader with the reader draining as fast as it can (readIntervalMs 0, buffers
 * auto: the busiest trace this experiment makes, with the kernel observer and packet capture on).
 * In the page, requestAnimationFrame timestamps give the frame rate while the run is live; the
 * WebSocket frames give the event rate that reached the browser.
 *
 * Needs the built UI (npm run bench builds it) and Chromium; without Chromium it says so.
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { LabServer } from '../../server/http/lab-server.js';
import { percentile, table } from './stats.js';

const CHROMIUM = process.env.SOCKET_LAB_CHROMIUM ?? '/usr/bin/chromium';
const MEASURE_MS = 6000;

interface Frames { intervals: number[]; ms: number }

export async function run(): Promise<Record<string, unknown>> {
  if (!existsSync(CHROMIUM)) {
    console.log(`skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set SOCKET_LAB_CHROMIUM)`);
    return { skipped: `no Chromium at ${CHROMIUM}` };
  }
  const token = 'bench-' + Math.random().toString(36).slice(2);
  const server = new LabServer({ host: '127.0.0.1', port: 0, token });
  const port = await server.listen();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
  const results: Record<string, unknown> = {};
  const rows: Record<string, string | number>[] = [];
  try {
    for (const [label, params] of [
      ['slow-reader, default (7 B/s reader)', {}],
      ['reader takes 64 KiB every 100 ms', { readIntervalMs: '100', readBytes: '65536', sndbuf: 'auto', rcvbuf: 'auto', readAllAfterMs: '0' }],
      ['reader takes 64 KiB every 20 ms', { readIntervalMs: '20', readBytes: '65536', sndbuf: 'auto', rcvbuf: 'auto', readAllAfterMs: '0' }],
      ['reader takes 64 KiB every 5 ms', { readIntervalMs: '5', readBytes: '65536', sndbuf: 'auto', rcvbuf: 'auto', readAllAfterMs: '0' }],
      ['max speed (reader drains, buffers auto)', { readIntervalMs: '0', sndbuf: 'auto', rcvbuf: 'auto', readAllAfterMs: '0' }],
    ] as const) {
      const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
      let lines = 0;
      let wsBytes = 0;
      let counting = false;
      page.on('websocket', (ws) => ws.on('framereceived', (f) => {
        if (!counting) return;
        const text = typeof f.payload === 'string' ? f.payload : f.payload.toString('utf8');
        wsBytes += text.length;
        try {
          const m = JSON.parse(text) as { type?: string; lines?: unknown[] };
          if (m.type === 'trace' && Array.isArray(m.lines)) lines += m.lines.length;
        } catch { /* not ours to judge here */ }
      }));
      await page.goto(`http://127.0.0.1:${port}/?token=${token}`);
      await page.locator('.catalog button[data-experiment="slow-reader"]').click();
      for (const [k, v] of Object.entries(params)) await page.locator(`#param-${k}`).fill(v);
      await page.locator('button.run').click();
      await page.locator('.run-status[data-live="yes"]').waitFor({ timeout: 20_000 });
      await page.waitForTimeout(1000); // past the start: connect, first fill
      counting = true;
      const frames = await page.evaluate((ms) => new Promise<Frames>((resolve) => {
        const stamps: number[] = [];
        const t0 = performance.now();
        const tick = (t: number) => {
          stamps.push(t);
          if (t - t0 < ms) requestAnimationFrame(tick);
          else resolve({ intervals: stamps.slice(1).map((s, i) => s - stamps[i]!), ms: t - t0 });
        };
        requestAnimationFrame(tick);
      }), MEASURE_MS);
      counting = false;
      await page.locator('button.stop').click();
      await page.locator('.run-status[data-live="no"]').waitFor({ timeout: 60_000 });
      await page.close();
      const fps = (frames.intervals.length * 1000) / frames.ms;
      const slow = frames.intervals.filter((i) => i > 20).length;
      const r = {
        run: label,
        'events/s to the browser': Math.round((lines * 1000) / frames.ms),
        'WebSocket kB/s': Math.round(wsBytes / frames.ms),
        fps: Math.round(fps * 10) / 10,
        'frame ms p50': Math.round(percentile(frames.intervals, 50) * 10) / 10,
        'frame ms p95': Math.round(percentile(frames.intervals, 95) * 10) / 10,
        'frame ms max': Math.round(Math.max(...frames.intervals)),
        'frames > 20 ms': `${Math.round((100 * slow) / Math.max(1, frames.intervals.length))}%`,
      };
      rows.push(r);
      results[label] = r;
    }
  } finally {
    await browser.close();
    await server.close();
  }
  table(`UI frame rate while a run streams its trace (headless Chromium, ${MEASURE_MS / 1000} s each); aim ≥ 50 fps`, rows);
  return results;
}
