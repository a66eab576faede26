// What a model file holds, read in JavaScript for the playground: the operators of its graph
// (with subgraphs), opsets and counts. The Wisp API exposes inputs and outputs but no node
// list, so this reads the file itself: a minimal protobuf reader for ONNX and a minimal
// FlatBuffers reader for .wisp (schema/wisp.fbs). Only the fields used here are decoded.

const utf8 = new TextDecoder();

// ---------- protobuf (ONNX) ----------

class ProtoReader {
  constructor(bytes, start = 0, end = bytes.length) {
    this.bytes = bytes;
    this.pos = start;
    this.end = end;
  }

  varint() {
    let result = 0, scale = 1;
    for (let i = 0; i < 10; ++i) {
      if (this.pos >= this.end) throw new Error('truncated protobuf varint');
      const b = this.bytes[this.pos++];
      result += (b & 0x7f) * scale;  // arithmetic, not bit ops: values may exceed 32 bits
      if (b < 0x80) return result;
      scale *= 128;
    }
    throw new Error('malformed protobuf varint');
  }

  // Calls fn(field, wireType, reader) for each field; fn reads length-delimited fields with
  // reader.sub()/string() or returns false to have the field skipped.
  fields(fn) {
    while (this.pos < this.end) {
      const key = this.varint();
      const field = Math.floor(key / 8), wire = key % 8;
      if (field === 0) throw new Error('protobuf field number 0');
      const before = this.pos;
      if (wire === 2) {
        const len = this.varint();
        if (this.pos + len > this.end) throw new Error('truncated protobuf field');
        const sub = new ProtoReader(this.bytes, this.pos, this.pos + len);
        this.pos += len;
        fn(field, wire, sub);
      } else if (wire === 0) {
        const value = this.varint();
        fn(field, wire, value);
      } else if (wire === 1) {
        this.pos += 8;
      } else if (wire === 5) {
        this.pos += 4;
      } else {
        throw new Error(`unsupported protobuf wire type ${wire} at byte ${before}`);
      }
      if (this.pos > this.end) throw new Error('truncated protobuf field');
    }
  }

  string() {
    return utf8.decode(this.bytes.subarray(this.pos, this.end));
  }
}

function onnxGraph(reader, stats, depth) {
  const graph = { name: '', nodes: 0, initializers: 0, inputs: 0, outputs: 0 };
  reader.fields((field, wire, r) => {
    if (wire !== 2) return;
    if (field === 1) onnxNode(r, stats, depth);
    else if (field === 2) graph.name = r.string();
    else if (field === 5 || field === 15) ++stats.initializers;
    else if (field === 11) ++graph.inputs;
    else if (field === 12) ++graph.outputs;
  });
  return graph;
}

function onnxNode(reader, stats, depth) {
  let opType = '', domain = '';
  const subgraphs = [];
  reader.fields((field, wire, r) => {
    if (wire !== 2) return;
    if (field === 4) opType = r.string();
    else if (field === 7) domain = r.string();
    else if (field === 5) {
      // AttributeProto: g = 6, graphs = 11
      r.fields((f, w, a) => {
        if (w === 2 && (f === 6 || f === 11)) subgraphs.push(a);
      });
    }
  });
  countOp(stats, opType, domain, depth);
  for (const g of subgraphs) onnxGraph(g, stats, depth + 1);
}

function countOp(stats, opType, domain, depth) {
  const key = domain && domain !== 'ai.onnx' ? `${domain}.${opType}` : opType;
  stats.ops.set(key, (stats.ops.get(key) ?? 0) + 1);
  ++stats.nodes;
  if (depth > 0) ++stats.subgraphNodes;
}

