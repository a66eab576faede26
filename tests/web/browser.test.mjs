// The package in Chromium (Debian's, driven by playwright-core; tests/browser/harness.mjs):
// with cross-origin isolation a threaded variant loads and runs off the main thread; without
// it (no SharedArrayBuffer) the single-thread variant loads, without an error. Model download
// progress, concurrent runs and the results (against the same model run in Node) are checked.
//
// Environment: WISP_WEB_DIST (the package folder; default build/web/dist), CHROMIUM.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MODES, ROOT, WISP_DIST, startSession } from '../browser/harness.mjs';
import { compareTensor } from '../models/compare.mjs';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const skip = !existsSync(CHROMIUM) ? `${CHROMIUM} is missing` : !existsSync(join(WISP_DIST, 'wisp.mjs')) && 'no web build';

// Runs in the page: served under /wisp/ (the package) and /models/ (node_modules).
async function inPage() {
  const { Model, features } = await import('/wisp/wisp.mjs');
  const progress = [];
  const model = await Model.load('/models/@ricky0123/vad-web/dist/silero_vad_v5.onnx',
    { onProgress: (p) => progress.push(p) });
  const feeds = (seed) => {
    const input = new Float32Array(512);
    for (let i = 0; i < 512; ++i) input[i] = Math.sin(i * 0.05 * seed) * 0.3;
    return { input: { dims: [1, 512], data: input }, state: { dims: [2, 1, 128], data: new Float32Array(256) },
      sr: { dtype: 'int64', dims: [], data: BigInt64Array.from([16000n]) } };
  };
  // The main thread counts animation-frame-like ticks while four runs are in flight.
  let ticks = 0;
  const timer = setInterval(() => ++ticks, 0);
  const outs = await Promise.all([1, 2, 1, 2].map((s) => model.run(feeds(s))));
  clearInterval(timer);
  const same = (a, b) => a.output.data[0] === b.output.data[0] && a.stateN.data.every((v, i) => v === b.stateN.data[i]);
  const result = {
    features: features(), isolated: globalThis.crossOriginIsolated, variant: model.variant, numThreads: model.numThreads,
    progress: { count: progress.length, last: progress.at(-1) }, ticks,
    concurrentSame: same(outs[0], outs[2]) && same(outs[1], outs[3]),
    output: Array.from(outs[0].output.data), stateN: Array.from(outs[0].stateN.data),
  };
  model.dispose();
  return result;
}

// The page's first feeds, run in Node by the package's single-thread variant.
async function nodeReference() {
  const { Model } = await import(join(WISP_DIST, 'wisp.mjs'));
  const model = await Model.load(join(ROOT, 'node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx'), { threads: false });
  const input = new Float32Array(512);
  for (let i = 0; i < 512; ++i) input[i] = Math.sin(i * 0.05) * 0.3;
  const out = await model.run({ input: { dims: [1, 512], data: input }, state: { dims: [2, 1, 128], data: new Float32Array(256) },
    sr: { dtype: 'int64', dims: [], data: BigInt64Array.from([16000n]) } });
  model.dispose();
  return out;
}

for (const mode of MODES) {
  describe(`package in Chromium (${mode.label})`, { skip }, () => {
    let session;
    before(async () => {
      session = await startSession(mode);
    });
    after(async () => session?.close());

    test('loads the right variant and runs Silero VAD', async () => {
      const page = await session.page('/');
      const r = await page.evaluate(inPage);
      await page.close();
      assert.equal(r.isolated, mode.isolation);
      assert.equal(r.features.threads, mode.isolation);
      assert.equal(r.variant.endsWith('-mt'), mode.isolation, r.variant);
      // Chromium has relaxed SIMD on: the relaxed flavour of that variant when the package has it.
      const plain = mode.isolation ? 'simd128-mt' : 'simd128', relaxed = mode.isolation ? 'relaxed-mt' : 'relaxed';
      const relaxedBuilt = existsSync(join(WISP_DIST, `core/wisp-${relaxed}.wasm`));
      assert.equal(r.variant, r.features.relaxedSimd && relaxedBuilt ? relaxed : plain);
      assert.ok(mode.isolation ? r.numThreads >= 1 : r.numThreads === 1);
      assert.ok(r.progress.count >= 2 && r.progress.last.loaded > 1e6, JSON.stringify(r.progress));
      assert.ok(r.concurrentSame);
      if (mode.isolation) assert.ok(r.ticks >= 1, `main thread ticks during runs: ${r.ticks}`);
      assert.equal(r.output.length, 1);
      assert.ok(r.output[0] >= 0 && r.output[0] <= 1);
      const reference = await nodeReference();
      for (const name of ['output', 'stateN']) {
        const cmp = compareTensor({ ...reference[name], data: Float32Array.from(r[name]) }, reference[name]);
        assert.ok(cmp.ok, `${name} vs Node: ${cmp.message}`);
      }
      assert.deepEqual(session.logs, []);
    });
  });
}
