import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { projectRoot } from '../../server/run/paths.js';

/** Debian's Chromium unless SOCKET_LAB_CHROMIUM says otherwise. */
export const CHROMIUM = process.env.SOCKET_LAB_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Outside CI a missing browser skips the browser tests (with a message saying so); under
 * CI=true it is a failure, so CI can never pass without having driven a real browser.
 */
export const browserAvailable = existsSync(CHROMIUM);
if (!browserAvailable) {
  const msg = `no Chromium at ${CHROMIUM} (apt-get install chromium, or set SOCKET_LAB_CHROMIUM)`;
  if (process.env.CI === 'true') throw new Error(`end-to-end tests need a browser: ${msg}`);
  console.warn(`skipping browser tests: ${msg}`);
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
}

export const resultsDir = path.join(projectRoot, 'test-results');

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** The visible text of an actor's xterm pane. */
export function paneText(page: Page, role: string): Promise<string> {
  return page.locator(`.pane[data-role="${role}"] .xterm-rows`).innerText();
}

/** A pane's visible text with xterm's soft wraps undone (the panes are narrow). */
export async function paneTextUnwrapped(page: Page, role: string): Promise<string> {
  return (await paneText(page, role)).replace(/\n/g, '');
}

/** A picture of one part of the page, at full size (the full-page ones are scaled down to look at). */
export async function shotOf(loc: Locator, name: string): Promise<void> {
  mkdirSync(resultsDir, { recursive: true });
  await loc.screenshot({ path: path.join(resultsDir, `${name}.png`) });
}

/** A new page on the lab (tokened URL) with an experiment selected; page errors are collected. */
export async function openExperiment(browser: Browser, lab: { base: string; token: string }, experiment: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1300 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${lab.base}/?token=${lab.token}`);
  await page.locator(`.catalog button[data-experiment="${experiment}"]`).click();
  return { page, errors };
}
