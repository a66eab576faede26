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

export interface LoadOptions {
  /** Run the graph optimizer at load (default true). */
  optimize?: boolean;
}

export interface InitOptions {
  /** The bytes of wisp_core.wasm (otherwise read next to wisp.mjs). */
  wasmBinary?: Uint8Array | ArrayBuffer;
  /** Maps 'wisp_core.wasm' to the URL to fetch it from (browsers). */
  locateFile?: (file: string) => string;
}

/** A feed: a Tensor, or its fields (dtype may be left out for typed arrays). */
export type Feed = Tensor | { dtype?: DType; dims: number[]; data: TensorData | ArrayLike<number | bigint | boolean> };

export class Model {
  /** Loads an ONNX or .wisp model from bytes, a URL, or (in Node) a file path. */
  static load(source: Uint8Array | ArrayBuffer | ArrayBufferView | URL | string, options?: LoadOptions): Promise<Model>;
  readonly inputs: ValueInfo[];
  readonly outputs: ValueInfo[];
  /** Runs the model; resolves to every graph output by name. Rejects with the core's message. */
  run(feeds: Record<string, Feed>): Promise<Record<string, Tensor>>;
  /** The loaded model as .wisp bytes. */
  toWisp(): Uint8Array;
  /** Frees the model's memory; later calls throw. */
  dispose(): void;
}

/** Loads the wasm module ahead of time or with custom options (Model.load calls it). */
export function init(options?: InitOptions): Promise<unknown>;
