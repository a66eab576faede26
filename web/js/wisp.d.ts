// Types of the Wisp JavaScript API (wisp.mjs).

export type DType =
  | 'float32' | 'float64' | 'float16' | 'bfloat16'
  | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64'
  | 'bool' | 'string';

/** float16 and bfloat16 are raw 16-bit patterns in a Uint16Array; bool is a Uint8Array of 0/1. */
export type TensorData =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array
  | Int32Array | Uint32Array | BigInt64Array | BigUint64Array | string[];

export class Tensor {
  /** Plain arrays are converted to the dtype's typed array (numbers to BigInt for 64-bit ints). */
  constructor(dtype: DType, dims: number[], data: TensorData | ArrayLike<number | bigint | boolean> | string[]);
  readonly dtype: DType;
  readonly dims: number[];
  readonly data: TensorData;
  /** Number of elements. */
  readonly size: number;
}

/** A declared input or output. shape is null when the rank is unknown; each entry is a
 *  number (fixed), a string (symbolic dimension such as 'batch') or null (unknown). */
export interface ValueInfo {
  name: string;
  dtype: DType | null;
  shape: Array<number | string | null> | null;
}

export type Variant = 'simd128' | 'simd128-mt' | 'relaxed' | 'relaxed-mt';

/** Options that choose and locate the runtime (init, and Model.load on first use). */
export interface InitOptions {
  /** Use a threaded variant when the engine allows it (default true). Threads need
   *  SharedArrayBuffer: in browsers a cross-origin isolated page; otherwise the
   *  single-thread variant loads instead, without an error. */
  threads?: boolean;
  /** Use a relaxed-SIMD variant when the engine validates relaxed SIMD (default true). */
  relaxedSimd?: boolean;
  /** Load exactly this variant (no feature test). */
  variant?: Variant;
  /** The folder (URL) holding the package's core/ folder; default: next to wisp.mjs. */
  baseUrl?: string | URL | null;
  /** Maps a file name ('wisp-simd128-mt.wasm', '...worker.js', '...js') to its URL or path;
   *  wins over baseUrl. */
  locateFile?: ((file: string) => string) | null;
  /** The bytes of core/wisp-VARIANT.wasm (needs `variant`). */
  wasmBinary?: Uint8Array | ArrayBuffer;
}

export interface RuntimeInfo {
  variant: Variant;
  threads: boolean;
  relaxedSimd: boolean;
  /** Threads a model uses when Model.load is not given numThreads (1 without threads):
   *  navigator.hardwareConcurrency or os.availableParallelism(). */
  defaultNumThreads: number;
}

export interface Features {
  simd: boolean;
  relaxedSimd: boolean;
  /** WebAssembly threads and a usable SharedArrayBuffer (cross-origin isolation in browsers). */
  threads: boolean;
}

export interface Progress {
  /** Bytes received so far. */
  loaded: number;
  /** The size from Content-Length, or null when unknown (or compressed in transit). */
  total: number | null;
}

export interface LoadOptions extends InitOptions {
  /** Run the graph optimizer at load (default true). */
  optimize?: boolean;
  /** Threads for this model's runs (default RuntimeInfo.defaultNumThreads; always 1 in the
   *  single-thread variants). */
  numThreads?: number;
  /** Called while a URL downloads. */
  onProgress?: (progress: Progress) => void;
}

/** A feed: a Tensor, or its fields (dtype may be left out for typed arrays). */
export type Feed = Tensor | { dtype?: DType; dims: number[]; data: TensorData | ArrayLike<number | bigint | boolean> };

/** Where one run's time went (Model.runWithProfile). */
export interface RunProfile {
  /** Every node run, in order; nodes inside If/Loop/Scan bodies are named by their path
   *  ("If_0/then/Conv_3"), and an If/Loop/Scan node's own time excludes its body's nodes. */
  nodes: { name: string; opType: string; ms: number }[];
  /** Time per operator type, slowest first. */
  byOpType: { opType: string; ms: number; count: number }[];
  /** The sum of the nodes' times. */
  totalMs: number;
  /** Time spent allocating tensors, and how many were handed out. */
  allocationMs: number;
  allocations: number;
}

export class Model {
  /** Loads an ONNX or .wisp model from bytes, a URL, or (in Node) a file path. */
  static load(source: Uint8Array | ArrayBuffer | ArrayBufferView | URL | string, options?: LoadOptions): Promise<Model>;
  readonly inputs: ValueInfo[];
  readonly outputs: ValueInfo[];
  /** Threads this model's runs use. */
  readonly numThreads: number;
  /** The runtime variant that runs this model. */
  readonly variant: Variant;
  /** Runs the model; resolves to every graph output by name. Rejects with the core's message.
   *  Runs of one model execute in order; in threaded variants off the main thread. */
  run(feeds: Record<string, Feed>): Promise<Record<string, Tensor>>;
  /** Runs as run() does and also times every node. */
  runWithProfile(feeds: Record<string, Feed>): Promise<{ outputs: Record<string, Tensor>; profile: RunProfile }>;
  /** The loaded model as .wisp bytes. */
  toWisp(): Uint8Array;
  /** Frees the model; runs already started complete, later run() calls reject. */
  dispose(): void;
}

/** Loads a runtime variant ahead of time or from a custom place (Model.load calls it). */
export function init(options?: InitOptions): Promise<RuntimeInfo>;

/** What the current engine supports. */
export function features(): Features;

/** Every variant, best first. */
export const VARIANTS: readonly Variant[];
