/**
 * Replay figures, in real Chromium against the built UI served by a plain static server (no lab):
 * time to open a trace and draw it first, time until all of it is read, the longest main-thread
 * task while it loads (how long the page could not answer a click), seek latency to random
 * points (p50, p95: until the next frame, and until the terminal panes finished drawing), page
 * memory (JS heap) after loading and while playing, and frames per second while playing at 8×.
 *
 * The traces are made from a real echo run recorded here (`socket-lab run echo --trace`),
 * repeated to 1, 10 and 100 MB as one long-lived connection, and to 10 MB as thousands of
 * reconnections (see synthetic-trace.ts). `SOCKET_LAB_REPLAY_MB=100` caps the sizes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { projectRoot, webDistDir } from '../../server/run/paths.js';
import { browserAvailable, launchBrowser } from '../helpers/browser.js';
import { startStatic } from '../helpers/static-server.js';
import { readTraceText } from '../../shared/trace/reader.js';
import { percentile, table } from './stats.js';
import { writeRepeatedTrace, type SyntheticInfo, type TraceShape } from './synthetic-trace.js';

interface Case { label: string; shape: TraceShape; mb: number }
const CASES: Case[] = [
  { label: '1 MB, one connection', shape: 'one-connection', mb: 1 },
  { label: '10 MB, one connection', shape: 'one-connection', mb: 10 },
  { label: '100 MB, one connection', shape: 'one-connection', mb: 100 },
  { label: '10 MB, reconnects', shape: 'reconnects', mb: 10 },
];
const SEEKS = 30;
const LOAD_TIMEOUT_MS = 15 * 60_000;

interface Figures {
  file: SyntheticInfo;
  nodeReadMs: number;
  firstRenderMs: number;
  loadedMs: number;
  longTasks: number;
  longestTaskMs: number;
  reader: string;
  heapAfterLoadMb: number;
  domNodes: number;
  seekFrame: number[];
  seekPanes: number[];
  playFps: number;
  playRate: number;
  heapPlayingMb: number;
}

/** A small deterministic generator, so every run seeks to the same points. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}

async function heapMb(page: Page, gc: boolean): Promise<{ heap: number; nodes: number }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  if (gc) await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  await cdp.detach();
  const get = (n: string) => metrics.find((m) => m.name === n)?.value ?? NaN;
  return { heap: get('JSHeapUsedSize') / 1e6, nodes: get('Nodes') };
}

async function measure(browser: Browser, base: string, name: string, file: SyntheticInfo, nodeReadMs: number): Promise<Figures> {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.addInitScript(() => {
    const w = window as unknown as { __longTasks: number[][] };
    w.__longTasks = [];
    new PerformanceObserver((list) => { for (const e of list.getEntries()) w.__longTasks.push([e.startTime, e.duration]); }).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(`${base}/?trace=${encodeURIComponent(`/bench/${name}`)}`);
  await page.waitForFunction(() => document.querySelector('[data-trace-state]')?.getAttribute('data-trace-state') !== 'loading' && performance.getEntriesByName('socket-lab:loaded').length > 0,
    null, { timeout: LOAD_TIMEOUT_MS, polling: 250 });
  const state = await page.locator('.replay-app').getAttribute('data-trace-state');
  if (state !== 'ready') throw new Error(`${name}: the replay page says ${state}: ${await page.locator('.trace-issues').innerText().catch(() => '')}`);
  const load = await page.evaluate(() => {
    const mark = (n: string) => performance.getEntriesByName(n)[0]?.startTime ?? NaN;
    const loaded = mark('socket-lab:loaded');
    const tasks = (window as unknown as { __longTasks: number[][] }).__longTasks.filter(([start]) => start! <= loaded);
    return {
      first: mark('socket-lab:first-render'), loaded,
      longTasks: tasks.length, longest: Math.max(0, ...tasks.map((x) => x[1]!)),
      reader: document.querySelector('[data-reader]')?.getAttribute('data-reader') ?? '?',
    };
  });
  // Let the last redraw settle before measuring memory.
  await page.waitForTimeout(500);
  const after = await heapMb(page, true);

  const rnd = random(7);
  const seekFrame: number[] = [];
  const seekPanes: number[] = [];
  for (let i = 0; i < SEEKS; i++) {
    const r = await page.evaluate(async (f) => {
      const el = document.querySelector<HTMLInputElement>('.cursorbar .scrubber')!;
      const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
      let last = 0;
      const mo = new MutationObserver(() => { last = performance.now(); });
      for (const n of document.querySelectorAll('.xterm-rows')) mo.observe(n, { childList: true, subtree: true, characterData: true });
      const t0 = performance.now();
      setValue.call(el, String(Number(el.max) * f));
      el.dispatchEvent(new Event('input', { bubbles: true }));
      await new Promise((res) => requestAnimationFrame(() => setTimeout(res, 0)));
      const frame = performance.now() - t0;
      // The panes have finished once three frames pass without a change to them (at most 5 s).
      for (let quiet = 0, seen = last; quiet < 3 && performance.now() - t0 < 5000;) {
        await new Promise((res) => requestAnimationFrame(res));
        quiet = last === seen ? quiet + 1 : 0;
        seen = last;
      }
      mo.disconnect();
      return { frame, panes: Math.max(frame, last - t0) };
    }, rnd());
    seekFrame.push(r.frame);
    seekPanes.push(r.panes);
  }

  // Play at 8× for 3 s from the first quarter: frames drawn per second, trace time per second, heap.
  await page.evaluate(() => {
    const el = document.querySelector<HTMLInputElement>('.cursorbar .scrubber')!;
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(el, String(Number(el.max) / 4));
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await page.getByLabel('Speed').selectOption('8');
  await page.evaluate(() => document.querySelector<HTMLButtonElement>('.cursorbar button.play')!.click());
  const playP = page.evaluate(() => new Promise<{ fps: number; rate: number }>((res) => {
    const at = () => Number(document.querySelector<HTMLInputElement>('.cursorbar .time input')!.value);
    let frames = 0;
    const t0 = performance.now();
    const a0 = at();
    const tick = () => {
      frames++;
      const dt = performance.now() - t0;
      if (dt < 3000) requestAnimationFrame(tick);
      else res({ fps: frames / (dt / 1000), rate: (at() - a0) / dt });
    };
    requestAnimationFrame(tick);
  }));
  let heapPlaying = 0;
  for (let i = 0; i < 5; i++) { await page.waitForTimeout(450); heapPlaying = Math.max(heapPlaying, (await heapMb(page, false)).heap); }
  const play = await playP;
  await page.evaluate(() => document.querySelector<HTMLButtonElement>('.cursorbar button.play')!.click());
  if (errors.length) throw new Error(`${name}: page errors: ${errors.join('; ')}`);
  await context.close();
  return {
    file, nodeReadMs, firstRenderMs: load.first, loadedMs: load.loaded, longTasks: load.longTasks, longestTaskMs: load.longest, reader: load.reader,
    heapAfterLoadMb: after.heap, domNodes: after.nodes, seekFrame, seekPanes, playFps: play.fps, playRate: play.rate, heapPlayingMb: heapPlaying,
  };
}

export async function run(): Promise<Record<string, unknown>> {
  if (!browserAvailable) { console.log('replay bench skipped: no Chromium'); return { skipped: 'no Chromium' }; }
  const capMb = Number(process.env.SOCKET_LAB_REPLAY_MB ?? Infinity);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'socket-lab-replay-'));
  try {
    // A real run, recorded the way a user would: real processes, real sockets, the kernel observer.
    const recorded = path.join(dir, 'recorded.jsonl');
    const rec = spawnSync(process.execPath, [path.join(projectRoot, 'dist/server/cli.js'), 'run', 'echo', '--set', 'count=20', '--set', 'intervalMs=50', '--duration', '3s', '--trace', recorded], { encoding: 'utf8' });
    if (rec.status !== 0) throw new Error(`recording the echo run failed: ${rec.stderr || rec.stdout}`);
    const recordedText = readFileSync(recorded, 'utf8');
    console.log(`recorded a real echo run: ${statSync(recorded).size} bytes, ${recordedText.trim().split('\n').length} lines`);

    const files: Record<string, string> = {};
    const made: { c: Case; name: string; info: SyntheticInfo; nodeReadMs: number }[] = [];
    for (const c of CASES.filter((x) => x.mb <= capMb)) {
      const name = `${c.shape}-${c.mb}mb.jsonl`;
      const file = path.join(dir, name);
      const info = await writeRepeatedTrace(recordedText, c.mb * 1_000_000, file, c.shape);
      // The synthetic trace must be valid: the shared reader finds no issue (and this times it in Node).
      const t0 = performance.now();
      const check = readTraceText(readFileSync(file, 'utf8'));
      const nodeReadMs = performance.now() - t0;
      if (check.issues.length) throw new Error(`${name} is not a clean trace: ${check.issues[0]!.message}`);
      files[`/bench/${name}`] = file;
      made.push({ c, name, info, nodeReadMs });
    }

    const server = await startStatic(webDistDir, files);
    const browser = await launchBrowser();
    const results: Record<string, Figures> = {};
    try {
      for (const m of made) {
        console.log(`replaying ${m.c.label} (${(m.info.bytes / 1e6).toFixed(1)} MB, ${m.info.events} events)…`);
        results[m.c.label] = await measure(browser, server.base, m.name, m.info, m.nodeReadMs);
      }
    } finally {
      await browser.close();
      await server.close();
    }

    const labels = Object.keys(results);
    const row = (metric: string, f: (x: Figures) => string | number) => ({ metric, ...Object.fromEntries(labels.map((l) => [l, f(results[l]!)])) });
    const ms = (v: number) => Math.round(v);
    table('replay: open, seek, play (Chromium, static server, no lab)', [
      row('trace size (MB)', (x) => +(x.file.bytes / 1e6).toFixed(1)),
      row('events', (x) => x.file.events),
      row('run length (s)', (x) => Math.round(x.file.endMs / 1000)),
      row('reader in Node, whole file (ms)', (x) => ms(x.nodeReadMs)),
      row('open → first render (ms)', (x) => ms(x.firstRenderMs)),
      row('open → all read and drawn (ms)', (x) => ms(x.loadedMs)),
      row('parsed in', (x) => x.reader),
      row('long tasks while loading', (x) => x.longTasks),
      row('longest main-thread task (ms)', (x) => ms(x.longestTaskMs)),
      row('seek → next frame p50 (ms)', (x) => ms(percentile(x.seekFrame, 50))),
      row('seek → next frame p95 (ms)', (x) => ms(percentile(x.seekFrame, 95))),
      row('seek → panes drawn p50 (ms)', (x) => ms(percentile(x.seekPanes, 50))),
      row('seek → panes drawn p95 (ms)', (x) => ms(percentile(x.seekPanes, 95))),
      row('JS heap after load (MB)', (x) => +x.heapAfterLoadMb.toFixed(1)),
      row('JS heap while playing, max (MB)', (x) => +x.heapPlayingMb.toFixed(1)),
      row('DOM nodes', (x) => x.domNodes),
      row('frames/s playing at 8×', (x) => +x.playFps.toFixed(1)),
      row('trace s per s playing at 8×', (x) => +x.playRate.toFixed(1)),
    ]);
    console.log(`(${SEEKS} seeks to the same pseudo-random points per trace; heap is the page's JavaScript heap from CDP Performance.getMetrics, after a GC for "after load")`);
    return Object.fromEntries(labels.map((l) => {
      const x = results[l]!;
      return [l, {
        bytes: x.file.bytes, events: x.file.events, firstRenderMs: x.firstRenderMs, loadedMs: x.loadedMs, longestTaskMs: x.longestTaskMs,
        seekP50: percentile(x.seekFrame, 50), seekP95: percentile(x.seekFrame, 95), panesP50: percentile(x.seekPanes, 50), panesP95: percentile(x.seekPanes, 95),
        heapAfterLoadMb: x.heapAfterLoadMb, heapPlayingMb: x.heapPlayingMb, playFps: x.playFps,
      }];
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
