// Unit tests of the audio and VAD helpers (demo/lib/audio.mjs, demo/lib/vad.mjs).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeWav16, mixToMono, parseWav, resample, wavToMono } from '../audio.mjs';
import { frameSamples, frameSizes, initialState, speechProbabilities, speechSegments } from '../vad.mjs';

// A WAV with the given fmt fields and raw data bytes (plus an unknown chunk to skip).
function wav({ code = 1, channels = 1, rate = 8000, bits = 16, data }) {
  const extra = Buffer.from('LIST\x03\x00\x00\x00abc\x00', 'latin1');  // odd size: padded
  const b = Buffer.alloc(12 + 24 + extra.length + 8 + data.length);
  b.write('RIFF', 0); b.writeUInt32LE(b.length - 8, 4); b.write('WAVE', 8);
  b.write('fmt ', 12); b.writeUInt32LE(16, 16); b.writeUInt16LE(code, 20); b.writeUInt16LE(channels, 22);
  b.writeUInt32LE(rate, 24); b.writeUInt32LE(rate * channels * bits / 8, 28); b.writeUInt16LE(channels * bits / 8, 32); b.writeUInt16LE(bits, 34);
  extra.copy(b, 36);
  const at = 36 + extra.length;
  b.write('data', at); b.writeUInt32LE(data.length, at + 4); data.copy(b, at + 8);
  return new Uint8Array(b);
}

test('parseWav decodes 8/16/24-bit PCM and float, per channel', () => {
  const pcm16 = Buffer.alloc(8);
  [0, 16384, -32768, 32767].forEach((v, i) => pcm16.writeInt16LE(v, i * 2));
  const stereo = parseWav(wav({ channels: 2, data: pcm16 }));
  assert.equal(stereo.sampleRate, 8000);
  assert.deepEqual([...stereo.channels[0]], [0, -1]);
  assert.deepEqual([...stereo.channels[1]], [0.5, 32767 / 32768]);
  assert.deepEqual([...parseWav(wav({ bits: 8, data: Buffer.from([128, 192, 0]) })).channels[0]], [0, 0.5, -1]);
  assert.deepEqual([...parseWav(wav({ bits: 24, data: Buffer.from([0, 0, 0x40, 0, 0, 0xc0]) })).channels[0]], [0.5, -0.5]);
  const f32 = Buffer.alloc(8);
  f32.writeFloatLE(0.25, 0); f32.writeFloatLE(-2, 4);
  assert.deepEqual([...parseWav(wav({ code: 3, bits: 32, data: f32 })).channels[0]], [0.25, -2]);
});

