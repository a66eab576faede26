// PP-OCRv4 recognition and Silero VAD v5 through wasi-nn calls on Wisp's component, as .onnx
// and as .wisp, against the native CLI's outputs (`wisp run --output-dir`): within 1e-5.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { models } from '../models/catalog.mjs';
import { compareTensor, identical } from '../models/compare.mjs';
import { NATIVE_CLI, WASI_MODULE, targets } from '../models/targets.mjs';
import { COMPONENT, WORK_DIR, instantiate, run } from './component.mjs';

const TOLERANCE = 1e-5;  // absolute and relative
// wasm32 has no fused multiply-add (SIMD128) where the native build uses FMA: a deep model's
// long accumulations can round apart. PP-OCRv4 rec has 2 of 265000 softmax values 1.2e-4
// apart from the native CLI; the WASI CLI, which runs the same wasm kernels, must match the
// component bit for bit (checked below when it is built).
const OUTLIER_FRACTION = 1e-4, OUTLIER_MAX_ABS = 1e-3;
const CASES = ['ppocr-v4-rec', 'silero-vad-v5-16k'];

function convertToWisp(onnxPath, name) {
  const out = join(WORK_DIR, `${name}.wisp`);
  mkdirSync(WORK_DIR, { recursive: true });
  const result = spawnSync(NATIVE_CLI, ['convert', onnxPath, out], { encoding: 'utf8' });
  assert.equal(result.status, 0, `wisp convert failed: ${result.stderr}`);
  return out;
}

// The CLI's own timings for one run of the model (`wisp run --json`).
function nativeTimes(modelPath, feedArgs) {
  const result = spawnSync(NATIVE_CLI, ['run', modelPath, ...feedArgs, '--json'], { encoding: 'utf8' });
  if (result.status !== 0) return null;
  const { load_ms: load, run_ms: runMs } = JSON.parse(result.stdout);
  return { load, run: runMs };
}

// The CLI saves a scalar output with dims []; wasi-nn describes it as [1].
const sameShape = (actual, expected) =>
  expected.dims.length === 0 ? { ...actual, dims: [] } : actual;

for (const name of CASES) {
  test(`${name}: .onnx and .wisp through wasi-nn match the native CLI`, async (t) => {
    assert.ok(existsSync(NATIVE_CLI), `${NATIVE_CLI} not found: build the native preset (or set WISP_CLI)`);
    const model = models().find((m) => m.name === name);
    assert.ok(model && existsSync(model.path), `${name}: model file missing (run .ci/setup)`);
    const feeds = model.feeds();
    const { nn } = await instantiate();

    const wispPath = convertToWisp(model.path, name);
    // .wisp has no graph-encoding case: it loads through autodetect, and `onnx` refuses it.
    assert.throws(() => nn.graph.load([readFileSync(wispPath)], 'onnx', 'cpu'),
      (e) => e.payload?.code() === 'invalid-encoding' && /autodetect/.test(e.payload.data()));
    for (const [format, path, encoding] of [['onnx', model.path, 'onnx'], ['wisp', wispPath, 'autodetect']]) {
      const bytes = readFileSync(path);
      let t0 = performance.now();
      const graph = nn.graph.load([new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)], encoding, 'cpu');
      const loadMs = performance.now() - t0;
      const context = graph.initExecutionContext();
      t0 = performance.now();
      const actual = run(nn, context, feeds);
      const runMs = performance.now() - t0;

      const names = Object.keys(actual);
      assert.ok(names.length > 0, 'no outputs');
      const expected = targets.native.run(path, feeds, names, join(WORK_DIR, `${name}-${format}-native`));
      for (const out of names) {
        const a = sameShape(actual[out], expected[out]);
        const r = compareTensor(a, expected[out], TOLERANCE, TOLERANCE);
        const outliers = r.ok ? 0 : Number(r.message.split(' ')[0]);
        assert.ok(r.ok || (outliers <= OUTLIER_FRACTION * expected[out].data.length && r.maxAbs <= OUTLIER_MAX_ABS),
          `${name} (${format}) output '${out}': ${r.message}`);
        t.diagnostic(`${format} ${out}: max |diff| ${r.maxAbs.toExponential(2)}, ${outliers} of ` +
          `${expected[out].data.length} beyond 1e-5`);
      }
      // The WASI CLI runs the same kernels (wasm32, SIMD128) as the component: the glue must
      // not change a single bit. Checked when a WASI build is there ($WISP_WASI).
      if (targets.wasi.available()) {
        const wasi = targets.wasi.run(path, feeds, names, join(WORK_DIR, `${name}-${format}-wasi`));
        for (const out of names) {
          assert.ok(identical(sameShape(actual[out], wasi[out]), wasi[out]), `${format} '${out}' differs from wisp.wasm's`);
        }
        t.diagnostic(`${format}: bit-identical to ${WASI_MODULE}`);
      }
      // The same graph runs again from a second context with the same result.
      const again = run(nn, graph.initExecutionContext(), feeds);
      for (const out of names) assert.deepEqual(again[out].data, actual[out].data, `second run of '${out}' differs`);

      const native = nativeTimes(path, Object.entries(feeds).flatMap(([n]) =>
        ['--input', `${n}=${join(WORK_DIR, `${name}-${format}-native`, 'in', `${n.replace(/[^A-Za-z0-9_.-]/g, '_')}.npy`)}`]));
      t.diagnostic(`${format}: component load ${loadMs.toFixed(1)} ms, run ${runMs.toFixed(1)} ms` +
        (native ? `; native CLI load ${native.load.toFixed(1)} ms, run ${native.run.toFixed(1)} ms` : ''));
    }
  });
}

test('component size', (t) => {
  const size = readFileSync(COMPONENT).byteLength;
  assert.ok(size > 0);
  t.diagnostic(`${COMPONENT}: ${size} bytes`);
});
