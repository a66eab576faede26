// Wisp for JavaScript (browsers and Node): load an ONNX or .wisp model and run it.
//
//   import { Model, Tensor } from 'wisp';
//   const model = await Model.load('model.onnx', { numThreads: 4 });
//   const out = await model.run({ input: new Tensor('float32', [1, 3], new Float32Array(3)) });
//   model.dispose();
//
// The runtime comes in four variants (core/wisp-VARIANT.*): simd128 and relaxed (relaxed
// SIMD), each single-threaded or with threads (-mt: Emscripten pthreads over Web Workers /
// worker_threads). init() picks the best one the engine validates and loads it once; threads
// need SharedArrayBuffer, which browsers give only to cross-origin isolated pages.
// With threads, every model runs on its own thread, so run() never blocks the main thread.
// Tensor data is copied into the wasm heap for a run and outputs are copied out, so JS never
// holds views of wasm memory (which move when the heap grows).

import BUILT_VARIANTS from './core/variants.mjs';

const isNode = typeof process === 'object' && typeof process.versions === 'object' &&
  typeof process.versions.node === 'string';

// ---------------------------------------------------------------------------------------
// Tensors

// dtype name -> TypedArray constructor. float16/bfloat16 travel as raw 16-bit patterns.
const ARRAY_TYPES = {
  float32: Float32Array,
  float64: Float64Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  bool: Uint8Array,
  float16: Uint16Array,
  bfloat16: Uint16Array,
};

// Used when a feed gives data but no dtype.
const DTYPE_OF_ARRAY = new Map([
  [Float32Array, 'float32'], [Float64Array, 'float64'], [Int8Array, 'int8'], [Uint8Array, 'uint8'],
  [Int16Array, 'int16'], [Uint16Array, 'uint16'], [Int32Array, 'int32'], [Uint32Array, 'uint32'],
  [BigInt64Array, 'int64'], [BigUint64Array, 'uint64'],
]);

function product(dims) {
  return dims.reduce((a, b) => a * b, 1);
}

function checkDims(dims, what) {
  if (!Array.isArray(dims) || !dims.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new TypeError(`${what}: dims must be an array of non-negative integers, got ${JSON.stringify(dims)}`);
  }
}

// Converts plain arrays to the dtype's typed array (numbers to BigInt for 64-bit integers,
// booleans to 0/1); typed arrays of the right type are used as they are.
function toTypedData(dtype, data, what) {
  if (dtype === 'string') {
    if (!Array.isArray(data) || !data.every((s) => typeof s === 'string')) {
      throw new TypeError(`${what}: string tensors need an array of strings`);
    }
    return data;
  }
  const ArrayType = ARRAY_TYPES[dtype];
  if (!ArrayType) throw new TypeError(`${what}: unknown dtype '${dtype}'`);
  if (data instanceof ArrayType) return data;
  if (ArrayBuffer.isView(data) && dtype === 'bool' && data instanceof Int8Array) return new Uint8Array(data);
  if (Array.isArray(data) || ArrayBuffer.isView(data)) {
    const big = ArrayType === BigInt64Array || ArrayType === BigUint64Array;
    const convert = big ? (v) => BigInt(v) : dtype === 'bool' ? (v) => (v ? 1 : 0) : (v) => Number(v);
    return ArrayType.from(data, convert);
  }
  throw new TypeError(`${what}: data must be a ${ArrayType.name} or an array`);
}

/** A dense tensor: dtype name, dims and a typed array (an array of strings for 'string'). */
export class Tensor {
  constructor(dtype, dims, data) {
    checkDims(dims, 'Tensor');
    this.dtype = dtype;
    this.dims = dims.slice();
    this.data = toTypedData(dtype, data, 'Tensor');
    if (this.data.length !== product(this.dims)) {
      throw new RangeError(`Tensor: ${this.data.length} elements given for dims [${this.dims}] ` +
        `(${product(this.dims)} expected)`);
    }
  }

  /** Number of elements. */
  get size() {
    return this.data.length;
  }
}

