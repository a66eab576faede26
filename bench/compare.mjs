// Wisp against ONNX Runtime on the same models, inputs, thread counts and machine, native and
// wasm, printed side by side in one run.
//
// usage: node bench/compare.mjs [options]
//   --runs N         timed runs per runtime, model and thread count (default 20; --quick: 4)
//   --reps N         rounds the runs are split into (default 5; --quick: 2): each round runs
//                    one batch of runs/reps on every runtime in turn, so noise on this machine
//                    hits all runtimes alike
//   --warmup N       untimed runs at the start of every batch (default 1)
//   --warmup-ms MS   JS-hosted runtimes (wasm, onnxruntime-node) also warm up for at least MS
//                    milliseconds per batch (default 300): wasm engines optimize hot code late
//   --threads LIST   thread counts, e.g. 1,2 (default 1,2)
//   --models LIST    a subset of the models (default: all; --list shows them)
//   --runtimes LIST  a subset of wisp,ort,wisp-wasm,ort-web,wisp-chromium,ort-web-chromium
//                    (default: the first four; with --browser all six)
//   --browser        also time both wasm runtimes in Chromium (the same page setup as the
//                    browser tests, cross-origin isolated; CHROMIUM, default /usr/bin/chromium)
//   --quick          few runs: checks that everything works, numbers are rough
//   --timeout S      seconds a load or batch may take before it counts as failed (default 600)
//   --json FILE      where to write the results (default build/bench/compare.json)
//   --profile        also run `wisp bench --profile` per model and thread count into
//                    build/bench/profile/ (when the CLI has that option; says so when not)
//   --list           print the model names and exit
//
// Runtimes, each in child processes of its own (a new one per model and thread count):
//   wisp       the native CLI, `wisp bench` (WISP_CLI, default build/native/wisp)
//   ort        onnxruntime-node (intraOpNumThreads = threads)
//   wisp-wasm  the web build in Node (WISP_WEB, default build/web/dist/wisp.mjs), with
//              Model.load(path, {numThreads}) when the build has it, else n/a above 1 thread
//   ort-web    onnxruntime-web's wasm backend in Node (ort.env.wasm.numThreads = threads)
//   wisp-chromium, ort-web-chromium
//              the same two in headless Chromium, one page per model and thread count
//              (bench/browser_runtimes.mjs, bench/browser_page.mjs)
//
// Output: per model and thread count, the median run time in ms of each runtime (the median
// of its batch medians), the ratios Wisp/ORT and Wisp-wasm/ORT-web (< 1: Wisp is faster), and
// for the synthetic models the rate of each runtime: GFLOP/s for MatMul, GB/s (bytes of the
// weight matrix read per run) for GEMV. The same goes to build/bench/compare.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { NATIVE_CLI } from '../tests/models/targets.mjs';
import { benchModels, prepareInputs, WORK } from './models.mjs';
import { closeBrowser } from './browser_runtimes.mjs';
import { makeRuntime, RUNTIMES } from './runtimes.mjs';
import { medianOf } from './util.mjs';
import { formatTable, summarize } from './report.mjs';

const OPTIONS = {
  runs: { type: 'string' }, reps: { type: 'string' }, warmup: { type: 'string', default: '1' }, 'warmup-ms': { type: 'string', default: '300' },
  threads: { type: 'string', default: '1,2' }, models: { type: 'string' }, runtimes: { type: 'string' },
  quick: { type: 'boolean', default: false }, timeout: { type: 'string', default: '600' },
  json: { type: 'string', default: join(WORK, 'compare.json') }, profile: { type: 'boolean', default: false },
  list: { type: 'boolean', default: false }, browser: { type: 'boolean', default: false },
};

function fail(message) {
  console.error(`compare: ${message}`);
  process.exit(2);
}

let args;
try {
  ({ values: args } = parseArgs({ options: OPTIONS }));
} catch (e) {
  fail(`${e.message} (options are described at the top of bench/compare.mjs)`);
}

function positiveInt(text, what, min = 1) {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) fail(`${what} must be an integer >= ${min}, got '${text}'`);
  return n;
}

const list = (text) => text.split(',').map((s) => s.trim()).filter(Boolean);
const { byName, defaults } = benchModels();
if (args.list) {
  console.log(`default: ${defaults.join(' ')}\nalso: ${[...byName.keys()].filter((n) => !defaults.includes(n)).join(' ')}`);
  process.exit(0);
}

const runs = positiveInt(args.runs ?? (args.quick ? '4' : '20'), '--runs');
const reps = Math.min(runs, positiveInt(args.reps ?? (args.quick ? '2' : '5'), '--reps'));
const warmup = { runs: positiveInt(args.warmup, '--warmup', 0), ms: positiveInt(args['warmup-ms'], '--warmup-ms', 0) };
const timeoutMs = positiveInt(args.timeout, '--timeout') * 1000;
const threadCounts = list(args.threads).map((t) => positiveInt(t, '--threads'));
const NODE_RUNTIMES = ['wisp', 'ort', 'wisp-wasm', 'ort-web'];
const runtimeNames = args.runtimes ? list(args.runtimes) : args.browser ? Object.keys(RUNTIMES) : NODE_RUNTIMES;
for (const r of runtimeNames) if (!RUNTIMES[r]) fail(`unknown runtime '${r}' (known: ${Object.keys(RUNTIMES).join(', ')})`);
const modelNames = args.models ? list(args.models) : defaults;
for (const m of modelNames) if (!byName.has(m)) fail(`unknown model '${m}' (see --list)`);

