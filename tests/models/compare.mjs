// Output comparison with the model tests' tolerance.
export const RTOL = 1e-4;
export const ATOL = 1e-5;

// Returns { ok, maxAbs, maxRel, message } for one output. An element passes when
// |a - e| <= atol + rtol * |e|, or when it is within `noise` (see roundingNoise).
export function compareTensor(actual, expected, rtol = RTOL, atol = ATOL, noise = 0) {
  if (actual.dtype !== expected.dtype) return { ok: false, message: `dtype ${actual.dtype} != ${expected.dtype}` };
  if (actual.dims.join(',') !== expected.dims.join(',')) {
    return { ok: false, message: `shape [${actual.dims}] != [${expected.dims}]` };
  }
  let maxAbs = 0, maxRel = 0, bad = 0, firstBad = -1;
  for (let i = 0; i < expected.data.length; ++i) {
    const a = Number(actual.data[i]), e = Number(expected.data[i]);
    if (Number.isNaN(a) && Number.isNaN(e)) continue;
    const diff = Math.abs(a - e);
    if (!(diff <= atol + rtol * Math.abs(e)) && !(diff <= noise)) {
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

// How far ONNX Runtime's own outputs move between its optimized and unoptimized graphs
// (different fusions, same math): twice that is float rounding, not an error. Deep models
// with large outputs (e.g. resnet50 logits around ±40) exceed 1e-4/1e-5 this way in ORT
// itself; for all others this is below the fixed tolerance and changes nothing.
export function roundingNoise(optimized, unoptimized) {
  let max = 0;
  for (let i = 0; i < optimized.data.length; ++i) {
    const d = Math.abs(Number(optimized.data[i]) - Number(unoptimized.data[i]));
    if (d > max) max = d;
  }
  return 2 * max;
}
