// Minimal NumPy .npy reader/writer for the JS test harnesses (little-endian, C order).
import { readFileSync, writeFileSync } from 'node:fs';

const DESCR = {
  float32: ['<f4', Float32Array], float64: ['<f8', Float64Array], int8: ['|i1', Int8Array],
  int16: ['<i2', Int16Array], int32: ['<i4', Int32Array], int64: ['<i8', BigInt64Array],
  uint8: ['|u1', Uint8Array], uint16: ['<u2', Uint16Array], uint32: ['<u4', Uint32Array],
  uint64: ['<u8', BigUint64Array], bool: ['|b1', Uint8Array],
};
const BY_DESCR = Object.fromEntries(Object.entries(DESCR).map(([dtype, [d]]) => [d, dtype]));
BY_DESCR['<u1'] = 'uint8';
BY_DESCR['<i1'] = 'int8';
BY_DESCR['<b1'] = 'bool';

export function typedArrayFor(dtype) {
  if (!DESCR[dtype]) throw new Error(`npy: unsupported dtype ${dtype}`);
  return DESCR[dtype][1];
}

export function encodeNpy({ dtype, dims, data }) {
  const [descr] = DESCR[dtype];
  const shape = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const prefix = Buffer.alloc(10);
  prefix.write('\x93NUMPY', 0, 'latin1');
  prefix[6] = 1;
  prefix[7] = 0;
  prefix.writeUInt16LE(header.length, 8);
  const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.concat([prefix, Buffer.from(header, 'latin1'), body]);
}

export function writeNpy(path, tensor) {
  writeFileSync(path, encodeNpy(tensor));
}

export function decodeNpy(bytes) {
  const buf = Buffer.from(bytes);
  if (buf.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error('npy: bad magic');
  const major = buf[6];
  const headerLength = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + headerLength);
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)[1];
  const dims = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const dtype = BY_DESCR[descr];
  if (!dtype) throw new Error(`npy: unsupported descr ${descr}`);
  const Ctor = typedArrayFor(dtype);
  const count = dims.reduce((a, b) => a * b, 1);
  const offset = start + headerLength;
  const copy = new Uint8Array(buf.subarray(offset, offset + count * Ctor.BYTES_PER_ELEMENT));
  return { dtype, dims, data: new Ctor(copy.buffer, 0, count) };
}

export function readNpy(path) {
  return decodeNpy(readFileSync(path));
}