test('parseWav refuses what it cannot read, with the reason', () => {
  assert.throws(() => parseWav(new Uint8Array(10)), /not a WAV/);
  assert.throws(() => parseWav(wav({ code: 2, bits: 4, data: Buffer.alloc(4) })), /unsupported WAV encoding \(format 2/);
  const noData = wav({ data: Buffer.alloc(0) });
  assert.throws(() => parseWav(noData.subarray(0, 36)), /no data chunk|no fmt/);
});

test('encodeWav16 and parseWav round-trip', () => {
  const samples = Float32Array.from([0, 0.5, -0.5, 0.999]);
  const back = parseWav(encodeWav16(samples, 16000));
  assert.equal(back.sampleRate, 16000);
  back.channels[0].forEach((v, i) => assert.ok(Math.abs(v - samples[i]) < 1e-4));
});

test('mixToMono averages channels', () => {
  assert.deepEqual([...mixToMono([Float32Array.from([1, 0]), Float32Array.from([0, 0])])], [0.5, 0]);
  assert.throws(() => mixToMono([]), /no audio channels/);
});

const sine = (freq, rate, seconds) => Float32Array.from({ length: Math.round(rate * seconds) }, (_, i) => Math.sin((2 * Math.PI * freq * i) / rate));
const rms = (x, from = 0, to = x.length) => Math.sqrt(x.subarray(from, to).reduce((s, v) => s + v * v, 0) / (to - from));

test('resample keeps in-band tones and removes what would alias', () => {
  const down = resample(sine(1000, 48000, 0.5), 48000, 16000);
  assert.equal(down.length, 8000);
  // Compare with the ideal 16 kHz sine away from the edges.
  const ideal = sine(1000, 16000, 0.5);
  let err = 0;
  for (let i = 200; i < 7800; ++i) err = Math.max(err, Math.abs(down[i] - ideal[i]));
  assert.ok(err < 0.01, `max error ${err}`);
  // 11 kHz is above the 8 kHz Nyquist frequency of the output: it must be strongly attenuated.
  const alias = resample(sine(11000, 48000, 0.5), 48000, 16000);
  assert.ok(rms(alias, 200, 7800) < 0.05, `aliased rms ${rms(alias, 200, 7800)}`);
  const up = resample(sine(440, 8000, 0.25), 8000, 16000);
  assert.equal(up.length, 4000);
  assert.ok(Math.abs(rms(up, 200, 3800) - Math.SQRT1_2) < 0.01);
  assert.deepEqual(resample(Float32Array.from([1, 2]), 16000, 16000), Float32Array.from([1, 2]));
  assert.throws(() => resample(new Float32Array(4), 0, 16000), /sample rates/);
});

test('wavToMono gives 16 kHz mono from any WAV', () => {
  const bytes = encodeWav16(sine(300, 22050, 0.2), 22050);
  const mono = wavToMono(bytes, 16000);
  assert.equal(mono.length, Math.round(0.2 * 22050 * 16000 / 22050));
});

test('frames carry the previous frame\'s tail as context', () => {
  assert.deepEqual(frameSizes(16000), { frame: 512, context: 64 });
  assert.deepEqual(frameSizes(8000), { frame: 256, context: 32 });
  assert.throws(() => frameSizes(44100), /16000 or 8000/);
  const samples = Float32Array.from({ length: 10 }, (_, i) => i + 1);
  const frames = frameSamples(samples, 4, 2);
  assert.deepEqual(frames.map((f) => [...f]), [[0, 0, 1, 2, 3, 4], [3, 4, 5, 6, 7, 8], [7, 8, 9, 10, 0, 0]]);
  assert.deepEqual(frameSamples(new Float32Array(0), 4, 2), []);
});

test('speechProbabilities runs frame by frame, carrying the state', async () => {
  const seen = [];
  const model = {
    async run({ input, state, sr }) {
      assert.deepEqual(input.dims, [1, 576]);
      assert.equal(sr.data[0], 16000n);
      seen.push(state.data[0]);
      const next = Float32Array.from(state.data, (v) => v + 1);
      return { output: { dims: [1, 1], data: Float32Array.of(input.data[64]) }, stateN: { dtype: 'float32', dims: [2, 1, 128], data: next } };
    },
  };
  const samples = new Float32Array(1100).fill(0.25);
  const { probabilities, frameSeconds } = await speechProbabilities(model, samples);
  assert.deepEqual(seen, [0, 1, 2]);
  assert.deepEqual([...probabilities], [0.25, 0.25, 0.25]);
  assert.equal(frameSeconds, 0.032);
  assert.equal(initialState().data.length, 256);
  await assert.rejects(speechProbabilities({ run: async () => ({ y: 1 }) }, samples), /expected output and stateN/);
});

// Probabilities from a string: '#' speech (0.9), '-' silence (0.1), '~' in between (0.4).
const probs = (s) => Float32Array.from(s, (c) => ({ '#': 0.9, '-': 0.1, '~': 0.4 })[c]);
const round = (segs) => segs.map(({ start, end }) => [+start.toFixed(3), +end.toFixed(3)]);
const NO_PAD = { speechPadMs: 0, minSpeechMs: 0 };

test('segments: hysteresis, short silences bridged, short speech dropped, padding merges', () => {
  // 100 ms frames: speech 0.2-0.5, then from 0.7 to the end (the last 100 ms of silence is
  // shorter than minSilence, so speech is still on when the audio ends)
  assert.deepEqual(round(speechSegments(probs('--###--###-'), 0.1, { ...NO_PAD, minSilenceMs: 200 })), [[0.2, 0.5], [0.7, 1.1]]);
  assert.deepEqual(round(speechSegments(probs('--###--###--'), 0.1, { ...NO_PAD, minSilenceMs: 200 })), [[0.2, 0.5], [0.7, 1.0]]);
  // a 100 ms dip is bridged with minSilence 200 ms
  assert.deepEqual(round(speechSegments(probs('-##-##---'), 0.1, { ...NO_PAD, minSilenceMs: 200 })), [[0.1, 0.6]]);
  // '~' frames neither start nor end speech
  assert.deepEqual(round(speechSegments(probs('-~~##~~##---'), 0.1, { ...NO_PAD, minSilenceMs: 100 })), [[0.3, 0.9]]);
  // minimum speech
  assert.deepEqual(round(speechSegments(probs('-#---###---'), 0.1, { speechPadMs: 0, minSpeechMs: 250, minSilenceMs: 100 })), [[0.5, 0.8]]);
  // speech running to the end is closed at the duration
  assert.deepEqual(round(speechSegments(probs('--###'), 0.1, { ...NO_PAD, duration: 0.47 })), [[0.2, 0.47]]);
  // padding, clamped at 0 and merging neighbours
  assert.deepEqual(round(speechSegments(probs('#--#-----'), 0.1, { speechPadMs: 100, minSpeechMs: 0, minSilenceMs: 100 })), [[0, 0.5]]);
});
