// The JS API of the web build (build/web/dist/wisp.mjs) in Node: metadata, runs, dtypes,
// and errors that carry the core's message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const MODULE = process.env.WISP_WEB ?? join(ROOT, 'build/web/dist/wisp.mjs');
const { Model, Tensor } = await import(MODULE);
const ADD = join(ROOT, 'tests/data/loader/add_inline.onnx');  // y = x + [[0,1,2],[3,4,5]], x float32[2,3]

test('inputs and outputs describe the model', async () => {
  const model = await Model.load(ADD);
  assert.deepEqual(model.inputs, [{ name: 'x', dtype: 'float32', shape: [2, 3] }]);
  assert.deepEqual(model.outputs, [{ name: 'y', dtype: 'float32', shape: [2, 3] }]);
  model.dispose();
});

test('run from a path, bytes and a Tensor or plain feed', async () => {
  for (const source of [ADD, readFileSync(ADD), new Uint8Array(readFileSync(ADD)).buffer]) {
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
      assert.deepEqual([...y.data], [1, 2, 3, 4, 5, 6]);
    }
    model.dispose();
  }
});

test('int64 tensors use BigInt64Array (Silero VAD sample rate input)', async () => {
  const model = await Model.load(join(ROOT, 'node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx'));
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

test('errors name the problem', async () => {
  await assert.rejects(Model.load(new Uint8Array([1, 2, 3, 4, 5])), /malformed|ONNX|model/i);
  const bytes = readFileSync(ADD);
  await assert.rejects(Model.load(bytes.subarray(0, bytes.length - 7)), /runs past the end/);
  const model = await Model.load(ADD);
  await assert.rejects(model.run({}), /missing input 'x'/);
  await assert.rejects(model.run({ x: { dtype: 'int32', dims: [2, 3], data: new Int32Array(6) } }), /float32/);
  await assert.rejects(model.run({ x: { dtype: 'float32', dims: [3, 2], data: new Float32Array(6) } }), /'x'/);
  assert.throws(() => new Tensor('float32', [2, 2], [1, 2, 3]), /elements/);
  model.dispose();
  await assert.rejects(model.run({ x: { dims: [2, 3], data: new Float32Array(6) } }), /disposed/);
});

test('a model loaded, run and disposed many times does not grow memory', async () => {
  const bytes = readFileSync(ADD);
  for (let i = 0; i < 200; ++i) {
    const model = await Model.load(bytes);
    await model.run({ x: { dims: [2, 3], data: new Float32Array(6) } });
    model.dispose();
  }
});
