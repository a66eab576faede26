// Every runtime variant in the package (simd128, simd128-mt, relaxed, relaxed-mt) against
// onnxruntime-node, each in its own Node process (relaxed SIMD needs
// --experimental-wasm-relaxed-simd in Node 20; browsers have it on). Also checks that the
// feature test picks the best variant the engine validates, and that the loader only picks
// variants that core/variants.mjs lists (packages holding only some of them).
//
// Environment: WISP_WEB_DIST (the package folder; default build/web/dist).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { models } from '../models/catalog.mjs';
import { compareTensor } from '../models/compare.mjs';
import { runReference } from '../models/targets.mjs';

const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const DIST = resolve(process.env.WISP_WEB_DIST ?? join(ROOT, 'build/web/dist'));
const MODULE = join(DIST, 'wisp.mjs');
const RELAXED_FLAG = '--experimental-wasm-relaxed-simd';
const CHOSEN = models().filter((m) => ['silero-vad-v5-16k', 'mobilenet_v2'].includes(m.name) && existsSync(m.path));

// Runs in the child: loads one variant, runs the models, prints the outputs as JSON.
const CHILD = `
import { readFileSync } from 'node:fs';
const { Model, init, features } = await import(process.env.WISP_MODULE);
const { variant, jobs } = JSON.parse(readFileSync(process.env.WISP_JOBS, 'utf8'));
const auto = await init();
const results = [];
for (const job of jobs) {
  const model = await Model.load(job.path, { variant, numThreads: 2 });
  const feeds = {};
  for (const [name, t] of Object.entries(job.feeds)) {
    feeds[name] = { dtype: t.dtype, dims: t.dims, data: t.dtype === 'int64' ? BigInt64Array.from(t.data.map(BigInt)) : Float32Array.from(t.data) };
  }
  const out = await model.run(feeds);
  results.push(Object.fromEntries(Object.entries(out).map(([k, t]) => [k, { dtype: t.dtype, dims: t.dims, data: Array.from(t.data, Number) }])));
  model.dispose();
}
console.log(JSON.stringify({ auto: auto.variant, features: features(), results }));
`;

const variants = [
  { name: 'simd128', flags: [] },
  { name: 'simd128-mt', flags: [] },
  { name: 'relaxed', flags: [RELAXED_FLAG] },
  { name: 'relaxed-mt', flags: [RELAXED_FLAG] },
];

const work = mkdtempSync(join(tmpdir(), 'wisp-variants-'));
const jobs = CHOSEN.map((m) => {
  const feeds = m.feeds();
  return {
    model: m,
    feeds,
    json: { path: m.path, feeds: Object.fromEntries(Object.entries(feeds).map(([name, t]) =>
      [name, { dtype: t.dtype, dims: t.dims, data: Array.from(t.data, (v) => (typeof v === 'bigint' ? v.toString() : v)) }])) },
  };
});
const references = [];
for (const job of jobs) references.push((await runReference(job.model.path, job.feeds)).outputs);

for (const variant of variants) {
  const present = existsSync(join(DIST, `core/wisp-${variant.name}.wasm`));
  test(`variant ${variant.name} matches onnxruntime`, { skip: !present && `core/wisp-${variant.name}.wasm not built` }, () => {
    const jobsFile = join(work, `${variant.name}.json`);
    writeFileSync(jobsFile, JSON.stringify({ variant: variant.name, jobs: jobs.map((j) => j.json) }));
    const result = spawnSync(process.execPath, [...variant.flags, '--input-type=module', '-e', CHILD], {
      encoding: 'utf8', timeout: 240000, maxBuffer: 256 << 20,
      env: { ...process.env, WISP_MODULE: MODULE, WISP_JOBS: jobsFile },
    });
    assert.equal(result.error, undefined, 'the child did not finish');
    assert.equal(result.status, 0, result.stderr);
    const { auto, features, results } = JSON.parse(result.stdout);
    // With the flag Node validates relaxed SIMD and init() picks the relaxed variant with threads.
    assert.equal(features.relaxedSimd, variant.flags.includes(RELAXED_FLAG));
    const relaxedBuilt = existsSync(join(DIST, 'core/wisp-relaxed-mt.wasm'));
    assert.equal(auto, features.relaxedSimd && relaxedBuilt ? 'relaxed-mt' : 'simd128-mt');
    results.forEach((outputs, i) => {
      for (const [name, want] of Object.entries(references[i])) {
        const got = outputs[name];
        assert.ok(got, `${jobs[i].model.name}: output ${name}`);
        const cmp = compareTensor({ ...got, data: Float32Array.from(got.data) }, want);
        assert.ok(cmp.ok, `${jobs[i].model.name} ${name}: ${cmp.message}`);
      }
    });
  });
}

