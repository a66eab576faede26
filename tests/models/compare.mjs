// Output comparison with the model tests' tolerance.
export const RTOL = 1e-4;
export const ATOL = 1e-5;

// Returns { ok, maxAbs, maxRel, message } for one output.
export function compareTensor(actual, expected, rtol = RTOL, atol = ATOL) {
  if (actual.dtype !== expected.dtype) return { ok: false, message: `dtype ${actual.dtype} != ${expected.dtype}` };
  if (actual.dims.join(',') !== expected.dims.join(',')) {
    return { ok: false, message: `shape [${actual.dims}] != [${expected.dims}]` };
  }
  let maxAbs = 0, maxRel = 0, bad = 0, firstBad = -1;
  for (let i = 0; i < expected.data.length; ++i) {
    const a = Number(actual.data[i]), e = Number(expected.data[i]);
    if (Number.isNaN(a) && Number.isNaN(e)) continue;
    const diff = Math.abs(a - e);
    if (!(diff <= atol + rtol * Math.abs(e))) {
      ++bad;
      if (firstBad < 0) firstBad = i;
    }
    if (diff > maxAbs || Number.isNaN(diff)) maxAbs = Number.isNaN(diff) ? Infinity : diff;
    if (Math.abs(e) > 1e-3) maxRel = Math.max(maxRel, diff / Math.abs(e));
  }
  const message = bad
    ? `${bad} of ${expected.data.length} elements out of tolerance, first at ${firstBad}: ${actual.data[firstBad]} vs ${expected.data[firstBad]}`
    : '';
  return { ok: bad === 0, maxAbs, maxRel, message };
}

export function identical(a, b) {
  if (a.dtype !== b.dtype || a.dims.join(',') !== b.dims.join(',')) return false;
  const x = new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength);
  const y = new Uint8Array(b.data.buffer, b.data.byteOffset, b.data.byteLength);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}
