// A child process of bench/compare.mjs: loads one model in one Node-hosted runtime with a fixed
// thread count, then times batches of runs when the parent asks (IPC messages), so the
// parent can interleave runtimes without reloading models.
//
// usage (by compare.mjs, via fork): runner.mjs RUNTIME MODEL.onnx INPUTS.json THREADS
//   -> {ready, load_ms, info?} | {unsupported: why} | {error: message}
//   <- {batch: {warmup, runs}}  -> {times: [ms...]} | {error}
//   <- {exit: true}
import { readFileSync } from 'node:fs';
import { readNpy } from '../tests/lib/npy.mjs';
import { jsRuntimes, Unsupported } from './js_runtimes.mjs';
import { timeBatch } from './util.mjs';

const [runtime, modelPath, inputsJson, threadsText] = process.argv.slice(2);
// Sends a last message, then ends the process.
const finish = (msg) => process.send(msg, () => process.exit(0));
const message = (e) => (e && e.message ? e.message : String(e)).split('\n')[0];

async function main() {
  const load = jsRuntimes[runtime];
  if (!load) throw new Error(`unknown runtime '${runtime}'`);
  const feeds = Object.fromEntries(Object.entries(JSON.parse(readFileSync(inputsJson, 'utf8')))
    .map(([name, file]) => [name, readNpy(file)]));
  const t0 = performance.now();
  let session;
  try {
    session = await load(modelPath, Number(threadsText));
  } catch (e) {
    finish(e instanceof Unsupported ? { unsupported: e.message } : { error: `load: ${message(e)}` });
    return;
  }
  const loadMs = performance.now() - t0;
  process.send({ ready: true, load_ms: loadMs, info: session.info });

  process.on('message', async (msg) => {
    if (msg.exit) {
      await session.release().catch(() => {});
      process.exit(0);  // worker threads of a wasm runtime would keep the process alive
    }
    try {
      process.send({ times: await timeBatch(() => session.run(feeds), msg.batch) });
    } catch (e) {
      process.send({ error: `run: ${message(e)}` });
    }
  });
}

main().catch((e) => finish({ error: message(e) }));
