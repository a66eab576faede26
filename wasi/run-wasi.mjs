#!/usr/bin/env node
// Runs a WASI (preview1) command module such as build/wasi/wisp.wasm with Node's node:wasi,
// so that the same arguments work as for the native binary:
//
//   node wasi/run-wasi.mjs [--dir DIR ...] build/wasi/wisp.wasm run model.onnx --input x=a.npy --output-dir out
//
// WASI programs only see preopened directories. This runner preopens, each under its own
// absolute host path: the current directory, every --dir DIR, and for each argument that
// names a path (also the VALUE of NAME=VALUE arguments) the directory holding it, or for a
// path that does not exist yet (an output) its nearest existing ancestor. The program gets the
// current directory in PWD (wisp chdir()s there), so relative paths resolve as natively.
// The program's exit code becomes this process's exit code.
import fs from 'node:fs';
import path from 'node:path';
import { WASI_NODE_FLAGS as V8_FLAGS } from './node-flags.mjs';

function usage() {
  process.stderr.write('usage: node run-wasi.mjs [--dir DIR ...] MODULE.wasm [ARGS...]\n');
  process.exit(2);
}

// V8 flags this runner needs (wasi/node-flags.mjs says why), given to the Node process when
// it starts: V8 documents changing flags after start-up (v8.setFlagsFromString) as unsafe.
// (That was once suspected of the heap corruption seen with light-inception_v1; it is not the
// cause: see PREGROW_BYTES below.)
const missingFlags = V8_FLAGS.filter((flag) => !process.execArgv.includes(flag));
if (missingFlags.length) {
  // Run this script again in a Node started with the flags; its exit becomes ours.
  const { spawnSync } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const child = spawnSync(process.execPath,
                          [...process.execArgv, ...missingFlags, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
                          { stdio: 'inherit' });
  if (child.error) throw child.error;
  if (child.signal) process.kill(process.pid, child.signal);
  process.exit(child.status ?? 1);
}

// Node prints an ExperimentalWarning for node:wasi; keep stderr for the program's own output.
const emitWarning = process.emitWarning;
process.emitWarning = (warning, ...rest) => {
  const type = typeof rest[0] === 'string' ? rest[0] : rest[0]?.type;
  if (type === 'ExperimentalWarning' && String(warning).includes('WASI')) return;
  emitWarning.call(process, warning, ...rest);
};
const { WASI } = await import('node:wasi');

const argv = process.argv.slice(2);
const extraDirs = [];
while (argv.length && argv[0].startsWith('--dir')) {
  const arg = argv.shift();
  const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv.shift();
  if (!value) usage();
  extraDirs.push(value);
}
const modulePath = argv.shift();
if (!modulePath) usage();
const rawArgs = argv;

function isDirectory(p) {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

// The directory to preopen for a path-like argument, or null when it does not look like one.
function directoryFor(candidate) {
  if (!candidate || candidate.startsWith('-')) return null;
  let p = path.resolve(candidate);
  if (fs.existsSync(p)) return isDirectory(p) ? p : path.dirname(p);
  // Not there yet (an output file or folder): the nearest existing ancestor.
  while (!fs.existsSync(p) && path.dirname(p) !== p) p = path.dirname(p);
  return isDirectory(p) ? p : null;
}

const cwd = process.cwd();
const dirs = new Set([cwd]);
for (const d of extraDirs) {
  if (!isDirectory(d)) {
    process.stderr.write(`error: --dir '${d}' is not a directory\n`);
    process.exit(2);
  }
  dirs.add(path.resolve(d));
}
// wasi-libc does not resolve ".." against the working directory (the sandbox refuses paths that
// climb out of a preopen), so arguments naming paths with ".." are passed as absolute paths.
const hasDotDot = (p) => p.split(/[\\/]/).includes('..');
const programArgs = rawArgs.map((arg) => {
  const eq = arg.indexOf('=');
  let rewritten = arg;
  for (const [prefix, candidate] of [['', arg], eq > 0 ? [arg.slice(0, eq + 1), arg.slice(eq + 1)] : [null, null]]) {
    if (candidate === null) continue;
    const dir = directoryFor(candidate);
    // Never hand the whole filesystem over because of an argument like "/".
    if (dir && dir !== path.parse(dir).root) dirs.add(dir);
    if (dir && hasDotDot(candidate)) rewritten = prefix + path.resolve(candidate);
  }
  return rewritten;
});
const preopens = {};
for (const d of dirs) preopens[d] = d;

const env = { PWD: cwd };
for (const name of ['WISP_NUM_THREADS']) {
  if (process.env[name] !== undefined) env[name] = process.env[name];
}

let bytes;
try {
  bytes = fs.readFileSync(modulePath);
} catch (e) {
  process.stderr.write(`error: cannot read '${modulePath}': ${e.message}\n`);
  process.exit(2);
}
const wasi = new WASI({
  version: 'preview1',
  args: [path.basename(modulePath, '.wasm'), ...programArgs],
  env,
  preopens,
  returnOnExit: true,
});
const module = await WebAssembly.compile(bytes);
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
// Node 20's V8 (11.3) can corrupt its own heap, or abort with "unreachable code", when a
// garbage collection starts inside a wasm memory.grow: growing creates a new JSArrayBuffer whose
// setup reports the extra external memory, which may run a full GC right there (valgrind shows
// the marker writing into a freed ArrayBuffer extension). Seen with light-inception_v1 and
// `wisp ocr`, whatever the V8 GC flags. wasi-libc's malloc takes all the memory present at its
// first call as its heap, so growing the memory before the program starts means a run that
// peaks below PREGROW_BYTES never grows it again. Untouched pages cost no resident memory.
const PREGROW_BYTES = 1 << 30;
const { memory } = instance.exports;
if (memory instanceof WebAssembly.Memory && memory.buffer.byteLength < PREGROW_BYTES) {
  try {
    memory.grow((PREGROW_BYTES - memory.buffer.byteLength) / 65536);
  } catch {
    // A host that cannot reserve that much runs the program with what it has.
  }
}
const code = wasi.start(instance);
process.exitCode = code;
