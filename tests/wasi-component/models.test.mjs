// PP-OCRv4 recognition and Silero VAD v5 through wasi-nn calls on Wisp's component, as .onnx
// and as .wisp, against the native CLI's outputs (`wisp run --output-dir`): within 1e-5. For
// each variant of the component (SIMD128 and relaxed SIMD, see component.mjs), and the WASI
// CLI of the same variant must give the very same bits.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { models } from '../models/catalog.mjs';
import { compareTensor, identical } from '../models/compare.mjs';
import { NATIVE_CLI, targets } from '../models/targets.mjs';
import { VARIANTS, WORK_DIR, instantiate, run, runWasiCli, variantTestOptions } from './component.mjs';

const TOLERANCE = 1e-5;  // absolute and relative
// wasm32 has no fused multiply-add (SIMD128) where the native build uses FMA: a deep model's
// long accumulations can round apart. PP-OCRv4 rec has 2 of 265000 softmax values 1.2e-4
// apart from the native CLI. Relaxed SIMD's relaxed_madd may or may not fuse (the engine
// decides: V8 on x86 with FMA fuses), so the relaxed variant gets the same allowance. The
// WASI CLI of a variant runs the same wasm kernels and must match its component bit for bit
// (checked below when it is built).
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

// Native CLI output vs a wasm one: within 1e-5, but for a few rounding outliers (see above).
function assertNear(t, label, actual, expected) {
  for (const out of Object.keys(expected)) {
    const a = sameShape(actual[out], expected[out]);
    const r = compareTensor(a, expected[out], TOLERANCE, TOLERANCE);
    const outliers = r.ok ? 0 : Number(r.message.split(' ')[0]);
    assert.ok(r.ok || (outliers <= OUTLIER_FRACTION * expected[out].data.length && r.maxAbs <= OUTLIER_MAX_ABS),
      `${label} output '${out}': ${r.message}`);
    t.diagnostic(`${label} ${out}: max |diff| ${r.maxAbs.toExponential(2)}, ${outliers} of ` +
      `${expected[out].data.length} beyond 1e-5`);
  }
}

for (const variant of VARIANTS) {
  for (const name of CASES) {
    test(`${variant.name}: ${name}: .onnx and .wisp through wasi-nn match the native CLI`, variantTestOptions(variant), async (t) => {
      assert.ok(existsSync(NATIVE_CLI), `${NATIVE_CLI} not found: build the native preset (or set WISP_CLI)`);
      const model = models().find((m) => m.name === name);
      assert.ok(model && existsSync(model.path), `${name}: model file missing (run .ci/setup)`);
      const feeds = model.feeds();
      const { nn } = await instantiate({ variant });

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
        const work = join(WORK_DIR, `${name}-${format}-${variant.name}`);
        const expected = targets.native.run(path, feeds, names, `${work}-native`);
        assertNear(t, `${format}`, actual, expected);
        // The WASI CLI of this variant runs the same kernels as the component: the glue must
        // not change a single bit. Checked when that CLI is built.
        if (existsSync(variant.cli)) {
          const wasi = runWasiCli(variant.cli, path, feeds, names, `${work}-wasi`);
          for (const out of names) {
            assert.ok(identical(sameShape(actual[out], wasi[out]), wasi[out]), `${format} '${out}' differs from ${variant.cli}'s`);
          }
          assertNear(t, `${format} (${variant.cli.split('/').pop()})`, wasi, expected);
          t.diagnostic(`${format}: bit-identical to ${variant.cli}`);
        } else {
          t.diagnostic(`${format}: ${variant.cli} not built, not compared`);
        }
        // The same graph runs again from a second context with the same result.
        const again = run(nn, graph.initExecutionContext(), feeds);
        for (const out of names) assert.deepEqual(again[out].data, actual[out].data, `second run of '${out}' differs`);

        const native = nativeTimes(path, Object.entries(feeds).flatMap(([n]) =>
          ['--input', `${n}=${join(`${work}-native`, 'in', `${n.replace(/[^A-Za-z0-9_.-]/g, '_')}.npy`)}`]));
        t.diagnostic(`${format}: component load ${loadMs.toFixed(1)} ms, run ${runMs.toFixed(1)} ms` +
          (native ? `; native CLI load ${native.load.toFixed(1)} ms, run ${native.run.toFixed(1)} ms` : ''));
      }
    });
  }
}

for (const variant of VARIANTS) {
  test(`${variant.name}: component size`, variantTestOptions(variant), (t) => {
    const size = readFileSync(variant.component).byteLength;
    assert.ok(size > 0);
    t.diagnostic(`${variant.component}: ${size} bytes`);
  });
}
