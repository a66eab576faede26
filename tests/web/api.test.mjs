// The JS API of the web package (build/web/dist/wisp.mjs) in Node: metadata, runs, dtypes,
// errors that carry the core's message, the single-thread and threaded variants, numThreads,
// concurrent runs, runs off the main thread, dispose.
//
// Environment: WISP_WEB_DIST (the package folder; default build/web/dist) or WISP_WEB (its
// wisp.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { identical } from '../models/compare.mjs';

const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const MODULE = process.env.WISP_WEB ??
  join(resolve(process.env.WISP_WEB_DIST ?? join(ROOT, 'build/web/dist')), 'wisp.mjs');
const { Model, Tensor, init, features } = await import(MODULE);
const ADD = join(ROOT, 'tests/data/loader/add_inline.onnx');  // y = x + [[0,1,2],[3,4,5]], x float32[2,3]
const VAD = join(ROOT, 'node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx');
const MOBILENET = join(ROOT, 'build/models/mobilenet_v2.onnx');  // tests/models/prepare_models.py

// Deterministic pseudo-random floats.
function noise(n, seed) {
  const data = new Float32Array(n);
  let a = seed >>> 0;
  for (let i = 0; i < n; ++i) {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    data[i] = a / 4294967296 - 0.5;
  }
  return data;
}

const vadFeeds = (seed) => ({
  input: { dtype: 'float32', dims: [1, 512], data: noise(512, seed) },
  state: { dtype: 'float32', dims: [2, 1, 128], data: noise(256, seed + 1).map((v) => v * 0.2) },
  sr: { dtype: 'int64', dims: [], data: BigInt64Array.from([16000n]) },
});

const allIdentical = (a, b) => Object.keys(b).every((k) => identical(a[k], b[k])) &&
  Object.keys(a).length === Object.keys(b).length;

test('inputs and outputs describe the model', async () => {
  const model = await Model.load(ADD);
  assert.deepEqual(model.inputs, [{ name: 'x', dtype: 'float32', shape: [2, 3] }]);
  assert.deepEqual(model.outputs, [{ name: 'y', dtype: 'float32', shape: [2, 3] }]);
  model.dispose();
});

test('run from a path, a file URL, bytes and a Tensor or plain feed', async () => {
  for (const source of [ADD, new URL(`file://${ADD}`), readFileSync(ADD), new Uint8Array(readFileSync(ADD)).buffer]) {
    const model = await Model.load(source);
    const feeds = [
      { x: new Tensor('float32', [2, 3], [1, 1, 1, 1, 1, 1]) },
      { x: { dims: [2, 3], data: new Float32Array([1, 1, 1, 1, 1, 1]) } },
    ];
    for (const feed of feeds) {
      const { y } = await model.run(feed);
      assert.equal(y.dtype, 'float32');
      assert.deepEqual(y.dims, [2, 3]);
      assert.ok(y.data instanceof Float32Array);
      assert.ok(!(y.data.buffer instanceof SharedArrayBuffer), 'outputs own a plain ArrayBuffer');
      assert.deepEqual([...y.data], [1, 2, 3, 4, 5, 6]);
    }
    model.dispose();
  }
});

test('int64 tensors use BigInt64Array (Silero VAD sample rate input)', async () => {
  const model = await Model.load(VAD);
  const sr = model.inputs.find((i) => i.name === 'sr');
  assert.equal(sr.dtype, 'int64');
  const out = await model.run({
    input: { dtype: 'float32', dims: [1, 512], data: new Float32Array(512) },
    state: { dtype: 'float32', dims: [2, 1, 128], data: new Float32Array(256) },
    sr: { dtype: 'int64', dims: [], data: BigInt64Array.from([16000n]) },
  });
  assert.deepEqual(out.output.dims, [1, 1]);
  assert.deepEqual(out.stateN.dims, [2, 1, 128]);
  model.dispose();
});

