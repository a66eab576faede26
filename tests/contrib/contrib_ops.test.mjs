// com.microsoft contrib operators on the native CLI against onnxruntime-node (the reference).
// make_contrib_models.py writes one single-node model per case into build/contrib-models
// (regenerated when a case is missing or the script changed); each case feeds the same .npy
// inputs to both runtimes and compares every output within 1e-4 relative / 1e-5 absolute
// (float16 cases: 1e-2).
//
//   WISP_CLI=build/native/wisp node --test tests/contrib/
//
// To add cases: write them in make_contrib_models.py (one function per op family) and list
// their names in CASES below.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeNpy } from '../lib/npy.mjs';
import { compareTensor } from '../models/compare.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = process.env.WISP_CLI ?? join(ROOT, 'build/native/wisp');
const GENERATOR = join(ROOT, 'tests/contrib/make_contrib_models.py');
const MODELS = join(ROOT, 'build/contrib-models');
const WORK = join(ROOT, 'build/contrib-tests');

const F32 = { rtol: 1e-4, atol: 1e-5 };
const F16 = { rtol: 1e-2, atol: 1e-2 };

// One row per model written by make_contrib_models.py: its op (for the summary) and the
// tolerance for all of its outputs.
const CASES = [
  // activation_models
  { name: 'gelu_f32', op: 'Gelu', tol: F32 },
  { name: 'gelu_f16', op: 'Gelu', tol: F16 },
  { name: 'fastgelu_f32', op: 'FastGelu', tol: F32 },
  { name: 'fastgelu_f16', op: 'FastGelu', tol: F16 },
  { name: 'fastgelu_bias_f32', op: 'FastGelu', tol: F32 },
  { name: 'fastgelu_bias_f16', op: 'FastGelu', tol: F16 },
  { name: 'biasgelu_f32', op: 'BiasGelu', tol: F32 },
  { name: 'biasgelu_f16', op: 'BiasGelu', tol: F16 },
  { name: 'biasgelu_long_f32', op: 'BiasGelu', tol: F32 },
  { name: 'quickgelu_f32', op: 'QuickGelu', tol: F32 },
  { name: 'quickgelu_f16', op: 'QuickGelu', tol: F16 },
  { name: 'quickgelu_alpha_f32', op: 'QuickGelu', tol: F32 },
  { name: 'quickgelu_alpha_f16', op: 'QuickGelu', tol: F16 },
  // normalization_models
  { name: 'skiplayernorm_full_f32', op: 'SkipLayerNormalization', tol: F32 },
  { name: 'skiplayernorm_full_f16', op: 'SkipLayerNormalization', tol: F16 },
  { name: 'skiplayernorm_skip2d_f32', op: 'SkipLayerNormalization', tol: F32 },
  { name: 'skiplayernorm_skip2d_f16', op: 'SkipLayerNormalization', tol: F16 },
  { name: 'simplifiedln_onnxdomain_f32', op: 'SimplifiedLayerNormalization', tol: F32 },
  { name: 'simplifiedln_onnxdomain_f16', op: 'SimplifiedLayerNormalization', tol: F16 },
  { name: 'simplifiedln_axis1_f32', op: 'SimplifiedLayerNormalization', tol: F32 },
  { name: 'simplifiedln_long_f32', op: 'SimplifiedLayerNormalization', tol: F32 },
  { name: 'skipsimplifiedln_bias_f32', op: 'SkipSimplifiedLayerNormalization', tol: F32 },
  { name: 'skipsimplifiedln_bias_f16', op: 'SkipSimplifiedLayerNormalization', tol: F16 },
  { name: 'skipsimplifiedln_2d_f32', op: 'SkipSimplifiedLayerNormalization', tol: F32 },
  // rotary_models
  { name: 'rotary_3d_f32', op: 'RotaryEmbedding', tol: F32 },
  { name: 'rotary_3d_f16', op: 'RotaryEmbedding', tol: F16 },
  { name: 'rotary_4d_interleaved_f32', op: 'RotaryEmbedding', tol: F32 },
  { name: 'rotary_4d_interleaved_f16', op: 'RotaryEmbedding', tol: F16 },
  { name: 'rotary_3d_partial_f32', op: 'RotaryEmbedding', tol: F32 },
  { name: 'rotary_4d_partial_interleaved_f32', op: 'RotaryEmbedding', tol: F32 },
  { name: 'rotary_3d_numheads_f32', op: 'RotaryEmbedding', tol: F32 },
  // attention_models
  { name: 'mha_basic_f32', op: 'MultiHeadAttention', tol: F32 },
  { name: 'mha_bias_vsize_f32', op: 'MultiHeadAttention', tol: F32 },
  { name: 'mha_mask_2d_f32', op: 'MultiHeadAttention', tol: F32 },
  { name: 'mha_mask_1d_f32', op: 'MultiHeadAttention', tol: F32 },
  { name: 'mha_mask_3d_f32', op: 'MultiHeadAttention', tol: F32 },
  { name: 'mha_attn_bias_f32', op: 'MultiHeadAttention', tol: F32 },
  { name: 'mha_attn_bias_batch_mask_f32', op: 'MultiHeadAttention', tol: F32 },
  { name: 'mha_causal_present_f32', op: 'MultiHeadAttention', tol: F32 },
  { name: 'mha_causal_mask_2d_f32', op: 'MultiHeadAttention', tol: F32 },
  { name: 'mha_causal_mask_3d_f32', op: 'MultiHeadAttention', tol: F32 },
  { name: 'mha_qk_f32', op: 'MultiHeadAttention', tol: F32 },
  { name: 'mha_kv_bnsh_f32', op: 'MultiHeadAttention', tol: F32 },
  { name: 'mha_long_causal_f32', op: 'MultiHeadAttention', tol: F32 },
  { name: 'mha_past_causal_f32', op: 'MultiHeadAttention', tol: F32 },
  { name: 'mha_past_mask_f32', op: 'MultiHeadAttention', tol: F32 },
  { name: 'mha_past_mask_f16', op: 'MultiHeadAttention', tol: F16 },
  { name: 'gqa_prompt_rotary_f32', op: 'GroupQueryAttention', tol: F32 },
  { name: 'gqa_prompt_rotary_f16', op: 'GroupQueryAttention', tol: F16 },
  { name: 'gqa_prompt_f32', op: 'GroupQueryAttention', tol: F32 },
  { name: 'gqa_prompt_rotary_interleaved_f32', op: 'GroupQueryAttention', tol: F32 },
  { name: 'gqa_prompt_local_window_f32', op: 'GroupQueryAttention', tol: F32 },
  { name: 'gqa_prompt_softcap_scale_f32', op: 'GroupQueryAttention', tol: F32 },
  { name: 'gqa_prompt_smooth_softmax_f32', op: 'GroupQueryAttention', tol: F32 },
  { name: 'gqa_prompt_head_sink_bias_f32', op: 'GroupQueryAttention', tol: F32 },
  { name: 'gqa_prompt_position_ids_f32', op: 'GroupQueryAttention', tol: F32 },
  { name: 'gqa_prompt_empty_past_f32', op: 'GroupQueryAttention', tol: F32 },
  { name: 'gqa_prompt_packed_rotary_f32', op: 'GroupQueryAttention', tol: F32 },
  { name: 'gqa_prompt_rotary_partial_f32', op: 'GroupQueryAttention', tol: F32 },
  { name: 'gqa_decode_f32', op: 'GroupQueryAttention', tol: F32 },
  { name: 'gqa_decode_f16', op: 'GroupQueryAttention', tol: F16 },
  { name: 'gqa_decode_rotary_f32', op: 'GroupQueryAttention', tol: F32 },
  { name: 'gqa_decode_local_window_f32', op: 'GroupQueryAttention', tol: F32 },
  { name: 'gqa_decode_position_ids_f32', op: 'GroupQueryAttention', tol: F32 },
  { name: 'gqa_decode_long_buffer_f32', op: 'GroupQueryAttention', tol: F32 },
  { name: 'gqa_prompt_long_window_f32', op: 'GroupQueryAttention', tol: F32 },
  { name: 'gqa_chunked_prompt_rotary_f32', op: 'GroupQueryAttention', tol: F32 },
];

