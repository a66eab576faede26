// Unit tests of the OCR pre/post-processing (demo/lib/image.mjs, demo/lib/ocr.mjs).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crop, imageToTensor, makeImage, resizeBilinear } from '../image.mjs';
import {
  boxesFromProbabilityMap, ctcGreedyDecode, detectorInput, detectorInputSize, parseDictionary, recognizerInput, runOcr,
} from '../ocr.mjs';

// An image whose pixel (x, y) is (x, y, x + y, 255), for checking where pixels land.
function gradient(width, height) {
  const img = makeImage(width, height);
  for (let y = 0; y < height; ++y) {
    for (let x = 0; x < width; ++x) img.data.set([x, y, x + y, 255], (y * width + x) * 4);
  }
  return img;
}

test('crop clamps to the image and copies rows', () => {
  const img = gradient(10, 8);
  const c = crop(img, { x0: 7, y0: -3, x1: 20, y1: 2 });
  assert.deepEqual([c.width, c.height], [3, 2]);
  assert.deepEqual([...c.data.subarray(0, 4)], [7, 0, 7, 255]);
  assert.deepEqual([...c.data.subarray(4 * 4, 4 * 5)], [8, 1, 9, 255]);  // (1, 1) of the crop
  assert.deepEqual([crop(img, { x0: 5, y0: 5, x1: 2, y1: 2 }).width], [0]);
});

test('resizeBilinear: identity at the same size, centre-aligned interpolation otherwise', () => {
  const img = gradient(6, 4);
  assert.deepEqual(resizeBilinear(img, 6, 4).data, img.data);
  // Halving a linear ramp samples at x = 0.5, 2.5, 4.5: values round half up.
  const half = resizeBilinear(img, 3, 2);
  assert.deepEqual([0, 1, 2].map((x) => half.data[x * 4]), [1, 3, 5]);  // round(0.5), round(2.5), round(4.5)
  // Doubling: output x=0 maps to -0.25 (clamped to 0), x=1 to 0.25.
  const dbl = resizeBilinear(gradient(2, 1), 4, 1);
  assert.deepEqual([0, 1, 2, 3].map((x) => dbl.data[x * 4]), [0, 0, 1, 1]);
  assert.throws(() => resizeBilinear(img, -1, 2), /bad size/);
  assert.throws(() => resizeBilinear({ width: 2, height: 2, data: new Uint8Array(3) }, 1, 1), /RGBA/);
});

test('imageToTensor writes BGR planes, normalised, padded', () => {
  const img = makeImage(1, 1);
  img.data.set([255, 0, 51, 255]);
  const t = imageToTensor(img, 2, 1, [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], -7);
  assert.deepEqual(t.dims, [1, 3, 1, 2]);
  const close = (a, b) => assert.ok(Math.abs(a - b) < 1e-6, `${a} vs ${b}`);
  close(t.data[0], 51 / 127.5 - 1);  // B
  close(t.data[2], -1);              // G
  close(t.data[4], 1);               // R
  assert.deepEqual([t.data[1], t.data[3], t.data[5]], [-7, -7, -7]);
});

test('detector input sizes are multiples of 32 within maxSide', () => {
  assert.deepEqual(detectorInputSize(720, 360), { width: 736, height: 352 });
  assert.deepEqual(detectorInputSize(4000, 1000), { width: 960, height: 256 });
  assert.deepEqual(detectorInputSize(10, 5), { width: 32, height: 32 });
  assert.throws(() => detectorInputSize(0, 5), /empty image/);
  const d = detectorInput(gradient(64, 40));
  assert.deepEqual(d.tensor.dims, [1, 3, 32, 64]);
  assert.equal(d.scaleX, 1);
  assert.equal(d.scaleY, 40 / 32);
});

// A map with text-like blobs: value v in the given rectangles (inclusive), 0 elsewhere.
function map(width, height, blobs) {
  const m = new Float32Array(width * height);
  for (const [x0, y0, x1, y1, v] of blobs) {
    for (let y = y0; y <= y1; ++y) for (let x = x0; x <= x1; ++x) m[y * width + x] = v;
  }
  return m;
}