function onnxInfo(bytes) {
  const stats = { ops: new Map(), nodes: 0, subgraphNodes: 0, initializers: 0 };
  const info = { format: 'onnx', irVersion: null, producer: '', opsets: [], graphName: '' };
  let sawGraph = false;
  new ProtoReader(bytes).fields((field, wire, r) => {
    if (field === 1 && wire === 0) info.irVersion = r;
    else if (field === 2 && wire === 2) info.producer = r.string();
    else if (field === 8 && wire === 2) {
      const opset = { domain: '', version: 0 };
      r.fields((f, w, v) => {
        if (f === 1 && w === 2) opset.domain = v.string();
        else if (f === 2 && w === 0) opset.version = v;
      });
      info.opsets.push(opset);
    } else if (field === 7 && wire === 2) {
      sawGraph = true;
      info.graphName = onnxGraph(r, stats, 0).name;
    }
  });
  if (!sawGraph) throw new Error('not an ONNX model (no graph)');
  return finish(info, stats);
}

// ---------- FlatBuffers (.wisp) ----------

class FlatTable {
  constructor(view, pos) {
    this.view = view;
    this.pos = pos;
    const vtable = pos - view.getInt32(pos, true);
    if (vtable < 0 || vtable + 4 > view.byteLength) throw new Error('malformed .wisp graph (vtable)');
    this.vtable = vtable;
    this.vtableSize = view.getUint16(vtable, true);
  }

  // Byte position of field `index`, or 0 when absent.
  field(index) {
    const at = 4 + 2 * index;
    return at < this.vtableSize ? this.view.getUint16(this.vtable + at, true) : 0;
  }

  indirect(index) {
    const off = this.field(index);
    if (!off) return -1;
    const at = this.pos + off;
    return at + this.view.getUint32(at, true);
  }

  string(index) {
    const at = this.indirect(index);
    if (at < 0) return '';
    const len = this.view.getUint32(at, true);
    return utf8.decode(new Uint8Array(this.view.buffer, this.view.byteOffset + at + 4, len));
  }

  int64(index, fallback = 0) {
    const off = this.field(index);
    return off ? Number(this.view.getBigInt64(this.pos + off, true)) : fallback;
  }

  table(index) {
    const at = this.indirect(index);
    return at < 0 ? null : new FlatTable(this.view, at);
  }

  tables(index) {
    const at = this.indirect(index);
    if (at < 0) return [];
    const n = this.view.getUint32(at, true);
    if (at + 4 + 4 * n > this.view.byteLength) throw new Error('malformed .wisp graph (vector)');
    const out = [];
    for (let i = 0; i < n; ++i) {
      const el = at + 4 + 4 * i;
      out.push(new FlatTable(this.view, el + this.view.getUint32(el, true)));
    }
    return out;
  }

  vectorLength(index) {
    const at = this.indirect(index);
    return at < 0 ? 0 : this.view.getUint32(at, true);
  }
}

// Field indices from schema/wisp.fbs.
const MODEL = { irVersion: 0, opsets: 1, producerName: 2, graph: 5 };
const GRAPH = { name: 0, nodes: 1, initializers: 4 };
const NODE = { opType: 1, domain: 2, attributes: 5 };
const ATTRIBUTE = { g: 6, graphs: 11 };
const OPSET = { domain: 0, version: 1 };

function wispGraph(graph, stats, depth) {
  stats.initializers += graph.vectorLength(GRAPH.initializers);
  for (const node of graph.tables(GRAPH.nodes)) {
    countOp(stats, node.string(NODE.opType), node.string(NODE.domain), depth);
    for (const attr of node.tables(NODE.attributes)) {
      const g = attr.table(ATTRIBUTE.g);
      if (g) wispGraph(g, stats, depth + 1);
      for (const sub of attr.tables(ATTRIBUTE.graphs)) wispGraph(sub, stats, depth + 1);
    }
  }
}

function wispInfo(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 64) throw new Error('.wisp file is shorter than its header');
  const graphOffset = Number(view.getBigUint64(16, true)), graphSize = Number(view.getBigUint64(24, true));
  if (graphOffset + graphSize > bytes.byteLength || graphSize < 8) throw new Error('.wisp graph section is out of the file');
  const fb = new DataView(bytes.buffer, bytes.byteOffset + graphOffset, graphSize);
  if (utf8.decode(new Uint8Array(fb.buffer, fb.byteOffset + 4, 4)) !== 'WSPG') throw new Error('.wisp graph has no WSPG identifier');
  const model = new FlatTable(fb, fb.getUint32(0, true));
  const info = {
    format: 'wisp', version: view.getUint32(4, true), irVersion: model.int64(MODEL.irVersion, null),
    producer: model.string(MODEL.producerName), graphName: '',
    opsets: model.tables(MODEL.opsets).map((o) => ({ domain: o.string(OPSET.domain), version: o.int64(OPSET.version) })),
  };
  const stats = { ops: new Map(), nodes: 0, subgraphNodes: 0, initializers: 0 };
  const graph = model.table(MODEL.graph);
  if (!graph) throw new Error('.wisp model has no graph');
  info.graphName = graph.string(GRAPH.name);
  wispGraph(graph, stats, 0);
  return finish(info, stats);
}

