// Every runtime variant in the package (simd128, simd128-mt, relaxed, relaxed-mt) against
// onnxruntime-node, each in its own Node process (relaxed SIMD needs
// --experimental-wasm-relaxed-simd in Node 20; browsers have it on). Also checks that the
// feature test picks the best variant the engine validates.
//
// Environment: WISP_WEB_DIST (the package folder; default build/web/dist).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

test.after(() => rmSync(work, { recursive: true, force: true }));
