// Minimal NumPy .npy reader/writer for the JS test harnesses (little-endian, C order).
import { readFileSync, writeFileSync } from 'node:fs';
import { DESCR, decodeNpy, typedArrayFor } from './npy_codec.mjs';

export { decodeNpy, typedArrayFor };

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

export function readNpy(path) {
  return decodeNpy(readFileSync(path));
}
