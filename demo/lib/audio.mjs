// Audio for the VAD demo: WAV decoding, down-mixing and resampling to the model's rate.
// Pure functions (browsers decode other formats with Web Audio; see demo/vad/app.mjs).

function fourcc(view, at) {
  return String.fromCharCode(view.getUint8(at), view.getUint8(at + 1), view.getUint8(at + 2), view.getUint8(at + 3));
}

const WAVE_PCM = 1, WAVE_FLOAT = 3, WAVE_EXTENSIBLE = 0xfffe;

/**
 * Decodes a RIFF/WAVE file (PCM 8/16/24/32-bit or IEEE float 32/64-bit, any channel count).
 * Returns {sampleRate, channels: [Float32Array per channel]} with samples in [-1, 1].
 * Throws an Error naming what is wrong for anything else.
 */
export function parseWav(bytes) {
  const buf = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.byteLength < 12 || fourcc(view, 0) !== 'RIFF' || fourcc(view, 8) !== 'WAVE') {
    throw new Error('not a WAV file (no RIFF/WAVE header)');
  }
  let format = null, data = null;
  for (let at = 12; at + 8 <= buf.byteLength;) {
    const id = fourcc(view, at), size = view.getUint32(at + 4, true);
    const body = at + 8, end = Math.min(body + size, buf.byteLength);  // tolerate a truncated last chunk
    if (id === 'fmt ') {
      if (size < 16) throw new Error('WAV fmt chunk is too short');
      let code = view.getUint16(body, true);
      if (code === WAVE_EXTENSIBLE && size >= 26) code = view.getUint16(body + 24, true);  // sub-format GUID's first 2 bytes
      format = { code, channels: view.getUint16(body + 2, true), sampleRate: view.getUint32(body + 4, true), bits: view.getUint16(body + 14, true) };
    } else if (id === 'data') {
      data = { start: body, end };
    }
    at = body + size + (size & 1);  // chunks are padded to even sizes
  }
  if (!format) throw new Error('WAV file has no fmt chunk');
  if (!data) throw new Error('WAV file has no data chunk');
  const { code, channels, sampleRate, bits } = format;
  if (channels < 1 || sampleRate < 1) throw new Error(`WAV file has ${channels} channels at ${sampleRate} Hz`);
  let read;
  if (code === WAVE_PCM && bits === 8) read = (p) => (view.getUint8(p) - 128) / 128;
  else if (code === WAVE_PCM && bits === 16) read = (p) => view.getInt16(p, true) / 32768;
  else if (code === WAVE_PCM && bits === 24) read = (p) => ((view.getUint8(p) | (view.getUint8(p + 1) << 8) | (view.getInt8(p + 2) << 16))) / 8388608;
  else if (code === WAVE_PCM && bits === 32) read = (p) => view.getInt32(p, true) / 2147483648;
  else if (code === WAVE_FLOAT && bits === 32) read = (p) => view.getFloat32(p, true);
  else if (code === WAVE_FLOAT && bits === 64) read = (p) => view.getFloat64(p, true);
  else throw new Error(`unsupported WAV encoding (format ${code}, ${bits} bits)`);
  const frameBytes = (bits / 8) * channels;
  const frames = Math.floor((data.end - data.start) / frameBytes);
  const out = Array.from({ length: channels }, () => new Float32Array(frames));
  for (let i = 0; i < frames; ++i) {
    const p = data.start + i * frameBytes;
    for (let c = 0; c < channels; ++c) out[c][i] = read(p + (c * bits) / 8);
  }
  return { sampleRate, channels: out };
}

/** The mean of the channels. */
export function mixToMono(channels) {
  if (!channels.length) throw new Error('no audio channels');
  if (channels.length === 1) return channels[0];
  const out = new Float32Array(channels[0].length);
  for (const ch of channels) for (let i = 0; i < out.length; ++i) out[i] += ch[i];
  for (let i = 0; i < out.length; ++i) out[i] /= channels.length;
  return out;
}

/**
 * Resamples with a Hann-windowed sinc whose cut-off is the lower Nyquist frequency (so
 * downsampling does not alias). `halfTaps` zero crossings each side trade speed for quality.
 */
export function resample(samples, fromRate, toRate, halfTaps = 16) {
  if (!(fromRate > 0 && toRate > 0)) throw new RangeError(`bad sample rates ${fromRate} -> ${toRate}`);
  if (fromRate === toRate) return Float32Array.from(samples);
  const ratio = toRate / fromRate;
  const cutoff = Math.min(1, ratio);           // relative to the input's Nyquist frequency
  const reach = halfTaps / cutoff;             // input samples each side of the output position
  const out = new Float32Array(Math.round(samples.length * ratio));
  for (let i = 0; i < out.length; ++i) {
    const t = i / ratio;  // position in input samples
    const first = Math.max(0, Math.ceil(t - reach)), last = Math.min(samples.length - 1, Math.floor(t + reach));
    let sum = 0, weights = 0;
    for (let k = first; k <= last; ++k) {
      const d = k - t;
      const x = Math.PI * d * cutoff;
      const sinc = x === 0 ? 1 : Math.sin(x) / x;
      const window = 0.5 + 0.5 * Math.cos((Math.PI * d) / reach);
      const w = sinc * window;
      sum += samples[k] * w;
      weights += w;
    }
    out[i] = weights !== 0 ? sum / weights : 0;  // normalised: flat signals keep their level
  }
  return out;
}

/** Decoded WAV bytes as mono samples at `rate` Hz. */
export function wavToMono(bytes, rate = 16000) {
  const { sampleRate, channels } = parseWav(bytes);
  return resample(mixToMono(channels), sampleRate, rate);
}

/** 16-bit PCM mono WAV bytes of samples in [-1, 1] (for tests and downloads). */
export function encodeWav16(samples, sampleRate) {
  const buf = new ArrayBuffer(44 + samples.length * 2);
  const view = new DataView(buf);
  const text = (at, s) => [...s].forEach((ch, i) => view.setUint8(at + i, ch.charCodeAt(0)));
  text(0, 'RIFF'); view.setUint32(4, 36 + samples.length * 2, true); text(8, 'WAVE');
  text(12, 'fmt '); view.setUint32(16, 16, true); view.setUint16(20, WAVE_PCM, true); view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true); view.setUint32(28, sampleRate * 2, true); view.setUint16(32, 2, true); view.setUint16(34, 16, true);
  text(36, 'data'); view.setUint32(40, samples.length * 2, true);
  for (let i = 0; i < samples.length; ++i) {
    view.setInt16(44 + i * 2, Math.max(-32768, Math.min(32767, Math.round(samples[i] * 32767))), true);
  }
  return new Uint8Array(buf);
}
