// Real models on every target against onnxruntime-node: same inputs, outputs within
// 1e-4 relative / 1e-5 absolute; the .wisp conversion must give bit-identical outputs.
// Targets come from WISP_TARGETS (default: native,wasi,web); a listed target whose build is
// missing fails rather than being skipped. WISP_MODELS (comma-separated catalog names) runs a
// subset (.ci/hardening does, under ASan), WISP_SKIP_MODELS leaves some out (.ci/test does on
// NEON); a name that is not in the catalog fails.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lightFeeds, models, ROOT } from './catalog.mjs';
import { compareTensor, identical, roundingNoise } from './compare.mjs';
import { NATIVE_CLI, referenceInputNames, runReference, targets } from './targets.mjs';

const WORK = join(ROOT, 'build/model-tests');
const TARGETS = (process.env.WISP_TARGETS ?? 'native,wasi,web').split(',').filter(Boolean);
const names = (variable) => (process.env[variable] ? process.env[variable].split(',').filter(Boolean) : null);
const ONLY = names('WISP_MODELS');
const SKIP = names('WISP_SKIP_MODELS') ?? [];
const MODELS = models();
// A misspelt name would otherwise select (or skip) nothing without a word.
for (const [variable, list] of [['WISP_MODELS', ONLY ?? []], ['WISP_SKIP_MODELS', SKIP]]) {
  const unknown = list.filter((name) => !MODELS.some((m) => m.name === name));
  if (unknown.length) {
    throw new Error(`${variable}: unknown model ${unknown.join(', ')}; known: ${MODELS.map((m) => m.name).join(', ')}`);
  }
}
const summary = [];
// Pairs that run but are reported as TODO (node:test shows them, and does not fail on them),
// each with what is known. Not a tolerance: a pair that starts passing is listed as such.
// (None now: light-inception_v1 on WASI was one until wasi/run-wasi.mjs learnt to work around
// Node 20's GC crash during wasm memory growth; see PREGROW_BYTES there.)
const KNOWN_FAILURES = {};

function checkOutputs(actual, reference, noise, label) {
  const errors = {};
  for (const [name, expected] of Object.entries(reference)) {
    assert.ok(actual[name], `${label}: output '${name}' is missing`);
    const r = compareTensor(actual[name], expected, undefined, undefined, noise[name]);
    assert.ok(r.ok, `${label}: output '${name}': ${r.message}`);
    errors[name] = r.maxAbs;
  }
  return Math.max(...Object.values(errors));
}

for (const model of MODELS.filter((m) => (!ONLY || ONLY.includes(m.name)) && !SKIP.includes(m.name))) {
  describe(model.name, () => {
    let feeds, reference;
    const noise = {};
    before(async () => {
      feeds = model.light ? lightFeeds((await referenceInputNames(model.path))[0]) : model.feeds();
      reference = (await runReference(model.path, feeds)).outputs;
      const unoptimized = (await runReference(model.path, feeds, { optimized: false })).outputs;
      for (const name of Object.keys(reference)) noise[name] = roundingNoise(reference[name], unoptimized[name]);
    });

    for (const target of TARGETS) {
      test(`${target} matches onnxruntime`, { todo: KNOWN_FAILURES[`${model.name} ${target}`] }, async () => {
        assert.ok(targets[target], `unknown target ${target}`);
        assert.ok(targets[target].available(), `${target} build is missing`);
        const started = performance.now();
        const outputs = await targets[target].run(model.path, feeds, Object.keys(reference), join(WORK, model.name, target));
        const maxAbs = checkOutputs(outputs, reference, noise, target);
        summary.push({ model: model.name, target, maxAbsError: maxAbs, ortRoundingNoise: Math.max(...Object.values(noise)), seconds: (performance.now() - started) / 1000 });
      });
    }

    if (TARGETS.includes('native')) {
      test('.wisp gives the same outputs as .onnx', async () => {
        const dir = join(WORK, model.name, 'wisp-format');
        mkdirSync(dir, { recursive: true });
        const converted = join(dir, 'model.wisp');
        const r = spawnSync(NATIVE_CLI, ['convert', model.path, converted], { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
        const names = Object.keys(reference);
        const fromOnnx = await targets.native.run(model.path, feeds, names, join(dir, 'onnx'));
        const fromWisp = await targets.native.run(converted, feeds, names, join(dir, 'wisp'));
        for (const name of names) assert.ok(identical(fromWisp[name], fromOnnx[name]), `output '${name}' differs`);
      });
    }
  });
}

after(() => {
  if (!summary.length) return;
  mkdirSync(WORK, { recursive: true });
  writeFileSync(join(WORK, 'summary.json'), JSON.stringify(summary, null, 2));
  const lines = ['model                     target   max abs error   ORT opt-vs-unopt x2   seconds'];
  for (const s of summary) {
    lines.push(`${s.model.padEnd(26)}${s.target.padEnd(9)}${s.maxAbsError.toExponential(2).padStart(13)}${s.ortRoundingNoise.toExponential(2).padStart(22)}   ${s.seconds.toFixed(2).padStart(7)}`);
  }
  console.log(lines.join('\n'));
});