function asTensor(name, value) {
  if (value instanceof Tensor) return value;
  if (value === null || typeof value !== 'object') {
    throw new TypeError(`input '${name}': expected a Tensor or {dtype, dims, data}`);
  }
  const dtype = value.dtype ?? (value.data && DTYPE_OF_ARRAY.get(value.data.constructor));
  if (!dtype) throw new TypeError(`input '${name}': no dtype given and none implied by the data`);
  try {
    return new Tensor(dtype, value.dims, value.data);
  } catch (e) {
    e.message = `input '${name}': ${e.message.replace(/^Tensor: /, '')}`;
    throw e;
  }
}

// ---------------------------------------------------------------------------------------
// Engine features and variants

// Tiny modules for WebAssembly.validate: a function using i8x16.splat (SIMD128), one using
// f32x4.relaxed_madd (standard opcode 0xfd 0x105), one with a shared memory and an atomic
// load (threads).
const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const SPLAT = [0x41, 0x00, 0xfd, 0x0f];  // i32.const 0; i8x16.splat
const WASM_SIMD = new Uint8Array([...HEADER,
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b,  // type: () -> v128
  0x03, 0x02, 0x01, 0x00,
  0x0a, 0x08, 0x01, 0x06, 0x00, ...SPLAT, 0x0b]);
const WASM_RELAXED = new Uint8Array([...HEADER,
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b,
  0x03, 0x02, 0x01, 0x00,
  0x0a, 0x13, 0x01, 0x11, 0x00, ...SPLAT, ...SPLAT, ...SPLAT, 0xfd, 0x85, 0x02, 0x0b]);
const WASM_THREADS = new Uint8Array([...HEADER,
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f,  // type: () -> i32
  0x03, 0x02, 0x01, 0x00,
  0x05, 0x04, 0x01, 0x03, 0x01, 0x01,        // memory: shared, min 1, max 1
  0x0a, 0x0a, 0x01, 0x08, 0x00, 0x41, 0x00, 0xfe, 0x10, 0x02, 0x00, 0x0b]);  // i32.atomic.load

function validates(bytes) {
  try {
    return WebAssembly.validate(bytes);
  } catch {
    return false;
  }
}

/**
 * What this engine can run: {simd, relaxedSimd, threads}. threads also needs
 * SharedArrayBuffer, which browsers give only to cross-origin isolated pages (COOP
 * `same-origin` + COEP `require-corp`); Node always has it.
 */
export function features() {
  const sharedMemory = typeof SharedArrayBuffer === 'function' &&
    (isNode || globalThis.crossOriginIsolated === true);
  return {
    simd: validates(WASM_SIMD),
    relaxedSimd: validates(WASM_RELAXED),
    threads: sharedMemory && validates(WASM_THREADS),
  };
}

export const VARIANTS = ['relaxed-mt', 'simd128-mt', 'relaxed', 'simd128'];

// Each variant's files, written as literal `new URL(..., import.meta.url)` and import() so
// that bundlers (Vite, webpack, Rollup) find and copy them.
function defaultFiles(variant) {
  switch (variant) {
    case 'simd128': return {
      wasm: new URL('./core/wisp-simd128.wasm', import.meta.url),
      script: new URL('./core/wisp-simd128.js', import.meta.url),
    };
    case 'simd128-mt': return {
      wasm: new URL('./core/wisp-simd128-mt.wasm', import.meta.url),
      script: new URL('./core/wisp-simd128-mt.js', import.meta.url),
      worker: new URL('./core/wisp-simd128-mt.worker.js', import.meta.url),
    };
    case 'relaxed': return {
      wasm: new URL('./core/wisp-relaxed.wasm', import.meta.url),
      script: new URL('./core/wisp-relaxed.js', import.meta.url),
    };
    case 'relaxed-mt': return {
      wasm: new URL('./core/wisp-relaxed-mt.wasm', import.meta.url),
      script: new URL('./core/wisp-relaxed-mt.js', import.meta.url),
      worker: new URL('./core/wisp-relaxed-mt.worker.js', import.meta.url),
    };
    default: throw new TypeError(`unknown Wisp variant '${variant}' (one of ${VARIANTS.join(', ')})`);
  }
}

