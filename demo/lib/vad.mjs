// Silero VAD v5 in JavaScript: framing, the recurrent state carried from frame to frame, and
// speech segments from the per-frame probabilities.
//
// The model takes `input` [1, context + frame] float samples, `state` [2, 1, 128] and `sr`
// (int64 scalar), and returns `output` [1, 1] (speech probability) and `stateN` (the state
// for the next frame). Each frame is prefixed with the last `context` samples of the previous
// one, as the model was trained (64 at 16 kHz, 32 at 8 kHz).

export const VAD_DEFAULTS = Object.freeze({
  threshold: 0.5,          // a frame at or above this starts (or continues) speech
  negativeThreshold: 0.35, // speech ends after frames below this ...
  minSilenceMs: 100,       // ... lasting at least this long
  minSpeechMs: 250,        // shorter segments are dropped
  speechPadMs: 30,         // segments are widened by this much each side
});

/** Frame and context sizes for a sample rate the model supports. */
export function frameSizes(sampleRate) {
  if (sampleRate === 16000) return { frame: 512, context: 64 };
  if (sampleRate === 8000) return { frame: 256, context: 32 };
  throw new RangeError(`Silero VAD runs at 16000 or 8000 Hz, not ${sampleRate}`);
}

/**
 * The model inputs of every frame: `context` samples of the previous frame (zeros at the
 * start) then `frame` samples (the last frame zero-padded). Returns Float32Array[].
 */
export function frameSamples(samples, frame, context) {
  const frames = [];
  for (let start = 0; start < samples.length; start += frame) {
    const input = new Float32Array(context + frame);
    const from = Math.max(0, start - context);
    input.set(samples.subarray(from, Math.min(samples.length, start + frame)), context - (start - from));
    frames.push(input);
  }
  return frames;
}

/** The zero state a stream starts from. */
export function initialState() {
  return { dtype: 'float32', dims: [2, 1, 128], data: new Float32Array(2 * 128) };
}

/**
 * Runs the model over mono samples, one frame at a time, carrying the state.
 * model: anything with run(feeds) -> {output, stateN} (a Wisp Model).
 * Returns {probabilities: Float32Array (one per frame), frameSeconds, runMs}.
 */
export async function speechProbabilities(model, samples, { sampleRate = 16000, onProgress } = {}) {
  const { frame, context } = frameSizes(sampleRate);
  const sr = { dtype: 'int64', dims: [], data: BigInt64Array.from([BigInt(sampleRate)]) };
  const frames = frameSamples(samples, frame, context);
  const probabilities = new Float32Array(frames.length);
  let state = initialState();
  const start = typeof performance === 'object' ? performance.now() : Date.now();
  for (let i = 0; i < frames.length; ++i) {
    const out = await model.run({ input: { dtype: 'float32', dims: [1, frames[i].length], data: frames[i] }, state, sr });
    if (!out.output || !out.stateN) throw new Error(`the VAD model returned ${Object.keys(out).join(', ')}; expected output and stateN`);
    probabilities[i] = out.output.data[0];
    state = out.stateN;
    if (onProgress && i % 32 === 0) onProgress(i / frames.length);
  }
  const runMs = (typeof performance === 'object' ? performance.now() : Date.now()) - start;
  return { probabilities, frameSeconds: frame / sampleRate, runMs };
}

/**
 * Speech segments [{start, end}] in seconds from per-frame probabilities (hysteresis between
 * the two thresholds, short silences bridged, short segments dropped, then padding).
 * `duration` (seconds) clamps the last segment; defaults to frames * frameSeconds.
 */
export function speechSegments(probabilities, frameSeconds, options = {}) {
  const o = { ...VAD_DEFAULTS, ...options };
  const duration = o.duration ?? probabilities.length * frameSeconds;
  const minSilence = o.minSilenceMs / 1000, minSpeech = o.minSpeechMs / 1000, pad = o.speechPadMs / 1000;
  const raw = [];
  let inSpeech = false, start = 0, silenceStart = -1;
  for (let i = 0; i < probabilities.length; ++i) {
    const p = probabilities[i], t = i * frameSeconds;
    if (p >= o.threshold) {
      silenceStart = -1;
      if (!inSpeech) {
        inSpeech = true;
        start = t;
      }
    } else if (inSpeech && p < o.negativeThreshold) {
      if (silenceStart < 0) silenceStart = t;
      // The frame ending now closes a silence of (t + frame) - silenceStart.
      if (t + frameSeconds - silenceStart >= minSilence) {
        if (silenceStart - start >= minSpeech) raw.push({ start, end: silenceStart });
        inSpeech = false;
        silenceStart = -1;
      }
    }
  }
  if (inSpeech && duration - start >= minSpeech) raw.push({ start, end: duration });
  // Pad, clamp and merge segments the padding made touch.
  const out = [];
  for (const s of raw) {
    const seg = { start: Math.max(0, s.start - pad), end: Math.min(duration, s.end + pad) };
    if (out.length && seg.start <= out[out.length - 1].end + 1e-9) out[out.length - 1].end = seg.end;
    else out.push(seg);
  }
  return out;
}
