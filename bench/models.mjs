// The models bench/compare.mjs times: the real models of the model tests (tests/models/catalog.mjs,
// same inputs) and the synthetic MatMul/GEMV models of bench/make_synthetic.py.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { models as catalogModels, ROOT } from '../tests/models/catalog.mjs';
import { readNpy, writeNpy } from '../tests/lib/npy.mjs';

export const WORK = join(ROOT, 'build/bench');
const PYTHON = '/usr/bin/python3';
const GENERATOR = join(ROOT, 'bench/make_synthetic.py');

const REAL = ['ppocr-v4-det', 'ppocr-v4-rec', 'ppocr-cls', 'silero-vad-v5-16k', 'resnet50', 'mobilenet_v2'];

// Synthetic cases (their shapes must match make_synthetic.py). `flops` gives GFLOP/s in the
// report; `bytes` (B, the weights read once per run) gives GB/s.
const SYNTHETIC = [
  { name: 'matmul-256', m: 256, k: 256, n: 256, rate: 'flops' },
  { name: 'matmul-1024', m: 1024, k: 1024, n: 1024, rate: 'flops' },
  { name: 'gemv-4096', m: 1, k: 4096, n: 4096, rate: 'bytes' },
];

function ensureSynthetic() {
  if (SYNTHETIC.every((s) => existsSync(join(WORK, `${s.name}.onnx`)) && existsSync(join(WORK, `${s.name}.A.npy`)))) return;
  const r = spawnSync(PYTHON, [GENERATOR, WORK], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${PYTHON} ${GENERATOR} failed: ${r.stderr || r.stdout || r.error}`);
}

function synthetic({ name, m, k, n, rate }) {
  const flops = 2 * m * k * n;
  return {
    name,
    path: join(WORK, `${name}.onnx`),
    feeds: () => ({ A: readNpy(join(WORK, `${name}.A.npy`)) }),
    work: rate === 'flops' ? { unit: 'GFLOP/s', amount: flops } : { unit: 'GB/s', amount: k * n * 4 },
  };
}

/** Every model the benchmark knows, by name; `defaults` lists the ones run without --models. */
export function benchModels() {
  const byName = new Map();
  const catalog = catalogModels().filter((m) => !m.light);
  for (const m of catalog) byName.set(m.name, { name: m.name, path: m.path, feeds: m.feeds });
  for (const s of SYNTHETIC) byName.set(s.name, synthetic(s));
  return { byName, defaults: [...REAL, ...SYNTHETIC.map((s) => s.name)] };
}

/**
 * Makes what `model` needs on disk: the synthetic .onnx files if missing, and its feeds as .npy
 * files under build/bench/inputs/<name>/. Returns {name: file} for the runners.
 */
export function prepareInputs(model) {
  if (model.work) ensureSynthetic();
  if (!existsSync(model.path)) throw new Error(`${model.path} is missing (run .ci/setup for build/models)`);
  const dir = join(WORK, 'inputs', model.name);
  mkdirSync(dir, { recursive: true });
  const files = {};
  for (const [name, tensor] of Object.entries(model.feeds())) {
    const file = join(dir, `${name.replace(/[^A-Za-z0-9_.-]/g, '_')}.npy`);
    writeNpy(file, tensor);
    files[name] = file;
  }
  writeFileSync(join(dir, 'inputs.json'), JSON.stringify(files, null, 1));
  return files;
}