function importBrowserGlue(variant) {
  switch (variant) {
    case 'simd128': return import('./core/wisp-simd128.mjs');
    case 'simd128-mt': return import('./core/wisp-simd128-mt.mjs');
    case 'relaxed': return import('./core/wisp-relaxed.mjs');
    case 'relaxed-mt': return import('./core/wisp-relaxed-mt.mjs');
    default: throw new TypeError(`unknown Wisp variant '${variant}'`);
  }
}

// A URL from a URL, an absolute URL string, a path in Node, or a URL relative to the page.
function toUrl(where) {
  if (where instanceof URL) return where;
  const text = String(where);
  if (isNode && (text.startsWith('/') || /^[A-Za-z]:[\\/]/.test(text))) return new URL(`file://${text.startsWith('/') ? '' : '/'}${text.replace(/\\/g, '/')}`);
  return new URL(text, globalThis.location?.href ?? import.meta.url);
}

// Where the files are: set by init({baseUrl, locateFile}); the default is next to this file.
const fileLocation = { baseUrl: null, locateFile: null };

function fileUrl(variant, kind) {
  const name = `wisp-${variant}${kind === 'wasm' ? '.wasm' : kind === 'worker' ? '.worker.js' : '.js'}`;
  if (fileLocation.locateFile) return toUrl(fileLocation.locateFile(name));
  if (fileLocation.baseUrl) return new URL(`core/${name}`, fileLocation.baseUrl);
  return defaultFiles(variant)[kind];
}

// The variants to try, best first: an explicit `variant`, else what the engine validates and
// the options allow. Explicit `threads: true` or `relaxedSimd: true` cannot force what the
// engine lacks: the best variant it has loads instead (Model.variant tells which).
function candidateVariants(options, have) {
  if (options.variant) {
    defaultFiles(options.variant);  // throws for an unknown name
    // Files from elsewhere (wasmBinary, baseUrl, locateFile) may hold any variant.
    const custom = options.wasmBinary || fileLocation.baseUrl || fileLocation.locateFile;
    if (!custom && !BUILT_VARIANTS.includes(options.variant)) {
      throw new Error(`this package has no '${options.variant}' variant (it has ${BUILT_VARIANTS.join(', ')})`);
    }
    return [options.variant];
  }
  if (!have.simd) throw new Error('this JavaScript engine has no WebAssembly SIMD128, which Wisp needs');
  const threads = (options.threads ?? true) && have.threads;
  const relaxed = (options.relaxedSimd ?? true) && have.relaxedSimd;
  return VARIANTS.filter((v) => BUILT_VARIANTS.includes(v) &&
    (threads || !v.endsWith('-mt')) && (relaxed || !v.startsWith('relaxed')));
}

async function nodeDefaultThreads() {
  const os = await import('node:os');
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

// ---------------------------------------------------------------------------------------
// Runtimes: one loaded module per variant

class Runtime {
  constructor(variant, defaultNumThreads) {
    this.variant = variant;
    this.threads = variant.endsWith('-mt');
    this.relaxedSimd = variant.startsWith('relaxed');
    this.defaultNumThreads = this.threads ? defaultNumThreads : 1;
    this.core = null;
    this.jobs = new Map();  // job id -> resolve
    this.nextJob = 1;
    this.keepAlive = null;
  }

  info() {
    return { variant: this.variant, threads: this.threads, relaxedSimd: this.relaxedSimd,
      defaultNumThreads: this.defaultNumThreads };
  }

  // The heap as bytes. With threads the memory can grow from another thread, so always go
  // through the Memory object (Module.HEAPU8 may be an older, shorter view).
  heap() {
    const core = this.core;
    return new Uint8Array(core.wasmMemory ? core.wasmMemory.buffer : core.HEAPU8.buffer);
  }

  // Starts a native job; resolves when the run thread reports it done (Module.wispJobDone),
  // at once in single-thread builds (where the run happened inside native.start).
  start(native, job) {
    const id = this.nextJob++;
    return new Promise((resolve, reject) => {
      this.jobs.set(id, resolve);
      this.#hold();
      let finished;
      try {
        finished = native.start(job, id);
      } catch (e) {
        this.jobs.delete(id);
        this.#release();
        reject(e);
        return;
      }
      if (finished) this.done(id);
    });
  }

  done(id) {
    const resolve = this.jobs.get(id);
    if (!resolve) return;
    this.jobs.delete(id);
    this.#release();
    resolve();
  }

  // Node: the pthread workers are unref'd (a script that is done exits), so a pending run
  // keeps the process alive with a timer instead.
  #hold() {
    if (isNode && this.threads && !this.keepAlive) this.keepAlive = setInterval(() => {}, 1 << 30);
  }

  #release() {
    if (this.keepAlive && this.jobs.size === 0) {
      clearInterval(this.keepAlive);
      this.keepAlive = null;
    }
  }
}

