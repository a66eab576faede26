// The VAD demo: Silero VAD v5 with Wisp over an audio file, segments drawn on the waveform.
import { mixToMono, parseWav, resample } from '/lib/audio.mjs';
import { speechProbabilities, speechSegments } from '/lib/vad.mjs';
import {
  acceptFiles, environmentText, fetchBytes, fillTable, loadOptions, ms, now, runtimeOf, setStatus, showError, showRuntime, wisp,
} from '/shared.mjs';

const RATE = 16000;
const MODEL_URL = '/models/@ricky0123/vad-web/dist/silero_vad_v5.onnx';
const canvas = document.getElementById('wave');
const player = document.getElementById('player');

let model = null, loadMs = 0;

async function loadModel() {
  const { Model } = await wisp();
  const t0 = now();
  const m = await Model.load(await fetchBytes(MODEL_URL), loadOptions());
  loadMs = now() - t0;
  showRuntime(m);
  return m;
}

// WAV is decoded here (exact samples, any rate); other formats by the browser's Web Audio,
// which an OfflineAudioContext at 16 kHz also resamples.
async function decodeAudio(bytes) {
  if (String.fromCharCode(...bytes.subarray(0, 4)) === 'RIFF') {
    const { sampleRate, channels } = parseWav(bytes);
    return { samples: resample(mixToMono(channels), sampleRate, RATE), sourceRate: sampleRate };
  }
  const context = new OfflineAudioContext(1, 1, RATE);
  let buffer;
  try {
    buffer = await context.decodeAudioData(bytes.slice().buffer);
  } catch {
    throw new Error('cannot decode this file as audio');
  }
  const channels = Array.from({ length: buffer.numberOfChannels }, (_, c) => buffer.getChannelData(c));
  return { samples: mixToMono(channels), sourceRate: buffer.sampleRate };
}

function draw(samples, probabilities, frameSeconds, segments, known) {
  const g = canvas.getContext('2d');
  const { width, height } = canvas;
  const duration = samples.length / RATE;
  const x = (seconds) => (seconds / duration) * width;
  g.clearRect(0, 0, width, height);
  const mid = height * 0.45, amp = height * 0.42;
  g.fillStyle = 'rgba(70, 180, 90, 0.25)';  // found speech
  for (const s of segments) g.fillRect(x(s.start), 0, x(s.end) - x(s.start), height * 0.9);
  g.fillStyle = '#2b2f38';  // waveform: min/max per pixel column
  const per = samples.length / width;
  for (let px = 0; px < width; ++px) {
    let lo = 0, hi = 0;
    for (let i = Math.floor(px * per); i < Math.floor((px + 1) * per); ++i) {
      if (samples[i] < lo) lo = samples[i];
      if (samples[i] > hi) hi = samples[i];
    }
    g.fillRect(px, mid - hi * amp, 1, Math.max(1, (hi - lo) * amp));
  }
  g.strokeStyle = '#1f5fbf';  // speech probability
  g.beginPath();
  probabilities.forEach((p, i) => {
    const px = x((i + 0.5) * frameSeconds), py = height * 0.9 - p * height * 0.88;
    i ? g.lineTo(px, py) : g.moveTo(px, py);
  });
  g.stroke();
  g.fillStyle = '#c77c02';  // known segments (bundled sample), as a band at the bottom
  for (const s of known ?? []) g.fillRect(x(s.start), height * 0.93, x(s.end) - x(s.start), height * 0.05);
  g.fillStyle = '#666';
  g.font = '11px system-ui, sans-serif';
  for (let t = 0; t <= duration; t += 1) g.fillText(`${t}s`, x(t) + 2, height - 1);
}

let queue = Promise.resolve();
function analyse(bytes, name, known) {
  queue = queue.then(() => analyseNow(bytes, name, known));
  return queue;
}

async function analyseNow(bytes, name, known) {
  try {
    setStatus('running', `Analysing ${name}…`);
    model ??= await loadModel();
    const t0 = now();
    const { samples, sourceRate } = await decodeAudio(bytes);
    const decodeMs = now() - t0;
    if (samples.length === 0) throw new Error('the audio is empty');
    const { probabilities, frameSeconds, runMs } = await speechProbabilities(model, samples, {
      sampleRate: RATE, onProgress: (f) => setStatus('running', `Analysing ${name}… ${Math.round(f * 100)}%`),
    });
    const segments = speechSegments(probabilities, frameSeconds, { duration: samples.length / RATE });
    const duration = samples.length / RATE;
    draw(samples, probabilities, frameSeconds, segments, known);
    player.src = URL.createObjectURL(new Blob([bytes]));
    const fmt = (v) => (v === undefined ? '' : v.toFixed(3));
    fillTable(document.getElementById('segments'), segments.map((s, i) => [String(i + 1), fmt(s.start), fmt(s.end), fmt(known?.[i]?.start), fmt(known?.[i]?.end)]));
    fillTable(document.getElementById('timings'), [
      ['load model (once)', ms(loadMs)],
      [`decode + resample (${sourceRate} Hz → ${RATE} Hz)`, ms(decodeMs)],
      [`VAD: ${probabilities.length} frames of ${frameSeconds * 1000} ms`, ms(runMs)],
      ['per frame', ms(runMs / probabilities.length)],
      ['real-time factor', `${(runMs / 1000 / duration).toFixed(4)}`],
    ]);
    window.demoResult = { runtime: runtimeOf(model), file: name, duration, frames: probabilities.length, segments, known, timings: { loadMs, decodeMs, runMs } };
    setStatus('done', `${name}: ${duration.toFixed(2)} s, ${segments.length} speech segments, VAD ${ms(runMs)}`);
  } catch (e) {
    showError(e);
  }
}

async function useSample() {
  try {
    const [bytes, info] = await Promise.all([fetchBytes('./sample.wav'), fetch('./sample.json').then((r) => r.json())]);
    await analyse(bytes, 'sample.wav', info.segments);
  } catch (e) {
    showError(e);
  }
}

document.getElementById('env').textContent = environmentText();
acceptFiles(document.getElementById('drop'), document.getElementById('file'), async (file) => analyse(new Uint8Array(await file.arrayBuffer()), file.name));
document.getElementById('sample').addEventListener('click', useSample);
useSample();