// The loader's choice against what a package holds: a copy of the package (symlinks) whose
// core/variants.mjs lists only some variants, in Node with and without relaxed SIMD. The
// loader must pick the best listed variant the engine and the options allow, and never one
// that is not listed (a browser would fetch a missing file).
// wisp.mjs is copied, not linked: Node would resolve a link and import the real package's list.
let packages = 0;
function packageWith(list) {
  const dir = join(work, `package-${++packages}`);
  mkdirSync(join(dir, 'core'), { recursive: true });
  copyFileSync(MODULE, join(dir, 'wisp.mjs'));
  for (const file of readdirSync(join(DIST, 'core'))) {
    if (file !== 'variants.mjs') symlinkSync(join(DIST, 'core', file), join(dir, 'core', file));
  }
  writeFileSync(join(dir, 'core/variants.mjs'), `export default ${JSON.stringify(list)};\n`);
  return join(dir, 'wisp.mjs');
}

// Runs in the child: init() with each option set, prints the variant loaded or the error.
const CHOOSE = `
const { init } = await import(process.env.WISP_MODULE);
const answers = [];
for (const options of JSON.parse(process.env.WISP_OPTIONS)) {
  try { answers.push((await init(options)).variant); } catch (e) { answers.push('error: ' + e.message); }
}
console.log(JSON.stringify(answers));
`;

const OPTION_SETS = [{}, { threads: false }, { relaxedSimd: false }, { variant: 'relaxed' }];
// [variants listed, relaxed SIMD on, the answers for OPTION_SETS]
const SELECTION_CASES = [
  [['simd128', 'simd128-mt'], true, ['simd128-mt', 'simd128', 'simd128-mt', /no 'relaxed' variant/]],
  [['simd128', 'simd128-mt', 'relaxed-mt'], true, ['relaxed-mt', 'simd128', 'simd128-mt', /no 'relaxed' variant/]],
  [['simd128', 'simd128-mt', 'relaxed-mt'], false, ['simd128-mt', 'simd128', 'simd128-mt', /no 'relaxed' variant/]],
  [['simd128', 'simd128-mt', 'relaxed', 'relaxed-mt'], true, ['relaxed-mt', 'relaxed', 'simd128-mt', 'relaxed']],
  [['simd128', 'relaxed'], true, ['relaxed', 'relaxed', 'simd128', 'relaxed']],
];

for (const [list, relaxed, want] of SELECTION_CASES) {
  const missing = list.filter((v) => !existsSync(join(DIST, `core/wisp-${v}.wasm`)));
  test(`with variants ${list.join(', ')} and relaxed SIMD ${relaxed ? 'on' : 'off'}, init() picks the best listed one`,
    { skip: missing.length > 0 && `not built: ${missing.join(', ')}` }, () => {
      const result = spawnSync(process.execPath, [...(relaxed ? [RELAXED_FLAG] : []), '--input-type=module', '-e', CHOOSE], {
        encoding: 'utf8', timeout: 120000,
        env: { ...process.env, WISP_MODULE: packageWith(list), WISP_OPTIONS: JSON.stringify(OPTION_SETS) },
      });
      assert.equal(result.status, 0, result.stderr);
      const answers = JSON.parse(result.stdout);
      OPTION_SETS.forEach((options, i) => {
        const what = `${JSON.stringify(options)} -> ${answers[i]}`;
        if (want[i] instanceof RegExp) assert.match(answers[i], want[i], what);
        else assert.equal(answers[i], want[i], what);
      });
    });
}

test.after(() => rmSync(work, { recursive: true, force: true }));
