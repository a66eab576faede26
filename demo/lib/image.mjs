// RGBA images (the layout of a canvas ImageData) and the operations the OCR models need:
// crop, bilinear resize and conversion to a normalised NCHW float tensor.
// Pure functions: they run in browsers and in Node alike.
//
// An image is {width, height, data}, data being width * height * 4 bytes (R, G, B, A).

/** Checks an image's shape, throwing a clear error for anything else. */
export function checkImage(image, what = 'image') {
  if (!image || !Number.isInteger(image.width) || !Number.isInteger(image.height) ||
      image.width < 0 || image.height < 0) {
    throw new TypeError(`${what}: expected {width, height, data}`);
  }
  if (!image.data || image.data.length !== image.width * image.height * 4) {
    throw new RangeError(`${what}: data has ${image.data?.length} bytes, ${image.width * image.height * 4} expected (RGBA)`);
  }
}

/** A new, zeroed RGBA image. */
export function makeImage(width, height) {
  return { width, height, data: new Uint8ClampedArray(width * height * 4) };
}

/** The part of `image` inside the half-open rectangle [x0, x1) x [y0, y1), clamped to the image. */
export function crop(image, { x0, y0, x1, y1 }) {
  checkImage(image);
  const cx0 = Math.min(Math.max(x0, 0), image.width), cx1 = Math.min(Math.max(x1, cx0), image.width);
  const cy0 = Math.min(Math.max(y0, 0), image.height), cy1 = Math.min(Math.max(y1, cy0), image.height);
  const out = makeImage(cx1 - cx0, cy1 - cy0);
  for (let y = 0; y < out.height; ++y) {
    const from = ((cy0 + y) * image.width + cx0) * 4;
    out.data.set(image.data.subarray(from, from + out.width * 4), y * out.width * 4);
  }
  return out;
}

// Source sample positions and weights along one axis, pixel centres aligned
// (the usual INTER_LINEAR convention, as in core/pipelines/ocr/image.cpp).
function axisTaps(src, dst) {
  const lo = new Int32Array(dst), hi = new Int32Array(dst), frac = new Float32Array(dst);
  const scale = src / dst;
  for (let i = 0; i < dst; ++i) {
    const s = Math.min(Math.max((i + 0.5) * scale - 0.5, 0), src - 1);
    lo[i] = Math.floor(s);
    hi[i] = Math.min(lo[i] + 1, src - 1);
    frac[i] = s - lo[i];
  }
  return { lo, hi, frac };
}

/** Bilinear resize to width x height (alpha is resized like the colour channels). */
export function resizeBilinear(image, width, height) {
  checkImage(image);
  if (!(Number.isInteger(width) && Number.isInteger(height) && width >= 0 && height >= 0)) {
    throw new RangeError(`resizeBilinear: bad size ${width}x${height}`);
  }
  const out = makeImage(width, height);
  if (image.width === 0 || image.height === 0) return out;
  const xs = axisTaps(image.width, width), ys = axisTaps(image.height, height);
  const src = image.data, dst = out.data, stride = image.width * 4;
  for (let y = 0; y < height; ++y) {
    const fy = ys.frac[y], rowLo = ys.lo[y] * stride, rowHi = ys.hi[y] * stride;
    for (let x = 0; x < width; ++x) {
      const fx = xs.frac[x], l = xs.lo[x] * 4, h = xs.hi[x] * 4;
      const o = (y * width + x) * 4;
      for (let c = 0; c < 4; ++c) {
        const a = src[rowLo + l + c], b = src[rowLo + h + c], p = src[rowHi + l + c], q = src[rowHi + h + c];
        const top = a + (b - a) * fx, bottom = p + (q - p) * fx;
        dst[o + c] = Math.round(top + (bottom - top) * fy);  // Uint8ClampedArray clamps to 0..255
      }
    }
  }
  return out;
}

/**
 * Writes `image` into a float32 [1, 3, height, width] array (height/width may exceed the
 * image's: the rest is `pad`). Channels go in BGR order, as PaddleOCR's models were trained on
 * OpenCV images; value = (pixel / 255 - mean[c]) / std[c], c indexing B, G, R.
 */
export function imageToTensor(image, width, height, mean, std, pad = 0) {
  checkImage(image);
  const plane = width * height;
  const out = new Float32Array(3 * plane);
  for (let c = 0; c < 3; ++c) {
    const rgbChannel = 2 - c;  // BGR
    const scale = 1 / (255 * std[c]), shift = -mean[c] / std[c];
    const base = c * plane;
    for (let y = 0; y < height; ++y) {
      for (let x = 0; x < width; ++x) {
        out[base + y * width + x] = x < image.width && y < image.height
          ? image.data[(y * image.width + x) * 4 + rgbChannel] * scale + shift
          : pad;
      }
    }
  }
  return { dtype: 'float32', dims: [1, 3, height, width], data: out };
}
