// The runtimes that run inside a Node process (bench/runner.mjs loads one of them per child):
// each `load(path, threads)` returns { run(feeds), release(), info? } or throws; an Unsupported error
// means "this runtime cannot run with that many threads" (reported n/a, not as a failure).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../tests/models/catalog.mjs';

export const WEB_MODULE = process.env.WISP_WEB ?? join(ROOT, 'build/web/dist/wisp.mjs');
// WISP_WEB_VARIANT=NAME (e.g. simd128-mt, relaxed-mt) loads that runtime variant instead of
// the one the loader would pick, to compare variants (wisp-wasm and wisp-chromium).
export const WEB_VARIANT = process.env.WISP_WEB_VARIANT || undefined;

export class Unsupported extends Error {}

// Whether the Wisp web package takes Model.load(src, {numThreads}). The package announces it
// in its types (wisp.d.ts) or its loader; probing the source keeps this working before and
// after the threaded build lands.
export function wispWasmThreadsSupported() {
  for (const file of ['wisp.d.ts', 'wisp.mjs']) {
    try {
      if (/numThreads/.test(readFileSync(join(WEB_MODULE, '..', file), 'utf8'))) return true;
    } catch { /* missing file: look at the next one */ }
  }
  return false;
}

const toOrtFeeds = (ort, feeds) =>
  Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new ort.Tensor(t.dtype, t.data, t.dims)]));

// onnxruntime-node and onnxruntime-web share their API; only the threading knob differs.
async function loadOrt(ort, path, options) {
  const session = await ort.InferenceSession.create(path, options);
  return {
    run: async (feeds) => session.run(toOrtFeeds(ort, feeds)),
    release: async () => session.release?.(),
  };
}

export const jsRuntimes = {
  'wisp-wasm': async (path, threads) => {
    const supported = wispWasmThreadsSupported();
    if (threads > 1 && !supported) throw new Unsupported('this Wisp web build has no numThreads option');
    const { Model } = await import(WEB_MODULE);
    const model = await Model.load(path, { ...(supported && { numThreads: threads }), ...(WEB_VARIANT && { variant: WEB_VARIANT }) });
    // A single-thread variant (no wasm threads or SharedArrayBuffer here) quietly runs with 1.
    if (model.numThreads !== undefined && model.numThreads !== threads) {
      model.dispose();
      throw new Unsupported(`asked for ${threads} threads, the ${model.variant ?? ''} build runs ${model.numThreads}`);
    }
    return {
      run: (feeds) => model.run(feeds),
      release: async () => model.dispose(),
      info: { variant: model.variant, numThreads: model.numThreads },
    };
  },
  ort: async (path, threads) => {
    const ort = (await import('onnxruntime-node')).default;
    return loadOrt(ort, path, { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential' });
  },
  'ort-web': async (path, threads) => {
    // In Node the package's main entry is dist/ort.node.min.mjs (the wasm backend).
    const ort = await import('onnxruntime-web');
    ort.env.wasm.numThreads = threads;
    return loadOrt(ort, path, { executionProviders: ['wasm'] });
  },
};
