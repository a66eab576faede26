// Bad graphs, bad tensors and bad names come back as wasi-nn errors (code + Wisp's message),
// never as a trap: after each one the same instance keeps working. Also the tensor resource's
// accessors, load-by-name, and that repeated calls do not grow the component's memory.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { before, describe, test } from 'node:test';
import { models } from '../models/catalog.mjs';
import { VARIANTS, dispose, fromNn, instantiate, nnError, run, toNn, variantTestOptions } from './component.mjs';

const vad = models().find((m) => m.name === 'silero-vad-v5-16k');
const VAD_BYTES = () => new Uint8Array(readFileSync(vad.path));
const f32 = (dims, value = 0) => ({ dtype: 'float32', dims, data: new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(value) });
const goodFeeds = () => ({ input: f32([1, 512], 0.1), state: f32([2, 1, 128]), sr: { dtype: 'int64', dims: [], data: BigInt64Array.of(16000n) } });

// Every case below, for each variant of the component (SIMD128, relaxed SIMD).
for (const variant of VARIANTS) describe(variant.name, variantTestOptions(variant), () => {
  let nn, memory, context;
  before(async () => {
    ({ nn, memory } = await instantiate({ preopenDir: dirname(vad.path), variant }));
    context = nn.graph.load([VAD_BYTES()], 'onnx', 'cpu').initExecutionContext();
  });

  // The instance is still usable: a trap would have poisoned it.
  function stillWorks() {
    const out = run(nn, context, goodFeeds());
    assert.ok(out.output && out.stateN, `outputs: ${Object.keys(out)}`);
  }

  test('bad graph bytes -> invalid-encoding', () => {
    for (const encoding of ['onnx', 'autodetect']) {
      const e = nnError(() => nn.graph.load([new Uint8Array([1, 2, 3, 4, 5])], encoding, 'cpu'));
      assert.equal(e.code, 'invalid-encoding');
      assert.ok(e.data.length > 0);
    }
    const bytes = VAD_BYTES();
    const truncated = nnError(() => nn.graph.load([bytes.subarray(0, bytes.length >> 1)], 'onnx', 'cpu'));
    assert.equal(truncated.code, 'invalid-encoding', truncated.data);
    const empty = nnError(() => nn.graph.load([new Uint8Array(0)], 'autodetect', 'cpu'));
    assert.equal(empty.code, 'invalid-encoding');
    assert.match(empty.data, /empty/);
    stillWorks();
  });

  test('unsupported encodings, targets and builder counts', () => {
    const tf = nnError(() => nn.graph.load([VAD_BYTES()], 'tensorflow', 'cpu'));
    assert.equal(tf.code, 'invalid-encoding');
    assert.match(tf.data, /tensorflow/);
    const gpu = nnError(() => nn.graph.load([VAD_BYTES()], 'onnx', 'gpu'));
    assert.equal(gpu.code, 'unsupported-operation');
    assert.equal(nnError(() => nn.graph.load([], 'onnx', 'cpu')).code, 'invalid-argument');
    assert.equal(nnError(() => nn.graph.load([VAD_BYTES(), VAD_BYTES()], 'onnx', 'cpu')).code, 'invalid-argument');
    stillWorks();
  });

  test('wrong tensor types, sizes and names -> invalid-argument', () => {
    const cases = {
      'unknown input name': { ...goodFeeds(), nosuch: f32([1]) },
      'int32 fed to a float input': { ...goodFeeds(), input: { dtype: 'int32', dims: [1, 512], data: new Int32Array(512) } },
      'data length does not match the dims': { ...goodFeeds(), input: { dtype: 'float32', dims: [1, 512], data: new Float32Array(100) } },
      'missing input': { input: goodFeeds().input, state: goodFeeds().state },
      'wrong rank': { ...goodFeeds(), state: f32([2, 128]) },
    };
    for (const [what, feeds] of Object.entries(cases)) {
      const e = nnError(() => run(nn, context, feeds));
      assert.equal(e.code, 'invalid-argument', `${what}: ${e.code} ${e.data}`);
      assert.ok(e.data.length > 0, what);
    }
    const named = nnError(() => run(nn, context, { ...goodFeeds(), nosuch: f32([1]) }));
    assert.match(named.data, /nosuch/);
    // BF16 is a WIT tensor-type that this component does not take.
    const bf16 = new nn.tensor.Tensor(Uint32Array.of(1, 512), 'BF16', new Uint8Array(1024));
    const e = nnError(() => context.compute([['input', bf16], ['state', new nn.tensor.Tensor(Uint32Array.of(2, 1, 128), 'FP32', new Uint8Array(1024))],
      ['sr', new nn.tensor.Tensor(Uint32Array.of(1), 'I64', new Uint8Array(8))]]));
    assert.equal(e.code, 'invalid-argument');
    assert.match(e.data, /bf16/);
    stillWorks();
  });

  test('.wisp bytes: autodetect reads them, onnx refuses them', () => {
    // Only the magic and garbage after it: a malformed .wisp is an invalid encoding too.
    const fake = new Uint8Array(256).fill(7);
    fake.set([0x57, 0x49, 0x53, 0x50]);  // "WISP"
    const auto = nnError(() => nn.graph.load([fake], 'autodetect', 'cpu'));
    // Read as .wisp: its header's version is unknown (unsupported) or its content malformed.
    assert.ok(['invalid-encoding', 'unsupported-operation'].includes(auto.code), `${auto.code}: ${auto.data}`);
    const onnx = nnError(() => nn.graph.load([fake], 'onnx', 'cpu'));
    assert.equal(onnx.code, 'invalid-encoding');
    assert.match(onnx.data, /autodetect/);
    stillWorks();
  });

  test('tensor resource accessors round-trip; a scalar may be [] or [1]', () => {
    const data = new Uint8Array([1, 2, 3, 4, 5, 6]);
    const t = new nn.tensor.Tensor(Uint32Array.of(2, 3), 'U8', data);
    assert.deepEqual([...t.dimensions()], [2, 3]);
    assert.equal(t.ty(), 'U8');
    assert.deepEqual([...t.data()], [...data]);
    const empty = new nn.tensor.Tensor(new Uint32Array(0), 'FP64', new Uint8Array(0));
    assert.deepEqual([...empty.dimensions()], []);
    assert.equal(empty.data().length, 0);
    const sr = new nn.tensor.Tensor(new Uint32Array(0), 'I64', new Uint8Array(BigInt64Array.of(16000n).buffer));
    const f = goodFeeds();
    const out = context.compute([['input', new nn.tensor.Tensor(Uint32Array.of(1, 512), 'FP32', new Uint8Array(f.input.data.buffer))],
      ['state', new nn.tensor.Tensor(Uint32Array.of(2, 1, 128), 'FP32', new Uint8Array(f.state.data.buffer))], ['sr', sr]]);
    assert.deepEqual(out.map(([n]) => n).sort(), ['output', 'stateN']);
  });

  test('load-by-name reads a model path; a missing one is not-found', () => {
    let graph;
    try {
      graph = nn.graph.loadByName(`/${basename(vad.path)}`);
    } catch (e) {
      throw new Error(`load-by-name failed: ${e.payload?.code()} ${e.payload?.data()}`);
    }
    const out = run(nn, graph.initExecutionContext(), goodFeeds());
    assert.ok(out.output);
    const e = nnError(() => nn.graph.loadByName('/no-such-model.onnx'));
    assert.equal(e.code, 'not-found', e.data);
  });

  test('output tensors can be disposed one at a time', () => {
    // jco 1.35 gave every element of a returned list<own<tensor>> the dispose() of the last
    // one (wasi/jco-fix-dispose.mjs): disposing 'output' destroyed 'stateN', whose methods then
    // threw "Not a valid Tensor resource", and 'output' itself stayed alive.
    const f = goodFeeds();
    const outputs = context.compute(Object.entries(f).map(([name, t]) => [name, toNn(nn, t)]));
    assert.equal(outputs.length, 2);
    const [[, first], [secondName, second]] = outputs;
    dispose(first);
    assert.ok(fromNn(second).data.length > 0, `'${secondName}' is still usable after the first output was disposed`);
    dispose(second);
    assert.throws(() => first.ty(), /Not a valid "Tensor" resource/, 'a disposed tensor is gone');
    stillWorks();
  });

  test('repeated loads, runs and errors do not grow the memory', () => {
    const cycle = () => {
      const g = nn.graph.load([VAD_BYTES()], 'onnx', 'cpu');
      const c = g.initExecutionContext();
      run(nn, c, goodFeeds());  // disposes its output tensors
      nnError(() => run(nn, c, { ...goodFeeds(), nosuch: f32([1]) }));
      nnError(() => nn.graph.load([new Uint8Array([9, 9, 9])], 'onnx', 'cpu'));
      dispose(c);
      dispose(g);
    };
    for (let i = 0; i < 3; ++i) cycle();  // warm-up: the allocator settles
    const before = memory();
    const cycles = 20;
    for (let i = 0; i < cycles; ++i) cycle();
    // Everything of a cycle is freed by its end, so the memory stays as it is (it grew by about
    // 540 KB a cycle while jco's dispose left one output, and with it the run's buffer pool,
    // to the garbage collector). 1 MiB of slack for allocator placement.
    const grown = memory() - before;
    assert.ok(grown <= 1 << 20, `linear memory grew by ${grown} bytes over ${cycles} load/run/error cycles`);
  });
});
