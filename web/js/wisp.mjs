// Wisp for JavaScript (browsers and Node): load an ONNX or .wisp model and run it.
//
//   import { Model, Tensor } from './wisp.mjs';
//   const model = await Model.load('model.onnx');
//   const out = await model.run({ input: new Tensor('float32', [1, 3], new Float32Array(3)) });
//   model.dispose();
//
// The wasm module (wisp_core.wasm + glue) is loaded once, on first use. Tensor data is copied
// into the wasm heap for a run and outputs are copied out, so JS never holds views of wasm
// memory (which move when the heap grows).

const isNode = typeof process === 'object' && typeof process.versions === 'object' &&
  typeof process.versions.node === 'string';

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

let modulePromise = null;

async function readLocal(path) {
  const fs = await import('node:fs/promises');
  return new Uint8Array(await fs.readFile(path));
}

async function instantiate(options) {
  const args = {};
  if (options.wasmBinary) args.wasmBinary = options.wasmBinary;
  if (isNode) {
    // The glue's fetch() path fails on file paths in Node, so hand it the wasm bytes.
    const { createRequire } = await import('node:module');
    const { fileURLToPath } = await import('node:url');
    const require = createRequire(import.meta.url);
    const factory = require('./wisp_core.cjs');
    if (!args.wasmBinary) args.wasmBinary = await readLocal(fileURLToPath(new URL('./wisp_core.wasm', import.meta.url)));
    return factory(args);
  }
  const { default: factory } = await import('./wisp_core.browser.mjs');
  args.locateFile = options.locateFile ?? ((file) => new URL(file, import.meta.url).href);
  return factory(args);
}

/**
 * Loads the wasm module. Called by Model.load; call it yourself to pass options:
 * {wasmBinary?: Uint8Array|ArrayBuffer, locateFile?: (file) => url}.
 */
export function init(options = {}) {
  if (!modulePromise) {
    modulePromise = instantiate(options).catch((e) => {
      modulePromise = null;  // allow a retry
      throw e;
    });
  }
  return modulePromise;
}

async function sourceBytes(source) {
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
  const response = await fetch(text);
  if (!response.ok) throw new Error(`cannot fetch model '${text}': HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

// Views of the heap must be taken after every call that may allocate (the heap may grow).
function heapBytes(core, ptr, nbytes) {
  return new Uint8Array(core.HEAPU8.buffer, ptr, nbytes);
}

function check(result) {
  if (result && typeof result === 'object' && typeof result.error === 'string') throw new Error(result.error);
  if (typeof result === 'string' && result !== '') throw new Error(result);
  return result;
}

export class Model {
  #core;
  #native;

  constructor(core, native) {
    this.#core = core;
    this.#native = native;
    /** [{name, dtype, shape}]: shape entries are numbers, strings (symbolic) or null (unknown). */
    this.inputs = native.inputs();
    this.outputs = native.outputs();
  }

  /**
   * Loads an ONNX or .wisp model from bytes, a URL or (in Node) a file path.
   * options: {optimize?: boolean (default true)}.
   */
  static async load(source, options = {}) {
    const core = await init();
    const bytes = await sourceBytes(source);
    // The model stays in this heap buffer: .wisp tensors are used in place from it.
    const buffer = new core.ModelBytes(bytes.byteLength);
    const native = new core.WebModel();
    try {
      if (!buffer.ok()) throw new Error(`out of memory reading the model (${bytes.byteLength} bytes)`);
      heapBytes(core, buffer.ptr(), bytes.byteLength).set(bytes);
      check(native.load(buffer, { optimize: options.optimize ?? true }));
    } catch (e) {
      native.delete();
      throw e;
    } finally {
      buffer.delete();  // the loaded model keeps its own reference to the bytes
    }
    return new Model(core, native);
  }

  #nativeModel() {
    if (!this.#native) throw new Error('the model has been disposed');
    return this.#native;
  }

  /**
   * Runs the model. feeds: {inputName: Tensor | {dtype?, dims, data}}.
   * Returns {outputName: Tensor} for every graph output.
   */
  async run(feeds) {
    const native = this.#nativeModel();
    if (feeds === null || typeof feeds !== 'object') throw new TypeError('run expects an object of named inputs');
    const core = this.#core;
    try {
      for (const [name, value] of Object.entries(feeds)) {
        const tensor = asTensor(name, value);
        if (tensor.dtype === 'string') {
          check(native.setStringInput(name, tensor.dims, tensor.data));
          continue;
        }
        const { ptr, nbytes } = check(native.prepareInput(name, tensor.dtype, tensor.dims));
        const data = tensor.data;
        heapBytes(core, ptr, nbytes).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      }
      const { outputs } = check(native.run());
      const result = {};
      for (const out of outputs) {
        let data;
        if (out.strings) {
          data = out.strings;
        } else {
          // slice() copies the bytes out of the heap into a fresh, aligned ArrayBuffer.
          const bytes = core.HEAPU8.buffer.slice(out.ptr, out.ptr + out.nbytes);
          data = new ARRAY_TYPES[out.dtype](bytes);
        }
        result[out.name] = new Tensor(out.dtype, out.dims, data);
      }
      return result;
    } finally {
      native.clearInputs();
      native.releaseOutputs();
    }
  }

  /** The loaded (and optimized) model serialized as .wisp bytes. */
  toWisp() {
    return check(this.#nativeModel().toWisp());
  }

  /** Frees the model's wasm memory. The model cannot be used afterwards. */
  dispose() {
    if (this.#native) {
      this.#native.delete();
      this.#native = null;
    }
  }
}
