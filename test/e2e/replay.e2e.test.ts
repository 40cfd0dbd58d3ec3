/**
 * Record, replay and present, in real Chromium: a real echo run is recorded live and saved from
 * the browser, then replayed on a page with no lab behind it; at three moments the replay must
 * show exactly what the live page showed. The exported HTML must play from file:// with every
 * server stopped, and bad trace files must say what is wrong.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { browserAvailable, launchBrowser, paneText, resultsDir, screenshot } from '../helpers/browser.js';
import { startLab, type TestLab } from '../helpers/lab-server.js';
import { startStatic, type StaticServer } from '../helpers/static-server.js';
import { webDistDir } from '../../server/run/paths.js';
import { readTraceText } from '../../shared/trace/reader.js';
import type { TraceEvent } from '../../shared/trace/schema.js';

interface Seen { client: string; server: string; events: string }

async function seekTo(page: Page, t: number): Promise<void> {
  const input = page.getByLabel('Cursor time in milliseconds');
  await input.fill(String(t));
  await input.press('Enter');
  await expect.poll(() => input.inputValue()).toBe(t.toFixed(1));
}

async function read(page: Page): Promise<Seen> {
  return {
    client: await paneText(page, 'client'),
    server: await paneText(page, 'server'),
    events: await page.locator('.events .event-scroll').innerText(),
  };
}

/** What the page shows once it has settled (xterm takes in written text asynchronously). */
async function seen(page: Page): Promise<Seen> {
  // Each pane says when xterm has parsed everything up to the cursor (data-drawn = data-target).
  await page.waitForFunction(() => [...document.querySelectorAll<HTMLElement>('.pane .term')].every((el) =>
    el.dataset.target === undefined || el.dataset.drawn === el.dataset.target || (el.dataset.target === '0' && el.dataset.drawn === undefined)), null, { timeout: 15_000 });
  // xterm draws what it parsed on its next animation frame: two frames later the rows are there.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  let last = await read(page);
  for (let i = 0, same = 0; i < 50 && same < 2; i++) {
    await page.waitForTimeout(100);
    const now = await read(page);
    same = JSON.stringify(now) === JSON.stringify(last) ? same + 1 : 0;
    last = now;
  }
  return last;
}