// ---- float16-aware .npy reading (tests/lib/npy.mjs has no float16) ----------------------------
function halfToFloat(h) {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

// { dtype, dims, data } with float16 data as the raw Uint16Array bits (what onnxruntime takes).
function readTensor(path) {
  const buf = readFileSync(path);
  const headerLength = buf.readUInt16LE(8);
  const header = buf.toString('latin1', 10, 10 + headerLength);
  if (!/'descr':\s*'<f2'/.test(header)) return decodeNpy(buf);
  const dims = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const count = dims.reduce((a, b) => a * b, 1);
  const bytes = new Uint8Array(buf.subarray(10 + headerLength, 10 + headerLength + 2 * count));
  return { dtype: 'float16', dims, data: new Uint16Array(bytes.buffer, 0, count) };
}

// The tensor with numeric data for comparison (float16 bits decoded).
function numeric(t) {
  if (t.dtype !== 'float16') return t;
  return { dtype: t.dtype, dims: t.dims, data: Float32Array.from(t.data, halfToFloat) };
}

// ---- the two runtimes ---------------------------------------------------------------------------
const sanitize = (name) => name.replace(/[^A-Za-z0-9_.-]/g, '_');

function caseInputs(dir) {
  return readdirSync(dir).filter((f) => f.endsWith('.npy')).map((f) => ({ name: f.slice(0, -4), file: join(dir, f) }));
}

async function runOrt(modelPath, inputs) {
  const ort = (await import('onnxruntime-node')).default;
  const session = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: 2, graphOptimizationLevel: 'disabled' });
  const feeds = {};
  for (const { name, file } of inputs) {
    const t = readTensor(file);
    feeds[name] = new ort.Tensor(t.dtype, t.data, t.dims);
  }
  const result = await session.run(feeds);
  const outputs = {};
  for (const name of session.outputNames) {
    const t = result[name];
    outputs[name] = { dtype: t.type, dims: [...t.dims], data: t.data };
  }
  return outputs;
}

