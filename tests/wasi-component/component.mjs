// Loads Wisp's wasi-nn component in Node: `jco transpile` (instantiation mode) into a folder
// under build/, then instantiate it with jco's WASI preview2 shim. Also converts between the
// tests' {dtype, dims, data} tensors and wasi-nn tensors.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import { fixDisposeFile } from '../../wasi/jco-fix-dispose.mjs';
import { runnerCommand } from '../../wasi/node-flags.mjs';
import { readNpy, writeNpy } from '../lib/npy.mjs';
import { sanitize } from '../models/targets.mjs';

export const ROOT = resolve(new URL('../..', import.meta.url).pathname);
export const JCO = join(ROOT, 'node_modules/.bin/jco');
export const WORK_DIR = join(ROOT, 'build/wasi-component-test');

// The two builds of the component (wasi/CMakeLists.txt): SIMD128, and relaxed SIMD
// (-mrelaxed-simd; built unless -DWISP_WASI_RELAXED=OFF). Every test file runs its cases
// for each; a variant that was not built is skipped with a message, except the SIMD128 one,
// whose absence is a failure.
export const VARIANTS = [
  { name: 'simd128', component: process.env.WISP_NN_COMPONENT ?? join(ROOT, 'build/wasi/wisp-nn.component.wasm'),
    cli: process.env.WISP_WASI ?? join(ROOT, 'build/wasi/wisp.wasm'), required: true },
  { name: 'relaxed', component: process.env.WISP_NN_COMPONENT_RELAXED ?? join(ROOT, 'build/wasi/wisp-nn-relaxed.component.wasm'),
    cli: process.env.WISP_WASI_RELAXED ?? join(ROOT, 'build/wasi/wisp-relaxed.wasm'), required: false },
];
export const COMPONENT = VARIANTS[0].component;

// node:test options for a variant's tests: `skip` with the reason when its file is missing.
export function variantTestOptions(variant) {
  if (existsSync(variant.component) || variant.required) return {};
  return { skip: `${variant.component} not built (the wasi preset builds it unless -DWISP_WASI_RELAXED=OFF; or set WISP_NN_COMPONENT_RELAXED)` };
}

export function requireComponent(variant = VARIANTS[0]) {
  if (!existsSync(variant.component)) {
    throw new Error(`${variant.component} not found: build the wasi preset (or set WISP_NN_COMPONENT)`);
  }
  return variant.component;
}

// Relaxed SIMD is behind a flag in Node 20's V8 (on by default from V8 11.4, Node 21).
// Setting it before the relaxed module is compiled is enough.
let relaxedEnabled = false;
export function enableRelaxedSimd() {
  if (relaxedEnabled) return;
  if (Number(process.versions.node.split('.')[0]) < 21) v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  relaxedEnabled = true;
}