// Lets Node exit while pthread workers idle: the workers of the pool and every one created
// later are unref'd (Emscripten 3.1.6 keeps them referenced).
function unrefWorkers(pthread) {
  if (!pthread) return;
  const unref = (worker) => worker && typeof worker.unref === 'function' && worker.unref();
  pthread.unusedWorkers.forEach(unref);
  pthread.runningWorkers.forEach(unref);
  // A worker made on demand gets its 'message' listener after it is created, and adding that
  // listener refs the worker's port again: so unref when the worker is handed out, which is
  // after the glue has attached its listeners.
  const getNewWorker = pthread.getNewWorker;
  pthread.getNewWorker = function getNewWorkerUnref() {
    const worker = getNewWorker.call(pthread);
    unref(worker);
    return worker;
  };
}

async function instantiate(runtime, options) {
  const variant = runtime.variant;
  const args = {
    wispJobDone: (id) => runtime.done(id),
    // Workers to start with: one model's run thread and pool at the default thread count;
    // more start on demand.
    wispPoolSize: runtime.threads ? Math.min(runtime.defaultNumThreads, 16) : 0,
  };
  if (options.wasmBinary) args.wasmBinary = options.wasmBinary;
  let factory;
  if (isNode) {
    const { createRequire } = await import('node:module');
    const { fileURLToPath } = await import('node:url');
    const { readFile } = await import('node:fs/promises');
    const toPath = (url) => (url.protocol === 'file:' ? fileURLToPath(url) : url.href);
    const script = toPath(fileUrl(variant, 'script'));
    // The glue's fetch() path fails on file paths in Node, so the main thread gets the wasm
    // bytes; pthread workers instantiate the compiled module the main thread sends them.
    if (!args.wasmBinary) args.wasmBinary = await readFile(toPath(fileUrl(variant, 'wasm')));
    args.locateFile = (file) => toPath(fileUrl(variant, file.endsWith('.worker.js') ? 'worker' : 'wasm'));
    args.mainScriptUrlOrBlob = script;  // workers read it with fs
    factory = createRequire(import.meta.url)(script);
  } else {
    factory = (await importBrowserGlue(variant)).default;
    args.locateFile = (file) => fileUrl(variant, file.endsWith('.worker.js') ? 'worker' : 'wasm').href;
    // Workers importScripts() the classic-script form of the glue.
    args.mainScriptUrlOrBlob = fileUrl(variant, 'script').href;
  }
  const core = await factory(args);
  if (core.hasThreads() !== runtime.threads) {
    throw new Error(`wisp-${variant}: the module's thread support does not match its name`);
  }
  if (isNode) unrefWorkers(core.PThread);
  runtime.core = core;
  return runtime;
}

const runtimes = new Map();  // variant -> Promise<Runtime>

function loadVariant(variant, options, hardware) {
  let promise = runtimes.get(variant);
  if (!promise) {
    const runtime = new Runtime(variant, Math.max(1, Math.min(hardware || 1, 1024)));
    promise = instantiate(runtime, options);
    runtimes.set(variant, promise);
    promise.catch(() => runtimes.delete(variant));  // allow a retry
  }
  return promise;
}

