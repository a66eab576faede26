// PP-OCR pre- and post-processing in JavaScript, mirroring the native pipeline
// (core/pipelines/ocr): DB text detection to boxes, line crops, CTC decoding.
// Pure functions over RGBA images (lib/image.mjs) and typed arrays.

import { checkImage, crop, imageToTensor, resizeBilinear } from './image.mjs';

export const DETECTOR_DEFAULTS = Object.freeze({
  maxSide: 960,          // longer image side is scaled down to at most this
  pixelThreshold: 0.3,   // probability for a pixel to count as text
  boxThreshold: 0.6,     // mean probability for a region to count as a text box
  unclipRatio: 1.5,      // how far boxes are grown (DB shrinks its targets in training)
  minBoxSide: 3,
});

export const LINE_HEIGHT = 48;       // PP-OCRv3/v4 recognizers take 48-pixel-high lines
export const MIN_LINE_WIDTH = 320;
export const MAX_LINE_WIDTH = 3200;  // very long crops are squeezed rather than made huge

// The detector needs sides that are multiples of 32 (five stride-2 stages).
function roundToStride(side) {
  return Math.max(32, Math.round(side / 32) * 32);
}

/** The detector's input size for an image: longer side <= maxSide, both multiples of 32. */
export function detectorInputSize(width, height, maxSide = DETECTOR_DEFAULTS.maxSide) {
  if (!(width > 0 && height > 0)) throw new RangeError(`empty image (${width}x${height})`);
  const shrink = Math.min(1, maxSide / Math.max(width, height));
  return { width: roundToStride(width * shrink), height: roundToStride(height * shrink) };
}

/**
 * The detector's input tensor for an image: resized, ImageNet-normalised, BGR.
 * Returns {tensor, width, height, scaleX, scaleY}; scale maps map pixels back to the image.
 */
export function detectorInput(image, maxSide = DETECTOR_DEFAULTS.maxSide) {
  checkImage(image);
  const { width, height } = detectorInputSize(image.width, image.height, maxSide);
  const resized = resizeBilinear(image, width, height);
  const tensor = imageToTensor(resized, width, height, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]);
  return { tensor, width, height, scaleX: image.width / width, scaleY: image.height / height };
}

// 8-connected components of the thresholded map, found with an explicit stack (no recursion).
function connectedRegions(prob, width, height, threshold) {
  const seen = new Uint8Array(width * height);
  const stack = [];
  const regions = [];
  for (let start = 0; start < width * height; ++start) {
    if (seen[start] || !(prob[start] > threshold)) continue;
    const r = { x0: start % width, y0: (start / width) | 0, x1: start % width, y1: (start / width) | 0, sum: 0, pixels: 0 };
    seen[start] = 1;
    stack.push(start);
    while (stack.length) {
      const p = stack.pop();
      const x = p % width, y = (p / width) | 0;
      if (x < r.x0) r.x0 = x;
      if (x > r.x1) r.x1 = x;
      if (y < r.y0) r.y0 = y;
      if (y > r.y1) r.y1 = y;
      r.sum += prob[p];
      ++r.pixels;
      for (let dy = -1; dy <= 1; ++dy) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; ++dx) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const q = ny * width + nx;
          if (!seen[q] && prob[q] > threshold) {
            seen[q] = 1;
            stack.push(q);
          }
        }
      }
    }
    regions.push(r);
  }
  return regions;
}

const clamp = (v, lo, hi) => Math.min(Math.max(v, lo), hi);

/**
 * DB post-processing: boxes of the connected regions of a height x width probability map, in
 * image pixels, in reading order (top to bottom, then left to right).
 * Returns [{x0, y0, x1, y1, score}] with half-open bounds.
 */
export function boxesFromProbabilityMap(prob, width, height, { scaleX = 1, scaleY = 1, imageWidth, imageHeight, ...rest } = {}) {
  if (prob.length !== width * height) {
    throw new RangeError(`probability map has ${prob.length} values, ${width}x${height} expected`);
  }
  const o = { ...DETECTOR_DEFAULTS, ...rest };
  const iw = imageWidth ?? Math.round(width * scaleX), ih = imageHeight ?? Math.round(height * scaleY);
  const boxes = [];
  for (const r of connectedRegions(prob, width, height, o.pixelThreshold)) {
    const w = r.x1 - r.x0 + 1, h = r.y1 - r.y0 + 1;
    if (Math.min(w, h) < o.minBoxSide) continue;
    const score = r.sum / r.pixels;
    if (score < o.boxThreshold) continue;
    // Grow the box by area * ratio / perimeter, the offset DB's training shrank it by.
    const grow = (w * h * o.unclipRatio) / (2 * (w + h));
    const box = {
      x0: clamp(Math.floor((r.x0 - grow) * scaleX), 0, iw),
      y0: clamp(Math.floor((r.y0 - grow) * scaleY), 0, ih),
      x1: clamp(Math.ceil((r.x1 + 1 + grow) * scaleX), 0, iw),
      y1: clamp(Math.ceil((r.y1 + 1 + grow) * scaleY), 0, ih),
      score,
    };
    if (box.x1 - box.x0 < o.minBoxSide || box.y1 - box.y0 < o.minBoxSide) continue;
    boxes.push(box);
  }
  // Reading order: rows first (boxes whose tops are within half a line count as one row).
  boxes.sort((a, b) => {
    const tolerance = Math.floor(Math.min(a.y1 - a.y0, b.y1 - b.y0) / 2);
    if (Math.abs(a.y0 - b.y0) > tolerance) return a.y0 - b.y0;
    return a.x0 - b.x0;
  });
  return boxes;
}

