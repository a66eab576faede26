// Runs a model on each Wisp target and on the onnxruntime-node reference, all with the same
// feeds; every runner returns { outputName: {dtype, dims, data} }.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { readNpy, writeNpy } from '../lib/npy.mjs';
import { ROOT } from './catalog.mjs';
import { runnerCommand } from '../../wasi/node-flags.mjs';

export const NATIVE_CLI = process.env.WISP_CLI ?? join(ROOT, 'build/native/wisp');
export const WASI_MODULE = process.env.WISP_WASI ?? join(ROOT, 'build/wasi/wisp.wasm');
export const WEB_MODULE = process.env.WISP_WEB ?? join(ROOT, 'build/web/dist/wisp.mjs');
// The AArch64 cross build (NEON backend, `neon` preset), run under qemu-user.
export const NEON_CLI = process.env.WISP_NEON_CLI ?? join(ROOT, 'build/neon/wisp');
const QEMU = ['qemu-aarch64', '-L', '/usr/aarch64-linux-gnu'];
const hasQemu = () => spawnSync(QEMU[0], ['--version']).status === 0;

// The CLI writes each output as <name>.npy with anything outside [A-Za-z0-9_.-] replaced by '_'.
export const sanitize = (name) => name.replace(/[^A-Za-z0-9_.-]/g, '_');

function writeFeeds(feeds, dir) {
  mkdirSync(dir, { recursive: true });
  return Object.entries(feeds).map(([name, tensor]) => {
    const file = join(dir, `${sanitize(name)}.npy`);
    writeNpy(file, tensor);
    return ['--input', `${name}=${file}`];
  }).flat();
}

function readOutputs(dir, names) {
  const outputs = {};
  for (const name of names) outputs[name] = readNpy(join(dir, `${sanitize(name)}.npy`));
  return outputs;
}

function runCli(command, modelPath, feeds, names, workDir) {
  rmSync(workDir, { recursive: true, force: true });
  const args = [...command.slice(1), 'run', modelPath, ...writeFeeds(feeds, join(workDir, 'in')),
    '--output-dir', join(workDir, 'out')];
  const result = spawnSync(command[0], args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.status !== 0) {
    throw new Error(`${command.join(' ')} run ${modelPath} failed (${result.status}): ${result.stderr || result.stdout}`);
  }
  return readOutputs(join(workDir, 'out'), names);
}

export const targets = {
  native: {
    available: () => existsSync(NATIVE_CLI),
    run: (modelPath, feeds, names, workDir) => runCli([NATIVE_CLI], modelPath, feeds, names, workDir),
  },
  wasi: {
    available: () => existsSync(WASI_MODULE),
    run: (modelPath, feeds, names, workDir) =>
      runCli([...runnerCommand(), WASI_MODULE], modelPath, feeds, names, workDir),
  },
  neon: {
    available: () => existsSync(NEON_CLI) && hasQemu(),
    run: (modelPath, feeds, names, workDir) => runCli([...QEMU, NEON_CLI], modelPath, feeds, names, workDir),
  },
  web: {
    available: () => existsSync(WEB_MODULE),
    run: async (modelPath, feeds) => {
      const { Model } = await import(WEB_MODULE);
      const model = await Model.load(modelPath);
      try {
        const result = await model.run(feeds);
        return Object.fromEntries(Object.entries(result).map(([k, t]) => [k, { dtype: t.dtype, dims: [...t.dims], data: t.data }]));
      } finally {
        model.dispose();
      }
    },
  },
};

// onnxruntime-node, the reference.
// `optimized: false` turns ORT's graph rewrites off: comparing both runs measures how far
// float rounding alone moves this model's outputs.
export async function runReference(modelPath, feeds, { optimized = true } = {}) {
  const ort = (await import('onnxruntime-node')).default;
  const session = await ort.InferenceSession.create(modelPath, {
    intraOpNumThreads: 2, graphOptimizationLevel: optimized ? 'all' : 'disabled',
  });
  const ortFeeds = {};
  for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor(t.dtype, t.data, t.dims);
  const result = await session.run(ortFeeds);
  const outputs = {};
  for (const name of session.outputNames) {
    const t = result[name];
    outputs[name] = { dtype: t.type === 'bool' ? 'bool' : t.type, dims: [...t.dims], data: t.data };
  }
  return { inputNames: session.inputNames, outputs };
}

export async function referenceInputNames(modelPath) {
  const ort = (await import('onnxruntime-node')).default;
  const session = await ort.InferenceSession.create(modelPath);
  return session.inputNames;
}
