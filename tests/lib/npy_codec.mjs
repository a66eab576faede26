// NumPy .npy decoding without Node APIs, so that browser pages (bench/browser_page.mjs) can
// use it too; tests/lib/npy.mjs adds encoding and files.
export const DESCR = {
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

const latin1 = (bytes, start, end) => String.fromCharCode(...bytes.subarray(start, end));

/** {dtype, dims, data} from the bytes of a .npy file (a Uint8Array or Buffer; little-endian, C order). */
export function decodeNpy(bytes) {
  const buf = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (latin1(buf, 0, 6) !== '\x93NUMPY') throw new Error('npy: bad magic');
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const major = buf[6];
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = latin1(buf, start, start + headerLength);
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)[1];
  const dims = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const dtype = BY_DESCR[descr];
  if (!dtype) throw new Error(`npy: unsupported descr ${descr}`);
  const Ctor = typedArrayFor(dtype);
  const count = dims.reduce((a, b) => a * b, 1);
  const offset = start + headerLength;
  // A copy of its own (Buffer#slice would be a view of Node's shared pool).
  const copy = Uint8Array.prototype.slice.call(buf, offset, offset + count * Ctor.BYTES_PER_ELEMENT);
  return { dtype, dims, data: new Ctor(copy.buffer, 0, count) };
}