test('DB postprocess: grown boxes in reading order, weak and tiny regions dropped', () => {
  const prob = map(100, 60, [
    [60, 10, 89, 17, 0.9],  // right of the first row
    [10, 11, 39, 18, 0.8],  // left of the first row, a pixel lower: still the same row
    [10, 40, 49, 47, 0.95], // second row
    [70, 40, 90, 47, 0.5],  // above the pixel threshold, below the box threshold
    [5, 55, 6, 56, 0.99],   // 2x2: too small
  ]);
  const boxes = boxesFromProbabilityMap(prob, 100, 60, { imageWidth: 100, imageHeight: 60 });
  assert.equal(boxes.length, 3);
  // 30x8 region: grow = 30*8*1.5 / (2*38) = 4.74
  assert.deepEqual(boxes.map(({ x0, y0, x1, y1 }) => [x0, y0, x1, y1]), [
    [5, 6, 45, 24], [55, 5, 95, 23], [5, 35, 55, 53],
  ]);
  assert.ok(Math.abs(boxes[0].score - 0.8) < 1e-6);
  // Scaled back to a 2x image, clamped to its bounds.
  const scaled = boxesFromProbabilityMap(prob, 100, 60, { scaleX: 2, scaleY: 2, imageWidth: 180, imageHeight: 120 });
  assert.deepEqual([scaled[1].x0, scaled[1].x1], [110, 180]);
  assert.throws(() => boxesFromProbabilityMap(prob, 10, 10), /probability map/);
});

test('DB postprocess joins 8-connected pixels into one region', () => {
  const prob = map(20, 20, [[2, 2, 5, 5, 0.9], [6, 6, 9, 9, 0.9]]);  // touching diagonally
  assert.equal(boxesFromProbabilityMap(prob, 20, 20).length, 1);
});

test('recognizer input: 48 high, width from the aspect ratio, at least 320', () => {
  assert.deepEqual(recognizerInput(gradient(100, 24)).dims, [1, 3, 48, 320]);
  const wide = recognizerInput(gradient(400, 24));
  assert.deepEqual(wide.dims, [1, 3, 48, 800]);
  assert.deepEqual(recognizerInput(gradient(10000, 10)).dims, [1, 3, 48, 3200]);
  // 200 wide content, zero padding after it
  const padded = recognizerInput(gradient(100, 24));
  assert.equal(padded.data[47 * 320 + 319], 0);
  assert.throws(() => recognizerInput(makeImage(0, 5)), /empty text line/);
});

test('dictionary parsing: CRLF, final newline, blank lines kept, space appended', () => {
  assert.deepEqual(parseDictionary('a\r\nb\n\nc\n'), ['a', 'b', '', 'c', ' ']);
  assert.deepEqual(parseDictionary('a\nb', false), ['a', 'b']);
  assert.throws(() => parseDictionary('', false), /empty/);
});

test('greedy CTC: best class per step, repeats merged, blanks separate repeats', () => {
  const chars = ['a', 'b', 'é'];
  const steps = [[0, 0.9, 0, 0], [0, 0.8, 0, 0], [0.9, 0, 0, 0], [0, 0.7, 0, 0], [0, 0, 0, 0.6], [0, 0, 0.5, 0]];
  const { text, score } = ctcGreedyDecode(Float32Array.from(steps.flat()), 6, 4, chars);
  assert.equal(text, 'aaéb');
  assert.ok(Math.abs(score - (0.9 + 0.7 + 0.6 + 0.5) / 4) < 1e-6);
  assert.deepEqual(ctcGreedyDecode(new Float32Array(8), 2, 4, chars), { text: '', score: 0 });
  assert.throws(() => ctcGreedyDecode(new Float32Array(7), 2, 4, chars), /probabilities/);
});

test('runOcr wires detector, boxes, crops and recognizer together (fake models)', async () => {
  const image = gradient(64, 32);
  const detector = {
    inputs: [{ name: 'x' }],
    async run(feeds) {
      assert.deepEqual(feeds.x.dims, [1, 3, 32, 64]);
      return { y: { dims: [1, 1, 32, 64], data: map(64, 32, [[8, 8, 40, 20, 0.9]]) } };
    },
  };
  const characters = ['h', 'i', ' '];
  const recognizer = {
    inputs: [{ name: 'x' }],
    async run(feeds) {
      assert.equal(feeds.x.dims[2], 48);
      // 'hi' as steps h, blank, i
      return { y: { dims: [1, 3, 4], data: Float32Array.from([0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0]) } };
    },
  };
  const { lines, timings } = await runOcr(image, { detector, recognizer, characters });
  assert.equal(lines.length, 1);
  assert.equal(lines[0].text, 'hi');
  assert.ok(lines[0].box.x0 < 8 && lines[0].box.x1 > 41);
  assert.ok(timings.detectMs >= 0 && timings.recognizeMs >= 0);
  await assert.rejects(runOcr(image, { detector, recognizer, characters: ['h'] }), /4 classes but the dictionary has 1 characters/);
});
