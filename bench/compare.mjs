// Wisp vs onnxruntime-node on the same models, inputs, thread count and machine, printed side
// by side in one run.
//
// usage: node bench/compare.mjs [--threads N] [--runs N] [--models a,b,...]
//   (WISP_CLI picks the wisp binary; default build/native/wisp)
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import ort from 'onnxruntime-node';
import { lightFeeds, models, ROOT } from '../tests/models/catalog.mjs';
import { NATIVE_CLI, sanitize } from '../tests/models/targets.mjs';
import { writeNpy } from '../tests/lib/npy.mjs';

const { values: args } = parseArgs({
  options: { threads: { type: 'string', default: '1' }, runs: { type: 'string', default: '10' }, models: { type: 'string' } },
});
const threads = Number(args.threads), runs = Number(args.runs);
const only = args.models?.split(',');
const WORK = join(ROOT, 'build/bench');

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

async function benchOrt(path, feeds) {
  const t0 = performance.now();
  const session = await ort.InferenceSession.create(path, { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential' });
  const load = performance.now() - t0;
  const ortFeeds = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new ort.Tensor(t.dtype, t.data, t.dims)]));
  await session.run(ortFeeds);  // warm-up
  const times = [];
  for (let i = 0; i < runs; ++i) {
    const t = performance.now();
    await session.run(ortFeeds);
    times.push(performance.now() - t);
  }
  await session.release?.();
  return { load, min: Math.min(...times), median: median(times), max: Math.max(...times) };
}

function benchWisp(name, path, feeds) {
  const dir = join(WORK, name);
  mkdirSync(dir, { recursive: true });
  const inputs = Object.entries(feeds).flatMap(([k, t]) => {
    const file = join(dir, `${sanitize(k)}.npy`);
    writeNpy(file, t);
    return ['--input', `${k}=${file}`];
  });
  const r = spawnSync(NATIVE_CLI, ['bench', path, ...inputs, '--threads', String(threads), '--runs', String(runs), '--warmup', '1', '--json'], { encoding: 'utf8' });
  if (r.status !== 0) return { error: (r.stderr || r.stdout).trim().split('\n').pop() };
  const j = JSON.parse(r.stdout);
  return { load: j.load_ms, min: j.min_ms, median: j.median_ms, max: j.max_ms };
}

const rows = [];
for (const model of models().filter((m) => !only || only.includes(m.name))) {
  let feeds;
  if (model.light) {
    const s = await ort.InferenceSession.create(model.path);
    feeds = lightFeeds(s.inputNames[0]);
  } else {
    feeds = model.feeds();
  }
  const o = await benchOrt(model.path, feeds);
  const w = benchWisp(model.name, model.path, feeds);
  rows.push({ model: model.name, ort: o, wisp: w });
  process.stderr.write(`${model.name} done\n`);
}

const f = (x) => (x === undefined ? '-' : x.toFixed(2));
console.log(`threads: ${threads}, runs: ${runs} (times in ms; ratio = ORT median / Wisp median, > 1 means Wisp is faster)`);
console.log('model                      wisp load  wisp min  wisp median   ort load   ort min  ort median   ratio');
for (const { model, ort: o, wisp: w } of rows) {
  if (w.error) {
    console.log(`${model.padEnd(26)} wisp failed: ${w.error}`);
    continue;
  }
  console.log(`${model.padEnd(26)}${f(w.load).padStart(10)}${f(w.min).padStart(10)}${f(w.median).padStart(13)}${f(o.load).padStart(11)}${f(o.min).padStart(10)}${f(o.median).padStart(12)}${(o.median / w.median).toFixed(2).padStart(8)}`);
}