async function loadRuntime(options = {}) {
  if (options.baseUrl !== undefined) {
    // A folder: with a trailing slash, so that 'core/...' resolves inside it.
    fileLocation.baseUrl = options.baseUrl === null ? null : toUrl(String(options.baseUrl).replace(/\/?$/, '/'));
  }
  if (options.locateFile !== undefined) fileLocation.locateFile = options.locateFile;
  if (options.wasmBinary && !options.variant) {
    throw new TypeError('init: wasmBinary needs `variant` too (the bytes of which core/wisp-VARIANT.wasm)');
  }
  const candidates = candidateVariants(options, features());
  const hardware = isNode ? await nodeDefaultThreads() : globalThis.navigator?.hardwareConcurrency;
  // A variant that fails to load (files missing from a custom location, an engine that
  // validates but cannot instantiate) falls back to the next one.
  for (let i = 0; ; ++i) {
    try {
      return await loadVariant(candidates[i], options, hardware);
    } catch (e) {
      if (i + 1 >= candidates.length) throw e;
    }
  }
}

/**
 * Loads a runtime variant ahead of time or from a custom place, and returns what was loaded:
 * {variant, threads, relaxedSimd, defaultNumThreads}. Model.load calls it.
 * options: {threads?, relaxedSimd?, variant?, baseUrl?, locateFile?, wasmBinary?}.
 */
export async function init(options = {}) {
  return (await loadRuntime(options)).info();
}

// ---------------------------------------------------------------------------------------
// Model sources

async function readLocal(path) {
  const fs = await import('node:fs/promises');
  return new Uint8Array(await fs.readFile(path));
}