/** The recognizer's input for one text line: 48 pixels high, right-padded to >= 320 wide. */
export function recognizerInput(line) {
  checkImage(line, 'text line');
  if (line.width === 0 || line.height === 0) throw new RangeError('empty text line image');
  const width = clamp(Math.ceil((LINE_HEIGHT * line.width) / line.height), 1, MAX_LINE_WIDTH);
  const tensorWidth = Math.max(width, MIN_LINE_WIDTH);
  const resized = resizeBilinear(line, width, LINE_HEIGHT);
  // (x / 255 - 0.5) / 0.5, padded on the right with zeros as the model was trained.
  return imageToTensor(resized, tensorWidth, LINE_HEIGHT, [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0);
}

/** The crop of a detected box, ready for recognizerInput. */
export function cropLine(image, box) {
  return crop(image, box);
}

/**
 * A PaddleOCR character dictionary: one character per line. Class k >= 1 of the model is
 * characters[k - 1]; class 0 is the CTC blank. `addSpace` appends ' ' as PaddleOCR does.
 */
export function parseDictionary(text, addSpace = true) {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines.length && lines[lines.length - 1] === '') lines.pop();  // the final newline ends a line
  if (addSpace) lines.push(' ');
  if (lines.length < 2) throw new Error('character dictionary is empty');
  return lines;
}

/**
 * Greedy CTC decoding of steps x classes probabilities: best class per step, repeats merged,
 * blanks (class 0) dropped. Returns {text, score}: score is the mean probability of the kept
 * characters.
 */
export function ctcGreedyDecode(probs, steps, classes, characters) {
  if (probs.length !== steps * classes) throw new RangeError(`${probs.length} probabilities for ${steps}x${classes}`);
  let text = '', previous = -1, kept = 0, sum = 0;
  for (let t = 0; t < steps; ++t) {
    const row = t * classes;
    let best = 0;
    for (let k = 1; k < classes; ++k) if (probs[row + k] > probs[row + best]) best = k;
    if (best !== 0 && best !== previous && best - 1 < characters.length) {
      text += characters[best - 1];
      sum += probs[row + best];
      ++kept;
    }
    previous = best;
  }
  return { text, score: kept ? sum / kept : 0 };
}

const now = () => (typeof performance === 'object' ? performance.now() : Date.now());

/**
 * The whole pipeline with two loaded models (anything with inputs[0].name and run(feeds)).
 * Returns {lines: [{box, text, detectionScore, recognitionScore}], timings: {preprocessMs,
 * detectMs, postprocessMs, recognizeMs}, detectorSize}.
 */
export async function runOcr(image, { detector, recognizer, characters, ...options }) {
  const timings = {};
  let t = now();
  const det = detectorInput(image, options.maxSide);
  timings.preprocessMs = now() - t;
  t = now();
  const detOut = await detector.run({ [detector.inputs[0].name]: det.tensor });
  timings.detectMs = now() - t;
  const map = Object.values(detOut)[0];
  if (map.data.length !== det.width * det.height) {
    throw new Error(`detector output [${map.dims}] is not a ${det.height}x${det.width} probability map`);
  }
  t = now();
  const boxes = boxesFromProbabilityMap(map.data, det.width, det.height, {
    scaleX: det.scaleX, scaleY: det.scaleY, imageWidth: image.width, imageHeight: image.height, ...options,
  });
  timings.postprocessMs = now() - t;
  t = now();
  const lines = [];
  for (const box of boxes) {
    const input = recognizerInput(cropLine(image, box));
    const out = Object.values(await recognizer.run({ [recognizer.inputs[0].name]: input }))[0];
    if (out.dims.length !== 3 || out.dims[0] !== 1) throw new Error(`recognizer output [${out.dims}] is not [1, steps, classes]`);
    if (out.dims[2] !== characters.length + 1) {
      throw new Error(`recognizer has ${out.dims[2]} classes but the dictionary has ${characters.length} characters (+1 blank)`);
    }
    const { text, score } = ctcGreedyDecode(out.data, out.dims[1], out.dims[2], characters);
    if (text) lines.push({ box: { x0: box.x0, y0: box.y0, x1: box.x1, y1: box.y1 }, text, detectionScore: box.score, recognitionScore: score });
  }
  timings.recognizeMs = now() - t;
  return { lines, timings, detectorSize: [det.width, det.height] };
}