function finish(info, stats) {
  return {
    ...info,
    nodes: stats.nodes,
    subgraphNodes: stats.subgraphNodes,
    initializers: stats.initializers,
    // [[opType, count]] most frequent first, then by name.
    opHistogram: [...stats.ops].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])),
  };
}

/** True when the bytes start like a .wisp file. */
export function isWisp(bytes) {
  return bytes.length >= 4 && bytes[0] === 0x57 && bytes[1] === 0x49 && bytes[2] === 0x53 && bytes[3] === 0x50;  // "WISP"
}

/**
 * {format, irVersion, producer, opsets: [{domain, version}], graphName, nodes, subgraphNodes,
 * initializers, opHistogram: [[op, count]]} of ONNX or .wisp bytes. Throws on malformed input.
 */
export function modelInfo(bytes) {
  const b = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
  try {
    return isWisp(b) ? wispInfo(b) : onnxInfo(b);
  } catch (e) {
    if (e instanceof RangeError) throw new Error(`malformed model file: ${e.message}`);
    throw e;
  }
}

// ---------- random inputs ----------

// mulberry32: small, seeded, the same in every browser.
export function seededRandom(seed = 1) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ARRAYS = {
  float32: Float32Array, float64: Float64Array, int8: Int8Array, uint8: Uint8Array, int16: Int16Array,
  uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array, int64: BigInt64Array, uint64: BigUint64Array,
  bool: Uint8Array, float16: Uint16Array, bfloat16: Uint16Array,
};

/**
 * Concrete dims for a declared input shape: symbolic or unknown dims take `dimValues[name]`
 * if given, else `fallback` (1). An unknown rank becomes [1].
 */
export function concreteDims(shape, dimValues = {}, fallback = 1) {
  if (!shape) return [fallback];
  return shape.map((d) => (typeof d === 'number' && d >= 0 ? d : (typeof d === 'string' && dimValues[d]) || fallback));
}

/**
 * A random feed for a declared input {name, dtype, shape}: floats uniform in [-1, 1), integers
 * in [0, 10), bools 0/1, float16 values in [-1, 1] as raw bits. Strings get 'a'.
 */
export function randomFeed(input, { dimValues, random = seededRandom(1) } = {}) {
  const dtype = input.dtype ?? 'float32';
  const dims = concreteDims(input.shape, dimValues);
  const n = dims.reduce((a, b) => a * b, 1);
  if (n > 1 << 28) throw new RangeError(`input '${input.name}' would have ${n} elements`);
  if (dtype === 'string') return { dtype, dims, data: Array.from({ length: n }, () => 'a') };
  const Type = ARRAYS[dtype];
  if (!Type) throw new TypeError(`input '${input.name}': cannot make random data of type ${dtype}`);
  const data = new Type(n);
  for (let i = 0; i < n; ++i) {
    const r = random();
    if (dtype === 'float32' || dtype === 'float64') data[i] = r * 2 - 1;
    else if (dtype === 'bool') data[i] = r < 0.5 ? 0 : 1;
    else if (dtype === 'float16') data[i] = 0x3800 + Math.floor(r * 0x400);            // [0.5, 1)
    else if (dtype === 'bfloat16') data[i] = 0x3f00 + Math.floor(r * 0x80);            // [0.5, 1)
    else if (Type === BigInt64Array || Type === BigUint64Array) data[i] = BigInt(Math.floor(r * 10));
    else data[i] = Math.floor(r * 10);
  }
  return { dtype, dims, data };
}