function runWisp(modelPath, inputs, names, workDir) {
  rmSync(workDir, { recursive: true, force: true });
  const args = ['run', modelPath, ...inputs.flatMap(({ name, file }) => ['--input', `${name}=${file}`]),
    '--output-dir', workDir, '--threads', '2'];
  const r = spawnSync(CLI, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`wisp run ${modelPath} failed (${r.status}): ${r.stderr || r.stdout}`);
  return Object.fromEntries(names.map((n) => [n, readTensor(join(workDir, `${sanitize(n)}.npy`))]));
}

// ---- models -----------------------------------------------------------------------------------
function modelsAreCurrent() {
  const stamp = join(MODELS, '.stamp');
  if (!existsSync(stamp) || statSync(stamp).mtimeMs < statSync(GENERATOR).mtimeMs) return false;
  return CASES.every((c) => existsSync(join(MODELS, c.name, 'model.onnx')));
}

function makeModels() {
  rmSync(MODELS, { recursive: true, force: true });
  mkdirSync(MODELS, { recursive: true });
  const r = spawnSync('/usr/bin/python3', [GENERATOR, MODELS], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`make_contrib_models.py failed: ${r.stderr || r.stdout}`);
  writeFileSync(join(MODELS, '.stamp'), '');
}

// ---- tests ------------------------------------------------------------------------------------
const summary = {};  // 'op (dtype)' -> { maxAbs, maxRel, cases }

describe('com.microsoft contrib ops vs onnxruntime', () => {
  before(() => {
    assert.ok(existsSync(CLI), `Wisp CLI not found at ${CLI} (set WISP_CLI)`);
    if (!modelsAreCurrent()) makeModels();
  });

  after(() => {
    const rows = Object.entries(summary).map(([op, s]) =>
      `  ${op.padEnd(40)} cases ${String(s.cases).padStart(2)}  max abs ${s.maxAbs.toExponential(2)}  max rel ${s.maxRel.toExponential(2)}`);
    console.log(`max errors vs onnxruntime per op:\n${rows.join('\n')}`);
  });

  for (const c of CASES) {
    test(`${c.name} (${c.op})`, async () => {
      const dir = join(MODELS, c.name);
      const modelPath = join(dir, 'model.onnx');
      const inputs = caseInputs(dir);
      const expected = await runOrt(modelPath, inputs);
      const actual = runWisp(modelPath, inputs, Object.keys(expected), join(WORK, c.name));
      const s = (summary[`${c.op} (${c.tol === F16 ? 'f16' : 'f32'})`] ??= { maxAbs: 0, maxRel: 0, cases: 0 });
      s.cases += 1;
      for (const [name, e] of Object.entries(expected)) {
        const r = compareTensor(numeric(actual[name]), numeric(e), c.tol.rtol, c.tol.atol);
        assert.ok(r.ok, `${c.name}: output '${name}': ${r.message}`);
        s.maxAbs = Math.max(s.maxAbs, r.maxAbs);
        s.maxRel = Math.max(s.maxRel, r.maxRel);
      }
    });
  }
});
