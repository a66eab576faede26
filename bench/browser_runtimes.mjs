// The Chromium runtimes of bench/compare.mjs (`--browser`): Wisp's web package and
// onnxruntime-web, each in a page of its own in one shared headless Chromium (Debian's, driven
// by playwright-core as in the browser tests), served with cross-origin isolation so that
// both can use threads. The page side is bench/browser_page.mjs; this is the parent's side,
// with the interface of bench/runtimes.mjs: start(), batch(warmup, runs), close().
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { ROOT, WISP_DIST, startSession } from '../tests/browser/harness.mjs';
import { WEB_VARIANT } from './js_runtimes.mjs';
import { medianOf, withTimeout } from './util.mjs';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export const BROWSER_RUNTIMES = {
  'wisp-chromium': { label: 'Wisp-chrome', what: `Wisp web package (${WISP_DIST}) in Chromium`,
    available: () => existsSync(CHROMIUM) && existsSync(`${WISP_DIST}/wisp.mjs`) },
  'ort-web-chromium': { label: 'ORT-chrome', what: 'onnxruntime-web (wasm) in Chromium', available: () => existsSync(CHROMIUM) },
};

let session = null;  // Promise of the shared server + browser

function browserSession() {
  session ??= startSession({ isolation: true, mounts: [['/repo/', ROOT]] });
  return session;
}

/** Closes the shared browser, if one was started. */
export async function closeBrowser() {
  if (session) await (await session).close();
  session = null;
}

const repoUrl = (path) => {
  const rel = relative(ROOT, path);
  if (rel.startsWith('..')) throw new Error(`${path} is outside the repository, which the page cannot fetch`);
  return `/repo/${rel.split('\\').join('/')}`;
};


export class BrowserRuntime {
  constructor(name, model, inputs, threads, timeoutMs) {
    Object.assign(this, { name, model, inputs, threads, timeoutMs });
  }

  async #call(fn, arg, what) {
    const answer = await withTimeout(this.page.evaluate(async ([f, a]) => (await import('/repo/bench/browser_page.mjs'))[f](a), [fn, arg]),
      this.timeoutMs, `${this.name} ${what}`);
    if (answer?.error) throw new Error(answer.error);
    return answer;
  }

  async start() {
    this.page = await (await browserSession()).page('/repo/bench/browser.html');
    const inputUrls = Object.fromEntries(Object.entries(this.inputs).map(([k, f]) => [k, repoUrl(f)]));
    const msg = await this.#call('load', { runtime: this.name, modelUrl: repoUrl(this.model.path), inputUrls, threads: this.threads,
      variant: WEB_VARIANT }, 'load');
    if (msg.unsupported) return { unsupported: msg.unsupported };
    this.loadMs = msg.load_ms;
    this.info = msg.info;
    return {};
  }

  async batch(warmup, runs) {
    const { times } = await this.#call('batch', { warmup, runs }, 'batch');
    return { median: medianOf(times), min: Math.min(...times), load: this.loadMs, info: this.info };
  }

  async close() {
    if (!this.page) return;
    await this.page.evaluate(async () => (await import('/repo/bench/browser_page.mjs')).release()).catch(() => {});
    await this.page.close().catch(() => {});
    this.page = null;
  }
}
