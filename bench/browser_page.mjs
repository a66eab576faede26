// Runs in the benchmark's Chromium page (bench/browser_runtimes.mjs drives it): loads one model
// in one runtime with a fixed thread count, then times batches of runs, as bench/runner.mjs
// does in Node. URLs: /repo/ is the repository, /wisp/ the web package (demo/server.mjs).
import { decodeNpy } from '/repo/tests/lib/npy_codec.mjs';
import { timeBatch } from '/repo/bench/util.mjs';

const ORT_WEB = '/repo/node_modules/onnxruntime-web/dist/ort.min.mjs';
const message = (e) => (e && e.message ? e.message : String(e)).split('\n')[0];

async function fetchBytes(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

const loaders = {
  async 'wisp-chromium'(modelUrl, threads, variant) {
    const { Model } = await import('/wisp/wisp.mjs');
    const model = await Model.load(modelUrl, { numThreads: threads, ...(variant && { variant }) });
    if (model.numThreads !== threads) {
      model.dispose();
      return { unsupported: `asked for ${threads} threads, the ${model.variant} build runs ${model.numThreads}` };
    }
    return { run: (feeds) => model.run(feeds), release: () => model.dispose(), info: { variant: model.variant } };
  },
  async 'ort-web-chromium'(modelUrl, threads) {
    const ort = await import(ORT_WEB);
    ort.env.wasm.numThreads = threads;  // once per page: each runtime instance has its own page
    const session = await ort.InferenceSession.create(modelUrl, { executionProviders: ['wasm'] });
    const toOrt = (feeds) => Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new ort.Tensor(t.dtype, t.data, t.dims)]));
    return { run: (feeds) => session.run(toOrt(feeds)), release: () => session.release() };
  },
};

let loaded = null;
let feeds = null;

/** {runtime, modelUrl, inputUrls: {name: url of a .npy}, threads, variant?} -> {load_ms, info} | {unsupported} | {error} */
export async function load({ runtime, modelUrl, inputUrls, threads, variant }) {
  try {
    feeds = {};
    for (const [name, url] of Object.entries(inputUrls)) feeds[name] = decodeNpy(await fetchBytes(url));
    const t0 = performance.now();
    const result = await loaders[runtime](modelUrl, threads, variant);
    if (result.unsupported) return result;
    loaded = result;
    return { load_ms: performance.now() - t0, info: result.info };
  } catch (e) {
    return { error: `load: ${message(e)}` };
  }
}

/** {warmup: {runs, ms}, runs} -> {times: [ms...]} | {error} */
export async function batch(request) {
  try {
    return { times: await timeBatch(() => loaded.run(feeds), request) };
  } catch (e) {
    return { error: `run: ${message(e)}` };
  }
}

export async function release() {
  await loaded?.release();
  loaded = null;
}