describe.skipIf(!browserAvailable)('replay in real Chromium', () => {
  let lab: TestLab | null = null;
  let statics: StaticServer | null = null;
  let browser: Browser;
  let ctx: BrowserContext;
  const tracePath = path.join(resultsDir, 'replay-echo.jsonl');
  const htmlPath = path.join(resultsDir, 'replay-export.html');
  let liveEnd: Seen;
  let bookmarkT = 0;

  beforeAll(async () => {
    for (const f of [tracePath, htmlPath]) rmSync(f, { force: true });
    lab = await startLab();
    statics = await startStatic(webDistDir);
    browser = await launchBrowser();
    ctx = await browser.newContext({ viewport: { width: 1600, height: 1000 }, acceptDownloads: true });
  });
  afterAll(async () => {
    await ctx?.close();
    await browser?.close();
    await lab?.close();
    await statics?.close();
  });

  it('records echo live, saves the trace, and replays it with no lab: the same panes and events at three moments', async () => {
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${lab!.base}/?token=${lab!.token}`);
    await page.locator('.catalog button[data-experiment="echo"]').click();
    await page.locator('#param-count').fill('3');
    await page.locator('#param-intervalMs').fill('300');
    await page.locator('button.run').click();
    // Live, the cursor follows the run.
    await expect.poll(() => page.locator('.cursorbar .following').count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => paneText(page, 'client'), { timeout: 15_000 }).toMatch(/echo \d+ B: "hello, socket lab #3\\n"/);
    // Clicking an event pins the cursor there while the run goes on; Live returns to following it.
    await page.locator('.events tr', { hasText: 'accept from' }).first().click();
    await expect.poll(() => page.locator('.cursorbar .go-live').count()).toBe(1);
    expect(await page.locator('.cursorbar .following').count()).toBe(0);
    await expect.poll(() => paneText(page, 'client')).not.toMatch(/echo/);
    await screenshot(page, 'replay-live-pinned-while-running');
    await page.locator('.cursorbar .go-live').click();
    await expect.poll(() => page.locator('.cursorbar .following').count()).toBe(1);
    await expect.poll(() => paneText(page, 'client')).toMatch(/#3/);
    await page.locator('button.stop').click();
    await expect.poll(() => page.locator('.run-status').innerText(), { timeout: 15_000 }).toMatch(/ended \(stopped/);
    await expect.poll(() => page.locator('.observations li.held').count()).toBe(3);
    const followingEnd = await seen(page);

    // Save trace: the browser downloads the run's trace.
    const save = async () => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('button.save-trace').click()]);
      expect(download.suggestedFilename()).toMatch(/^socket-lab-echo-.*\.jsonl$/);
      await download.saveAs(tracePath);
      return readTraceText(readFileSync(tracePath, 'utf8'));
    };
    const first = await save();
    expect(first.issues).toEqual([]);
    expect(first.header?.catalog?.id).toBe('echo');
    expect(first.footer?.outcome).toBe('stopped');
    const firstEvents = first.lines.filter((l): l is TraceEvent => l.type === 'event');

    // Three checkpoints from the trace itself: the accept, the client printing its second echo, the end.
    const accept = firstEvents.find((e) => e.kind === 'accept')!;
    const echo2 = firstEvents.find((e) => e.kind === 'stdout' && e.actor === 'client' && e.text.includes('#2'))!;
    expect(echo2).toBeDefined();
    const checkpoints = [accept.t, echo2.t, first.footer!.t];

    // Pinned live at the second echo: a bookmark there, saved inside the trace.
    await seekTo(page, checkpoints[1]!);
    expect(await page.locator('.cursorbar .following').count()).toBe(0);
    await page.locator('button.add-bookmark').click();
    await page.getByPlaceholder('look here…').fill('look here: the second echo');
    await page.locator('button.save-bookmark').click();
    await expect.poll(() => page.locator('.bookmark-list li').count()).toBe(1);

    // What the live page shows at each checkpoint.
    const live: Seen[] = [];
    for (const t of checkpoints) { await seekTo(page, t); live.push(await seen(page)); }
    expect(live[0]!.client).not.toMatch(/echo/); // at the accept nothing has come back yet
    expect(live[1]!.client).toMatch(/#2/);
    expect(live[1]!.client).not.toMatch(/#3/);
    expect(live[1]!.events).toMatch(/bookmark: look here: the second echo/);
    expect(live[2]!.client).toBe(followingEnd.client);
    expect(live[2]!.server).toBe(followingEnd.server);
    liveEnd = live[2]!;

    const saved = await save();
    expect(saved.issues).toEqual([]);
    const bookmark = saved.lines.find((l) => l.type === 'event' && l.kind === 'bookmark');
    expect(bookmark).toMatchObject({ actor: 'user', note: 'look here: the second echo', t: checkpoints[1] });
    bookmarkT = checkpoints[1]!;
    await screenshot(page, 'replay-live-pinned');
    // Export HTML from the lab page itself: the lab serves the single-file viewer it builds.
    const [liveHtml] = await Promise.all([page.waitForEvent('download'), page.locator('button.export-html').click()]);
    const liveHtmlText = readFileSync(await liveHtml.path(), 'utf8');
    expect(liveHtmlText).toMatch(/<meta name="socket-lab-viewer" content="single-file"/);
    expect(liveHtmlText).toMatch(/<script type="application\/json" id="socket-lab-trace" data-name="socket-lab-echo-[^"]+\.jsonl">"\{\\"type\\":\\"header\\"/);
    expect(liveHtmlText).not.toMatch(/<script[^>]+src=/);
    expect(errors).toEqual([]);
    await page.close();

    // Static mode: dist/web from a plain file server, no lab anywhere behind it.
    const replay = await ctx.newPage();
    const consoleErrors: string[] = [];
    replay.on('pageerror', (e) => errors.push(e.message));
    replay.on('console', (m) => { if (m.type() === 'error' && !/404/.test(m.text())) consoleErrors.push(m.text()); });
    await replay.goto(`${statics!.base}/`);
    await expect.poll(() => replay.locator('.replay-app').getAttribute('data-trace-state')).toBe('empty');
    expect(await replay.locator('body').innerText()).not.toMatch(/Disconnected|Connecting|connection/i);
    await screenshot(replay, 'replay-static-empty');
    await replay.locator('input[data-testid="trace-file"]').setInputFiles(tracePath);
    await expect.poll(() => replay.locator('.replay-app').getAttribute('data-trace-state')).toBe('ready');
    expect(await replay.locator('.replay-app').getAttribute('data-reader')).toBe('worker');
    // The narrative, roles and observations come from the trace's header.
    expect(await replay.locator('.narrative').innerText()).toMatch(/What the seed says/);
    expect(await replay.locator('.observations li').count()).toBe(3);
    // Opens at the end: exactly the live page's last view.
    expect(await seen(replay)).toEqual(liveEnd);
    for (let i = 0; i < checkpoints.length; i++) {
      await seekTo(replay, checkpoints[i]!);
      expect(await seen(replay), `checkpoint ${i + 1} at ${checkpoints[i]} ms`).toEqual(live[i]);
    }
    // Backwards is as correct as forwards.
    await seekTo(replay, checkpoints[0]!);
    expect(await seen(replay)).toEqual(live[0]);
    await screenshot(replay, 'replay-static-checkpoint1');
    // The bookmark came back with the trace: listed, on the timeline, and key 1 jumps to it.
    expect(await replay.locator('.bookmark-list').innerText()).toMatch(/look here: the second echo/);
    expect(await replay.locator('.timeline-svg .tl-bookmark text').textContent()).toMatch(/^1 look here/);
    await replay.locator('body').click({ position: { x: 5, y: 500 } });
    await replay.keyboard.press('1');
    await expect.poll(() => replay.getByLabel('Cursor time in milliseconds').inputValue()).toBe(bookmarkT.toFixed(1));
    // Stepping: ← and → move to the previous and next event.
    const before = Number(await replay.getByLabel('Cursor time in milliseconds').inputValue());
    await replay.keyboard.press('ArrowRight');
    await expect.poll(async () => Number(await replay.getByLabel('Cursor time in milliseconds').inputValue())).toBeGreaterThan(before);
    await replay.keyboard.press('ArrowLeft');
    await replay.keyboard.press('ArrowLeft');
    await expect.poll(async () => Number(await replay.getByLabel('Cursor time in milliseconds').inputValue())).toBeLessThan(before);
    // Next observation lands on an observation event.
    await seekTo(replay, 0);
    await replay.locator('button.next-obs').click();
    await expect.poll(() => replay.locator('.events tr').last().innerText()).toMatch(/✓/);

    // Presenter mode: one view at a time, large and high-contrast, keys drive it.
    await seekTo(replay, checkpoints[1]!);
    await replay.keyboard.press('p');
    await expect.poll(() => replay.evaluate(() => document.body.dataset.present)).toBe('panes');
    expect(await replay.locator('.catalog').isVisible()).toBe(false);
    expect(await replay.locator('.events').isVisible()).toBe(false);
    expect(await replay.locator('.panes').isVisible()).toBe(true);
    expect(await replay.locator('.presenter-bar .present-keys').innerText()).toMatch(/Space play\/pause/);
    await screenshot(replay, 'replay-presenter-panes');
    await replay.locator('.presenter-bar button', { hasText: 'Ladder' }).click();
    expect(await replay.locator('.ladder').isVisible()).toBe(true);
    expect(await replay.locator('.panes').isVisible()).toBe(false);
    await screenshot(replay, 'replay-presenter-ladder');
    await replay.keyboard.press('Escape');
    await expect.poll(() => replay.evaluate(() => document.body.dataset.present ?? null)).toBe(null);

    // Pictures: the timeline as SVG (standalone, styles inlined) and the ladder as PNG.
    await replay.locator('.export-images summary').click();
    const [svg] = await Promise.all([replay.waitForEvent('download'), replay.locator('button[data-export="timeline-svg"]').click()]);
    const svgText = readFileSync(await svg.path(), 'utf8');
    expect(svgText).toMatch(/^<\?xml[^>]*>\s*<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svgText).toMatch(/>client<\/text>/);
    expect(svgText).toMatch(/look here: the second echo/);
    expect(svgText).not.toMatch(/class="/);
    const [png] = await Promise.all([replay.waitForEvent('download'), replay.locator('button[data-export="ladder-png"]').click()]);
    const pngBytes = readFileSync(await png.path());
    expect([...pngBytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(pngBytes.readUInt32BE(16)).toBeGreaterThan(100); // width from the IHDR chunk
    writeFileSync(path.join(resultsDir, 'replay-ladder-export.png'), pngBytes);
    // The kernel chart is a canvas (uPlot): exported as PNG as drawn.
    if (await replay.locator('.kernel-chart canvas').count()) {
      const [chart] = await Promise.all([replay.waitForEvent('download'), replay.locator('button[data-export="charts-png"]').click()]);
      expect([...readFileSync(await chart.path()).subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    }

    // Export HTML (the viewer with this trace inside) for the next test.
    const [html] = await Promise.all([replay.waitForEvent('download'), replay.locator('button.export-html').click()]);
    await html.saveAs(htmlPath);
    expect(errors).toEqual([]);
    expect(consoleErrors).toEqual([]);
    await replay.close();
  });

  it('the exported HTML plays from a file:// URL with the lab and every server stopped', async () => {
    await lab!.close();
    lab = null;
    await statics!.close();
    statics = null;
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.goto(pathToFileURL(htmlPath).href);
    await expect.poll(() => page.locator('.replay-app').getAttribute('data-trace-state'), { timeout: 15_000 }).toBe('ready');
    expect(await page.locator('.replay-app').getAttribute('data-reader')).toBe('worker');
    expect(await seen(page)).toEqual(liveEnd);
    // Play from the start at half speed: the panes fill in as the run goes, and it stops at the end.
    await seekTo(page, 0);
    // Wait for the panes to settle at t = 0 (xterm redraws asynchronously after a seek).
    expect((await seen(page)).client).not.toMatch(/echo/);
    await page.getByLabel('Speed').selectOption('0.5');
    await page.locator('.cursorbar button.play').click();
    await expect.poll(() => page.locator('.cursorbar button.play').innerText()).toMatch(/Pause/);
    await expect.poll(() => paneText(page, 'client'), { timeout: 20_000 }).toMatch(/echo \d+ B: "hello, socket lab #1\\n"/);
    await screenshot(page, 'replay-export-playing');
    expect(Number(await page.getByLabel('Cursor time in milliseconds').inputValue())).toBeGreaterThan(0);
    await expect.poll(() => page.locator('.cursorbar button.play').innerText(), { timeout: 30_000 }).toMatch(/Play/);
    expect(await seen(page)).toEqual(liveEnd);
    expect(await page.locator('.bookmark-list').innerText()).toMatch(/look here: the second echo/);
    await screenshot(page, 'replay-export-ended');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('invalid trace files say what is wrong and on which line; the page never goes blank', async () => {
    const real = readFileSync(tracePath, 'utf8');
    const lines = real.trim().split('\n');
    const header = JSON.parse(lines[0]!);
    const cases: { name: string; text: string; expect: RegExp; state: string; panes: boolean }[] = [
      { name: 'not-a-trace.html', text: '<!doctype html>\n<html><body><h1>Hello</h1></body></html>\n', expect: /this is not a Socket Lab trace: it is a web page or XML \(line 1 starts with/, state: 'failed', panes: false },
      { name: 'empty.jsonl', text: '', expect: /the file is empty/, state: 'failed', panes: false },
      { name: 'truncated.jsonl', text: real.slice(0, real.indexOf('\n', Math.floor(real.length * 0.6)) + 30), expect: /line \d+ is cut off: the file ends in the middle of a line/, state: 'ready', panes: true },
      { name: 'newer.jsonl', text: [JSON.stringify({ ...header, version: 2 }), JSON.stringify({ type: 'event', t: 5, actor: 'kernel', kind: 'teleport' }), ...lines.slice(1)].join('\n'), expect: /line 1: this trace is format version 2, newer than this viewer reads/, state: 'ready', panes: true },
      { name: 'garbage-inside.jsonl', text: [...lines.slice(0, 4), 'GARBAGE', ...lines.slice(4)].join('\n'), expect: /line 5 is not JSON/, state: 'ready', panes: true },
    ];
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // The single-file viewer from dist, opened as a file: no server at all.
    await page.goto(pathToFileURL(path.join(webDistDir, 'replay.html')).href);
    for (const c of cases) {
      const file = path.join(resultsDir, `replay-bad-${c.name}`);
      writeFileSync(file, c.text);
      await page.locator('input[data-testid="trace-file"]').setInputFiles(file);
      await expect.poll(() => page.locator('.replay-app').getAttribute('data-trace-state'), { timeout: 15_000 }).toBe(c.state);
      await expect.poll(() => page.locator('.trace-issues').innerText()).toMatch(c.expect);
      expect(await page.locator('.topbar').isVisible()).toBe(true);
      expect(await page.locator('.panes').count()).toBe(c.panes ? 1 : 0);
      await screenshot(page, `replay-bad-${c.name.replace(/\.\w+$/, '')}`);
    }
    // Dropping a file on the page opens it too.
    await page.evaluate((text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], 'dropped.jsonl'));
      for (const type of ['dragenter', 'dragover', 'drop']) window.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, real);
    await expect.poll(() => page.locator('.replay-app .tagline').innerText()).toBe('dropped.jsonl');
    await expect.poll(() => page.locator('.replay-app').getAttribute('data-trace-state')).toBe('ready');
    expect(await seen(page)).toEqual(liveEnd);
    expect(errors).toEqual([]);
    await page.close();
  });
});