// Downloads with progress: onProgress({loaded, total}) per chunk; total is null when the
// server does not say (or sends it compressed, where Content-Length is not the body's size).
async function download(url, onProgress) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot fetch model '${url}': HTTP ${response.status}`);
  if (!onProgress || !response.body) return new Uint8Array(await response.arrayBuffer());
  const encoding = response.headers.get('content-encoding');
  const length = Number(response.headers.get('content-length'));
  const total = length > 0 && (!encoding || encoding === 'identity') ? length : null;
  const reader = response.body.getReader();
  const chunks = [];
  let loaded = 0;
  onProgress({ loaded, total });
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    onProgress({ loaded, total });
  }
  const bytes = new Uint8Array(loaded);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

async function sourceBytes(source, onProgress) {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (ArrayBuffer.isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  const text = source instanceof URL ? source.href : source;
  if (typeof text !== 'string') {
    throw new TypeError('Model.load expects a Uint8Array, an ArrayBuffer, a URL or a path');
  }
  if (isNode && !/^(https?|data|blob):/i.test(text)) {
    const { fileURLToPath } = await import('node:url');
    return readLocal(text.startsWith('file:') ? fileURLToPath(text) : text);
  }
  return download(text, onProgress);
}

function check(result) {
  if (result && typeof result === 'object' && typeof result.error === 'string') throw new Error(result.error);
  if (typeof result === 'string' && result !== '') throw new Error(result);
  return result;
}

function checkNumThreads(n) {
  if (n !== undefined && !(Number.isInteger(n) && n >= 1 && n <= 1024)) {
    throw new RangeError(`numThreads must be an integer from 1 to 1024, got ${n}`);
  }
}

// ---------------------------------------------------------------------------------------
// Models

export class Model {
  #runtime;
  #native;

  constructor(runtime, native) {
    this.#runtime = runtime;
    this.#native = native;
    /** [{name, dtype, shape}]: shape entries are numbers, strings (symbolic) or null (unknown). */
    this.inputs = native.inputs();
    this.outputs = native.outputs();
    /** Threads this model's runs use (1 in single-thread variants). */
    this.numThreads = native.numThreads();
    /** The runtime variant running it: 'simd128', 'simd128-mt', 'relaxed' or 'relaxed-mt'. */
    this.variant = runtime.variant;
  }

  /**
   * Loads an ONNX or .wisp model from bytes, a URL or (in Node) a file path.
   * options: {numThreads?, onProgress?, optimize? (default true), and init()'s options}.
   */
  static async load(source, options = {}) {
    checkNumThreads(options.numThreads);
    const runtime = await loadRuntime(options);
    const bytes = await sourceBytes(source, options.onProgress);
    const core = runtime.core;
    // Single-thread variants run on one thread whatever is asked.
    const numThreads = runtime.threads ? (options.numThreads ?? runtime.defaultNumThreads) : 1;
    // The model stays in this heap buffer: .wisp tensors are used in place from it.
    const buffer = new core.ModelBytes(bytes.byteLength);
    const native = new core.WebModel();
    try {
      if (!buffer.ok()) throw new Error(`out of memory reading the model (${bytes.byteLength} bytes)`);
      runtime.heap().set(bytes, buffer.ptr());
      check(native.load(buffer, { optimize: options.optimize ?? true, numThreads }));
    } catch (e) {
      native.delete();
      throw e;
    } finally {
      buffer.delete();  // the loaded model keeps its own reference to the bytes
    }
    return new Model(runtime, native);
  }

  #nativeModel() {
    if (!this.#native) throw new Error('the model has been disposed');
    return this.#native;
  }

  /**
   * Runs the model. feeds: {inputName: Tensor | {dtype?, dims, data}}.
   * Returns {outputName: Tensor} for every graph output. Runs of one model are queued and
   * executed in order; with threads they run off the main thread.
   */
  async run(feeds) {
    return (await this.#execute(feeds, false)).outputs;
  }

  /**
   * Runs the model as run() does, timing every node (nodes inside If/Loop/Scan bodies too,
   * named by their path, e.g. "If_0/then/Conv_3"). Resolves to {outputs, profile} with
   * profile = {nodes: [{name, opType, ms}], byOpType: [{opType, ms, count}] (slowest first),
   * totalMs, allocationMs, allocations}. Timing adds a little work to every node.
   */
  async runWithProfile(feeds) {
    const { outputs, profile } = await this.#execute(feeds, true);
    const byType = new Map();
    for (const node of profile.nodes) {
      const entry = byType.get(node.opType) ?? { opType: node.opType, ms: 0, count: 0 };
      entry.ms += node.ms;
      entry.count += 1;
      byType.set(node.opType, entry);
    }
    const byOpType = [...byType.values()].sort((a, b) => b.ms - a.ms);
    const totalMs = profile.nodes.reduce((sum, node) => sum + node.ms, 0);
    return { outputs, profile: { ...profile, byOpType, totalMs } };
  }

  async #execute(feeds, profiling) {
    const native = this.#nativeModel();
    if (feeds === null || typeof feeds !== 'object') throw new TypeError('run expects an object of named inputs');
    const tensors = Object.entries(feeds).map(([name, value]) => [name, asTensor(name, value)]);
    const runtime = this.#runtime;
    const job = new runtime.core.RunJob();
    try {
      if (profiling) job.enableProfile();
      for (const [name, tensor] of tensors) {
        if (tensor.dtype === 'string') {
          check(job.setStringInput(name, tensor.dims, tensor.data));
          continue;
        }
        const { ptr, nbytes } = check(job.prepareInput(name, tensor.dtype, tensor.dims));
        const data = tensor.data;
        runtime.heap().set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), ptr);
      }
      await runtime.start(native, job);
      const { outputs, profile } = check(job.result());
      const heap = runtime.heap();
      const result = {};
      for (const out of outputs) {
        let data;
        if (out.strings) {
          data = out.strings;
        } else {
          // A fresh (non-shared, aligned) ArrayBuffer the caller owns.
          const bytes = new Uint8Array(out.nbytes);
          bytes.set(heap.subarray(out.ptr, out.ptr + out.nbytes));
          data = new ARRAY_TYPES[out.dtype](bytes.buffer);
        }
        result[out.name] = new Tensor(out.dtype, out.dims, data);
      }
      return { outputs: result, profile };
    } finally {
      job.delete();
    }
  }

  /** The loaded (and optimized) model serialized as .wisp bytes. */
  toWisp() {
    return check(this.#nativeModel().toWisp());
  }

  /**
   * Frees the model. Runs already started still complete; run() afterwards rejects.
   */
  dispose() {
    if (this.#native) {
      this.#native.dispose();
      this.#native.delete();
      this.#native = null;
    }
  }
}