test('runWithProfile: the outputs of run() and a time for every node, inside If branches too', async () => {
  const model = await Model.load(VAD);
  const plain = await model.run(vadFeeds(3));
  const { outputs, profile } = await model.runWithProfile(vadFeeds(3));
  assert.ok(allIdentical(outputs, plain));
  assert.ok(profile.nodes.length > 10, `${profile.nodes.length} nodes`);
  // Silero VAD's network sits in the branches of one If: its nodes are named by their path.
  assert.ok(profile.nodes.some((n) => n.name.startsWith('If_0/') && n.opType === 'Conv'), 'a Conv inside If_0');
  assert.ok(profile.nodes.every((n) => typeof n.name === 'string' && n.ms >= 0));
  const byType = Object.fromEntries(profile.byOpType.map((e) => [e.opType, e]));
  assert.equal(byType.Conv.count, profile.nodes.filter((n) => n.opType === 'Conv').length);
  assert.ok(Math.abs(profile.totalMs - profile.nodes.reduce((t, n) => t + n.ms, 0)) < 1e-9);
  assert.ok(profile.byOpType.every((e, i, all) => i === 0 || all[i - 1].ms >= e.ms), 'slowest first');
  assert.ok(profile.allocations > 0);
  model.dispose();
});

for (const threads of [false, true]) {
  const label = threads ? 'threaded' : 'single-thread';

  test(`${label} variant: errors name the problem`, async () => {
    await assert.rejects(Model.load(new Uint8Array([1, 2, 3, 4, 5]), { threads }), /malformed|ONNX|model/i);
    const bytes = readFileSync(ADD);
    await assert.rejects(Model.load(bytes.subarray(0, bytes.length - 7), { threads }), /runs past the end/);
    await assert.rejects(Model.load(ADD, { threads, numThreads: 0 }), RangeError);
    await assert.rejects(Model.load(ADD, { threads, numThreads: 2.5 }), /numThreads/);
    const model = await Model.load(ADD, { threads });
    await assert.rejects(model.run({}), (e) => e instanceof Error && /missing input 'x'/.test(e.message));
    await assert.rejects(model.run({ x: { dtype: 'int32', dims: [2, 3], data: new Int32Array(6) } }), /float32/);
    await assert.rejects(model.run({ x: { dtype: 'float32', dims: [3, 2], data: new Float32Array(6) } }), /'x'/);
    await assert.rejects(model.run({ x: { dtype: 'nope', dims: [2, 3], data: [1, 2, 3, 4, 5, 6] } }), /unknown dtype/);
    await assert.rejects(model.run(null), TypeError);
    assert.throws(() => new Tensor('float32', [2, 2], [1, 2, 3]), /elements/);
    // The model still runs after failed runs.
    const { y } = await model.run({ x: { dims: [2, 3], data: new Float32Array(6) } });
    assert.deepEqual([...y.data], [0, 1, 2, 3, 4, 5]);
    model.dispose();
    model.dispose();  // twice is fine
    await assert.rejects(model.run({ x: { dims: [2, 3], data: new Float32Array(6) } }), /disposed/);
    assert.throws(() => model.toWisp(), /disposed/);
  });

  test(`${label} variant: numThreads and the variant picked`, async () => {
    const info = await init({ threads });
    assert.equal(info.threads, threads && features().threads);
    assert.match(info.variant, threads ? /-mt$/ : /^(simd128|relaxed)$/);
    const model = await Model.load(ADD, { threads, numThreads: 3 });
    assert.equal(model.variant, info.variant);
    assert.equal(model.numThreads, threads ? 3 : 1);
    model.dispose();
    const byDefault = await Model.load(ADD, { threads });
    assert.equal(byDefault.numThreads, info.defaultNumThreads);
    byDefault.dispose();
  });

  test(`${label} variant: concurrent run() calls on one model equal sequential runs`, async () => {
    const model = await Model.load(VAD, { threads, numThreads: 2 });
    const seeds = [1, 2, 3, 4, 5, 6, 7, 8];
    const sequential = [];
    for (const seed of seeds) sequential.push(await model.run(vadFeeds(seed)));
    // Same inputs at once: bit-identical; different inputs at once: each equals its sequential run.
    const same = await Promise.all(seeds.map(() => model.run(vadFeeds(1))));
    for (const r of same) assert.ok(allIdentical(r, sequential[0]));
    const mixed = await Promise.all(seeds.map((seed) => model.run(vadFeeds(seed))));
    mixed.forEach((r, i) => assert.ok(allIdentical(r, sequential[i]), `seed ${seeds[i]}`));
    // A bad run among good ones fails alone.
    const results = await Promise.allSettled([model.run(vadFeeds(1)), model.run({}), model.run(vadFeeds(2))]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.ok(allIdentical(results[0].value, sequential[0]) && allIdentical(results[2].value, sequential[1]));
    model.dispose();
  });

  test(`${label} variant: dispose while runs are queued lets them finish`, async () => {
    const model = await Model.load(VAD, { threads });
    const expected = await model.run(vadFeeds(9));
    const pending = [model.run(vadFeeds(9)), model.run(vadFeeds(9))];
    model.dispose();
    for (const r of await Promise.all(pending)) assert.ok(allIdentical(r, expected));
  });
}

test('single-thread and threaded variants give the same results', async () => {
  const one = await Model.load(VAD, { threads: false });
  const many = await Model.load(VAD, { threads: true, numThreads: 4 });
  for (const seed of [11, 12]) {
    const a = await one.run(vadFeeds(seed));
    const b = await many.run(vadFeeds(seed));
    for (const k of Object.keys(a)) {
      const diff = Math.max(...a[k].data.map((v, i) => Math.abs(v - b[k].data[i])));
      assert.ok(diff < 1e-5, `${k}: ${diff}`);
    }
  }
  one.dispose();
  many.dispose();
});

test('threaded variant: run() leaves the main thread free', { skip: !existsSync(MOBILENET) && 'no build/models/mobilenet_v2.onnx' }, async () => {
  const model = await Model.load(MOBILENET, { threads: true, numThreads: 2 });
  assert.ok(model.variant.endsWith('-mt'));
  const input = { dtype: 'float32', dims: [1, 3, 224, 224], data: noise(3 * 224 * 224, 3) };
  const reference = await model.run({ input });
  let ticks = 0;
  const timer = setInterval(() => ++ticks, 1);
  const started = performance.now();
  const runs = await Promise.all([model.run({ input }), model.run({ input }), model.run({ input })]);
  const elapsed = performance.now() - started;
  clearInterval(timer);
  for (const r of runs) assert.ok(allIdentical(r, reference));
  // The event loop kept turning during the runs (a blocked loop gives 0 or 1 tick).
  assert.ok(ticks >= 3, `${ticks} timer ticks in ${elapsed.toFixed(0)} ms of runs`);
  model.dispose();
});

test('many loads, runs and disposes do not grow memory', async () => {
  const bytes = readFileSync(ADD);
  for (const threads of [false, true]) {
    for (let i = 0; i < 100; ++i) {
      const model = await Model.load(bytes, { threads, numThreads: 2 });
      await model.run({ x: { dims: [2, 3], data: new Float32Array(6) } });
      model.dispose();
    }
  }
});

test('a plain Node script using threads exits by itself (no dispose, no flags)', () => {
  const script = `
    import { Model } from ${JSON.stringify(MODULE)};
    const model = await Model.load(${JSON.stringify(VAD)}, { numThreads: 2 });
    const out = await model.run({
      input: { dims: [1, 512], data: new Float32Array(512) },
      state: { dims: [2, 1, 128], data: new Float32Array(256) },
      sr: { dtype: 'int64', dims: [], data: BigInt64Array.from([16000n]) } });
    console.log(model.variant, model.numThreads, out.output.dims.join('x'));`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script],
    { encoding: 'utf8', timeout: 60000, cwd: dirname(MODULE) });
  assert.equal(result.error, undefined, 'the script did not exit in 60 s');
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /-mt 2 1x1/);
});
