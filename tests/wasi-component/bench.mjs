#!/usr/bin/env node
// Load and run times of Wisp's wasi:nn component (each variant that is built: SIMD128, relaxed
// SIMD) next to the native CLI, on PP-OCRv4 rec and Silero VAD v5 (.onnx). Not a test (node
// --test does not pick this file up): run it on a quiet machine.
//
//   node tests/wasi-component/bench.mjs [--runs N]      (default 10)
//
// Component: `graph.load` from bytes in memory and one `compute` (inputs in, outputs copied
// out), timed in this process; "first" is the first call of a fresh instance (V8 compiles the
// module lazily, so it includes compilation), then the median of N more. Native: `wisp run
// --json` in a new process for the first load and run, `wisp bench --runs N` for the median
// run, the median load of N `wisp run` processes; one thread, like the component.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { writeNpy } from '../lib/npy.mjs';
import { models } from '../models/catalog.mjs';
import { NATIVE_CLI, sanitize } from '../models/targets.mjs';
import { VARIANTS, WORK_DIR, dispose, instantiate, run } from './component.mjs';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 10;
const CASES = ['ppocr-v4-rec', 'silero-vad-v5-16k'];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => x.toFixed(1);

function time(fn) {
  const t0 = performance.now();
  const value = fn();
  return [performance.now() - t0, value];
}

async function componentTimes(variant, model) {
  const feeds = model.feeds();
  const bytes = readFileSync(model.path);
  const { nn } = await instantiate({ variant });
  const load = () => nn.graph.load([new Uint8Array(bytes)], 'onnx', 'cpu');
  const [firstLoad, graph] = time(load);
  const context = graph.initExecutionContext();
  const [firstRun] = time(() => run(nn, context, feeds));
  const loads = [], runs = [];
  for (let i = 0; i < RUNS; ++i) {
    const [t, g] = time(load);
    loads.push(t);
    dispose(g);
  }
  for (let i = 0; i < RUNS; ++i) runs.push(time(() => run(nn, context, feeds))[0]);
  return { firstLoad, firstRun, load: median(loads), run: median(runs) };
}

function cli(args) {
  const result = spawnSync(NATIVE_CLI, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.status !== 0) throw new Error(`wisp ${args.join(' ')}: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

function nativeTimes(model) {
  const dir = join(WORK_DIR, `bench-${model.name}`);
  mkdirSync(dir, { recursive: true });
  const inputs = Object.entries(model.feeds()).flatMap(([name, tensor]) => {
    const file = join(dir, `${sanitize(name)}.npy`);
    writeNpy(file, tensor);
    return ['--input', `${name}=${file}`];
  });
  const first = cli(['run', model.path, ...inputs, '--threads', '1', '--json']);
  const loads = [];
  for (let i = 0; i < RUNS; ++i) loads.push(cli(['run', model.path, ...inputs, '--threads', '1', '--json']).load_ms);
  const bench = cli(['bench', model.path, ...inputs, '--threads', '1', '--runs', String(RUNS), '--warmup', '0', '--json']);
  return { firstLoad: first.load_ms, firstRun: first.run_ms, load: median(loads), run: bench.median_ms };
}

const rows = [];
for (const name of CASES) {
  const model = models().find((m) => m.name === name);
  const row = { model: name, native: nativeTimes(model) };
  for (const variant of VARIANTS) {
    if (existsSync(variant.component)) row[variant.name] = await componentTimes(variant, model);
  }
  rows.push(row);
  process.stderr.write(`${name} done\n`);
}

const columns = ['native', ...VARIANTS.map((v) => v.name).filter((v) => rows[0][v])];
console.log(`Node ${process.version}, ${os.cpus()[0].model}, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}; ` +
  `first call / median of ${RUNS}, ms`);
console.log(`| model | ${columns.map((c) => `${c} load | ${c} run`).join(' | ')} |`);
console.log(`|---|${columns.map(() => '---|---|').join('')}`);
for (const row of rows) {
  const cells = columns.map((c) => {
    const t = row[c];
    return `${ms(t.firstLoad)} / ${ms(t.load)} | ${ms(t.firstRun)} / ${ms(t.run)}`;
  });
  console.log(`| ${row.model} | ${cells.join(' | ')} |`);
}
mkdirSync(WORK_DIR, { recursive: true });
writeFileSync(join(WORK_DIR, 'bench.json'), JSON.stringify({ node: process.version, loadavg: os.loadavg(), runs: RUNS, rows }, null, 2));
