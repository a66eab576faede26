// Shared set-up of the browser tests: the demo server (with or without cross-origin
// isolation) and Debian's Chromium driven by playwright-core, plus helpers to wait for a demo
// page to finish and to save screenshots under build/test-artifacts/.
//
// Environment: WISP_WEB_DIST (the package folder; default build/web/dist),
// CHROMIUM (default /usr/bin/chromium), WISP_BROWSER_MODES (see MODES).
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../../demo/server.mjs';

export const ROOT = resolve(new URL('../..', import.meta.url).pathname);
export const WISP_DIST = resolve(process.env.WISP_WEB_DIST ?? join(ROOT, 'build/web/dist'));
export const ARTIFACTS = join(ROOT, 'build/test-artifacts');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

// Flags that work on this machine (closed network: no background connections).
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/** Both modes every demo is tested in (WISP_BROWSER_MODES=isolated or not-isolated: only that one). */
export const MODES = [{ isolation: true, label: 'isolated' }, { isolation: false, label: 'not-isolated' }]
  .filter((m) => !process.env.WISP_BROWSER_MODES || process.env.WISP_BROWSER_MODES.split(',').includes(m.label));

/**
 * Starts the server (with extra [urlPrefix, folder] `mounts`) and a browser with a fresh profile
 * (a new, empty user-data dir, removed at the end). Returns {url, page(), close()}; page() opens a new tab recording console errors.
 */
export async function startSession({ isolation, mounts = [] }) {
  if (!existsSync(join(WISP_DIST, 'wisp.mjs'))) {
    throw new Error(`${WISP_DIST}/wisp.mjs is missing: build the web package (cmake --preset web && cmake --build --preset web)`);
  }
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (apt-get install chromium)`);
  const server = await startServer({ port: 0, isolation, wispDir: WISP_DIST, mounts });
  const profile = mkdtempSync(join(tmpdir(), 'wisp-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, viewport: { width: 1100, height: 900 },
    });
  } catch (e) {
    await server.close();
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  const logs = [];
  return {
    url: server.url,
    logs,
    async page(path) {
      const page = await context.newPage();
      page.on('console', (m) => m.type() === 'error' && logs.push(`console: ${m.text()} (${m.location()?.url ?? '?'})`));
      page.on('pageerror', (e) => logs.push(`page error: ${e.message}`));
      await page.goto(new URL(path, server.url).href);
      return page;
    },
    async close() {
      await context.close();
      await server.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Waits until the page's data-state is one of `states` (default done) or error; throws with
 * the page's error message and console errors on error or timeout.
 */
export async function waitForState(page, logs, states = ['done'], timeout = 180_000) {
  try {
    await page.waitForFunction((s) => [...s, 'error'].includes(document.body.dataset.state), states, { timeout, polling: 100 });
  } catch (e) {
    const status = await page.textContent('#status').catch(() => '?');
    throw new Error(`page did not finish (status: ${status}); ${logs.join(' | ')}; ${e.message}`);
  }
  const state = await page.evaluate(() => document.body.dataset.state);
  if (state === 'error') {
    throw new Error(`page reported: ${await page.evaluate(() => window.demoError)}; ${logs.join(' | ')}`);
  }
}

/** Saves a full-page screenshot as build/test-artifacts/NAME.png and returns its path. */
export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Checks the runtime a page's model got, where the package reports it: without cross-origin
 * isolation there is no SharedArrayBuffer, so a threaded (-mt) variant must not be used.
 * Returns a short description for the test log.
 */
export function checkRuntime(runtime, mode) {
  if (!runtime?.variant) return 'runtime: not reported';
  if (!mode.isolation && runtime.variant.endsWith('-mt')) {
    throw new Error(`threaded variant ${runtime.variant} in a page without cross-origin isolation`);
  }
  return `runtime: ${runtime.variant}, ${runtime.numThreads} thread(s)`;
}