// Batch sizes: runs spread over reps rounds as evenly as possible.
const batchSizes = Array.from({ length: reps }, (_, i) => Math.floor(runs / reps) + (i < runs % reps ? 1 : 0));

const available = Object.fromEntries(runtimeNames.map((r) => [r, RUNTIMES[r].available()]));
const log = (text) => process.stderr.write(`${text}\n`);
log(`runs ${runs} in ${reps} rounds (+${warmup.runs} warm-up runs per batch, ${warmup.ms} ms for JS-hosted runtimes), threads ${threadCounts.join(',')}`);
for (const r of runtimeNames) log(`  ${r}: ${RUNTIMES[r].what}${available[r] ? '' : ' -- not built, skipped'}`);

// Runs one model at one thread count on every runtime, interleaved round by round.
async function benchPair(model, inputs, inputsFile, threads) {
  const result = {};
  const live = [];
  for (const name of runtimeNames) {
    if (!available[name]) { result[name] = { missing: true }; continue; }
    const rt = makeRuntime(name, model, inputs, inputsFile, threads, timeoutMs);
    try {
      const started = await rt.start();
      if (started.unsupported) { result[name] = { unsupported: started.unsupported }; await rt.close(); continue; }
      live.push({ name, rt, batches: [] });
    } catch (e) {
      result[name] = { error: e.message };
      await rt.close();
    }
  }
  for (let round = 0; round < reps; ++round) {
    // Rotating the order keeps any runtime from always following the same one.
    for (let i = 0; i < live.length; ++i) {
      const entry = live[(i + round) % live.length];
      if (entry.error) continue;
      // A short pause lets the previous runtime's worker threads stop spinning first.
      await new Promise((resolve) => setTimeout(resolve, 20));
      try {
        entry.batches.push(await entry.rt.batch(warmup, batchSizes[round]));
      } catch (e) {
        entry.error = e.message;
      }
    }
  }
  for (const { name, rt, batches, error } of live) {
    await rt.close();
    if (error) { result[name] = { error }; continue; }
    result[name] = {
      median_ms: medianOf(batches.map((b) => b.median)),
      min_ms: Math.min(...batches.map((b) => b.min)),
      load_ms: medianOf(batches.map((b) => b.load)),
      batch_medians_ms: batches.map((b) => b.median),
      ...(batches[0]?.info && { info: batches[0].info }),
    };
  }
  return result;
}

// `wisp bench --profile`: run it when the CLI has it, else say so once.
function wispBenchHasProfile() {
  const r = spawnSync(NATIVE_CLI, ['bench', '--help'], { encoding: 'utf8' });
  return /--profile\b/.test(`${r.stdout}${r.stderr}`);
}
let profileDir = null;
if (args.profile) {
  if (!RUNTIMES.wisp.available()) log('--profile: no Wisp CLI built');
  else if (!wispBenchHasProfile()) log(`--profile: ${NATIVE_CLI} bench has no --profile option (yet); skipped`);
  else mkdirSync(profileDir = join(WORK, 'profile'), { recursive: true });
}

const rows = [];
for (const name of modelNames) {
  const model = byName.get(name);
  let inputs;
  try {
    inputs = prepareInputs(model);
  } catch (e) {
    log(`${name}: ${e.message}`);
    for (const threads of threadCounts) rows.push({ model: name, threads, error: e.message, runtimes: {} });
    continue;
  }
  const inputsFile = join(WORK, 'inputs', name, 'inputs.json');
  for (const threads of threadCounts) {
    const t0 = performance.now();
    const runtimes = await benchPair(model, inputs, inputsFile, threads);
    rows.push({ model: name, threads, work: model.work, runtimes });
    log(`${name} x${threads}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    if (profileDir) {
      const r = spawnSync(NATIVE_CLI, ['bench', model.path, ...Object.entries(inputs).flatMap(([k, f]) => ['--input', `${k}=${f}`]),
        '--threads', String(threads), '--runs', String(batchSizes[0]), '--profile'], { encoding: 'utf8' });
      writeFileSync(join(profileDir, `${name}-t${threads}.txt`), `${r.stdout}${r.stderr}`);
    }
  }
}

await closeBrowser();
const summary = rows.map(summarize);
const table = formatTable(summary, runtimeNames);
console.log(`runs ${runs} (${reps} rounds), median ms; Wisp/ORT, Wisp-wasm/ORT-web and Wisp-chrome/ORT-chrome < 1 mean Wisp is faster`);
console.log(table.text);
for (const note of table.notes) console.log(note);
for (const name of ['wisp-wasm', 'wisp-chromium']) {
  const variants = new Set(summary.flatMap((s) => s.runtimes[name]?.info?.variant ?? []));
  if (variants.size) console.log(`${name} variant: ${[...variants].join(', ')}`);
}

const report = {
  date: new Date().toISOString(),
  machine: { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version },
  options: { runs, reps, warmup, threads: threadCounts, runtimes: runtimeNames, quick: args.quick },
  runtimes: Object.fromEntries(runtimeNames.map((r) => [r, RUNTIMES[r].what])),
  results: summary,
};
mkdirSync(dirname(args.json), { recursive: true });
writeFileSync(args.json, `${JSON.stringify(report, null, 1)}\n`);
log(`wrote ${args.json}`);