export function jco(args) {
  const result = spawnSync(JCO, args, { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (result.status !== 0) throw new Error(`jco ${args.join(' ')} failed (${result.status}): ${result.stderr}${result.stdout}`);
  return result.stdout;
}

// jco's own preview2-shim (the one its transpiled output is written against).
async function preview2Shim() {
  const require = createRequire(join(ROOT, 'package.json'));
  const jcoEntry = require.resolve('@bytecodealliance/jco');
  const shim = createRequire(jcoEntry).resolve('@bytecodealliance/preview2-shim');
  return import(pathToFileURL(shim).href);
}

// The WASI interfaces the component imports (through jco's preview1 adapter), by name.
function wasiImports(shim) {
  const byName = {
    'wasi:cli/environment': shim.cli.environment, 'wasi:cli/exit': shim.cli.exit,
    'wasi:cli/stderr': shim.cli.stderr, 'wasi:cli/stdin': shim.cli.stdin, 'wasi:cli/stdout': shim.cli.stdout,
    'wasi:cli/terminal-input': shim.cli.terminalInput, 'wasi:cli/terminal-output': shim.cli.terminalOutput,
    'wasi:cli/terminal-stderr': shim.cli.terminalStderr, 'wasi:cli/terminal-stdin': shim.cli.terminalStdin,
    'wasi:cli/terminal-stdout': shim.cli.terminalStdout,
    'wasi:clocks/monotonic-clock': shim.clocks.monotonicClock, 'wasi:clocks/wall-clock': shim.clocks.wallClock,
    'wasi:filesystem/preopens': shim.filesystem.preopens, 'wasi:filesystem/types': shim.filesystem.types,
    'wasi:io/error': shim.io.error, 'wasi:io/poll': shim.io.poll, 'wasi:io/streams': shim.io.streams,
    'wasi:random/random': shim.random.random,
  };
  // The generated code looks the interfaces up with and without their version.
  return new Proxy(byName, {
    get: (target, key) => target[key] ?? target[String(key).replace(/@[^@]*$/, '')],
  });
}

// Transpiles once per process and variant (test files run in parallel, each in its own
// folder), then applies wasi/jco-fix-dispose.mjs (jco's dispose of list elements is wrong).
const transpiled = new Map();
export function transpile(variant = VARIANTS[0]) {
  if (transpiled.has(variant.name)) return transpiled.get(variant.name);
  const out = join(WORK_DIR, `js-${process.pid}-${variant.name}`);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  jco(['transpile', requireComponent(variant), '-o', out, '--name', 'wisp-nn', '--instantiation', 'async', '-q']);
  process.on('exit', () => rmSync(out, { recursive: true, force: true }));
  if (fixDisposeFile(join(out, 'wisp-nn.js')) === 0) throw new Error('jco-fix-dispose found no dispose closure to fix');
  transpiled.set(variant.name, out);
  return out;
}

// Returns { nn: {graph, tensor, inference, errors}, memory: () => bytes of linear memory }:
// a fresh component instance. `preopenDir` becomes the component's "/" (jco's shim preopens
// nothing by default, and wasi-libc reads the preopens once, when the instance starts).
export async function instantiate({ preopenDir, variant = VARIANTS[0] } = {}) {
  if (variant.name === 'relaxed') enableRelaxedSimd();
  const dir = transpile(variant);
  const shim = await preview2Shim();
  if (preopenDir) shim.filesystem._setPreopens({ '/': preopenDir });
  const { instantiate: make } = await import(pathToFileURL(join(dir, 'wisp-nn.js')).href);
  const instances = [];
  const nn = await make(
    async (file) => WebAssembly.compile(readFileSync(join(dir, file))),
    wasiImports(shim),
    async (module, imports) => {
      const instance = await WebAssembly.instantiate(module, imports);
      instances.push(instance);
      return instance;
    },
  );
  // Wisp's core module is the one exporting cabi_realloc (the adapter has its own memory).
  const wisp = instances.find((i) => i.exports.cabi_realloc && i.exports.memory);
  return { nn, memory: () => wisp.exports.memory.buffer.byteLength };
}

// {dtype, dims, data} <-> wasi-nn tensor-type names (the WIT's enum cases).
const TYPES = {
  float16: ['FP16', Uint16Array], float32: ['FP32', Float32Array], float64: ['FP64', Float64Array],
  uint8: ['U8', Uint8Array], int32: ['I32', Int32Array], int64: ['I64', BigInt64Array],
};
const DTYPE_OF = Object.fromEntries(Object.entries(TYPES).map(([dtype, [ty]]) => [ty, dtype]));

export const bytesOf = (data) => new Uint8Array(data.buffer, data.byteOffset, data.byteLength);

// A wasi-nn tensor; a scalar (dims []) goes as [1], as the WIT describes single values.
export function toNn(nn, { dtype, dims, data }) {
  const [ty] = TYPES[dtype] ?? [];
  if (!ty) throw new Error(`no wasi-nn type for ${dtype}`);
  return new nn.tensor.Tensor(Uint32Array.from(dims.length ? dims : [1]), ty, bytesOf(data));
}

// Frees a resource now instead of when the garbage collector finalises it.
export const SYMBOL_DISPOSE = Symbol.dispose ?? Symbol.for('dispose');
export const dispose = (resource) => resource?.[SYMBOL_DISPOSE]?.();

export function fromNn(t) {
  const dtype = DTYPE_OF[t.ty()];
  const bytes = t.data();
  const Typed = TYPES[dtype][1];
  const copy = bytes.slice();  // own, aligned buffer
  return { dtype, dims: [...t.dimensions()], data: new Typed(copy.buffer, 0, copy.byteLength / Typed.BYTES_PER_ELEMENT) };
}

// compute() with {name: tensor} feeds; returns {name: {dtype, dims, data}}. The output
// tensors are copied out and disposed at once (not left to the garbage collector: an output
// keeps the run's buffers alive in the component's memory).
export function run(nn, context, feeds) {
  const outputs = context.compute(Object.entries(feeds).map(([name, t]) => [name, toNn(nn, t)]));
  const result = Object.fromEntries(outputs.map(([name, t]) => [name, fromNn(t)]));
  for (const [, t] of outputs) dispose(t);
  return result;
}

// Runs `fn` and returns the wasi-nn error it raised as {code, data} (fails when it did not).
export function nnError(fn) {
  try {
    fn();
  } catch (e) {
    if (!e.payload || typeof e.payload.code !== 'function') throw e;  // a trap or a JS error
    const error = { code: e.payload.code(), data: e.payload.data() };
    dispose(e.payload);
    return error;
  }
  throw new Error('expected a wasi-nn error');
}

// Runs a WASI build of the CLI (`wisp.wasm`, `wisp-relaxed.wasm`) through wasi/run-wasi.mjs:
// `run MODEL --input NAME=FILE.npy ... --output-dir DIR`; returns the named outputs.
export function runWasiCli(module, modelPath, feeds, names, workDir) {
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(join(workDir, 'in'), { recursive: true });
  const inputs = Object.entries(feeds).flatMap(([name, tensor]) => {
    const file = join(workDir, 'in', `${sanitize(name)}.npy`);
    writeNpy(file, tensor);
    return ['--input', `${name}=${file}`];
  });
  const [node, ...runner] = runnerCommand();
  const result = spawnSync(node, [...runner, module, 'run', modelPath, ...inputs,
    '--output-dir', join(workDir, 'out')], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.status !== 0) throw new Error(`${module} run ${modelPath} failed (${result.status}): ${result.stderr}${result.stdout}`);
  return Object.fromEntries(names.map((name) => [name, readNpy(join(workDir, 'out', `${sanitize(name)}.npy`))]));
}
