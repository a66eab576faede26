// VAD demo end to end in Chromium: Silero VAD v5 finds the bundled clip's speech segments
// within 100 ms of the times demo/vad/make_sample.py recorded, with and without cross-origin
// isolation; the same clip resampled to 44.1 kHz stereo goes through the resampler.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseWav, resample } from '../../demo/lib/audio.mjs';
import { MODES, ROOT, checkRuntime, screenshot, startSession, waitForState } from './harness.mjs';

const KNOWN = JSON.parse(readFileSync(join(ROOT, 'demo/vad/sample.json'), 'utf8'));
const TOLERANCE = 0.1;  // seconds

function assertSegments(found, label) {
  assert.equal(found.length, KNOWN.segments.length,
    `${label}: found ${JSON.stringify(found)}, known ${JSON.stringify(KNOWN.segments)}`);
  found.forEach((s, i) => {
    const k = KNOWN.segments[i];
    assert.ok(Math.abs(s.start - k.start) <= TOLERANCE, `${label}: segment ${i} starts at ${s.start.toFixed(3)} s, known ${k.start}`);
    assert.ok(Math.abs(s.end - k.end) <= TOLERANCE, `${label}: segment ${i} ends at ${s.end.toFixed(3)} s, known ${k.end}`);
  });
}

const describeSegments = (found) => found.map((s, i) =>
  `[${s.start.toFixed(3)}, ${s.end.toFixed(3)}] vs [${KNOWN.segments[i]?.start}, ${KNOWN.segments[i]?.end}]`).join(' ');

// A 44.1 kHz stereo 16-bit WAV of the sample (the right channel a little quieter).
function stereo44k() {
  const { channels } = parseWav(readFileSync(join(ROOT, 'demo/vad/sample.wav')));
  const left = resample(channels[0], 16000, 44100);
  const buf = Buffer.alloc(44 + left.length * 4);
  buf.write('RIFF', 0); buf.writeUInt32LE(36 + left.length * 4, 4); buf.write('WAVE', 8);
  buf.write('fmt ', 12); buf.writeUInt32LE(16, 16); buf.writeUInt16LE(1, 20); buf.writeUInt16LE(2, 22);
  buf.writeUInt32LE(44100, 24); buf.writeUInt32LE(44100 * 4, 28); buf.writeUInt16LE(4, 32); buf.writeUInt16LE(16, 34);
  buf.write('data', 36); buf.writeUInt32LE(left.length * 4, 40);
  const pcm = (v) => Math.max(-32768, Math.min(32767, Math.round(v * 32767)));
  for (let i = 0; i < left.length; ++i) {
    buf.writeInt16LE(pcm(left[i]), 44 + i * 4);
    buf.writeInt16LE(pcm(left[i] * 0.8), 46 + i * 4);
  }
  return buf;
}

for (const mode of MODES) {
  describe(`VAD demo (${mode.label})`, () => {
    let session;
    before(async () => {
      session = await startSession(mode);
    });
    after(async () => session?.close());

    test('finds the speech segments of the bundled clip', async () => {
      const page = await session.page('/vad/');
      await waitForState(page, session.logs);
      assert.equal(await page.evaluate(() => self.crossOriginIsolated), mode.isolation);
      const result = await page.evaluate(() => window.demoResult);
      await screenshot(page, `vad-${mode.label}`);
      assert.equal(result.file, 'sample.wav');
      assert.ok(Math.abs(result.duration - KNOWN.duration) < 0.01);
      assert.equal(result.frames, Math.ceil((KNOWN.duration * 16000) / 512));
      console.log(`vad (${mode.label}, ${checkRuntime(result.runtime, mode)}): ${describeSegments(result.segments)}; ${result.frames} frames in ` +
        `${result.timings.runMs.toFixed(0)} ms, model load ${result.timings.loadMs.toFixed(0)} ms`);
      assertSegments(result.segments, 'sample.wav');
      await page.close();
    });

    if (mode.isolation) {
      test('resamples a picked 44.1 kHz stereo file and finds the same segments', async () => {
        const page = await session.page('/vad/');
        await waitForState(page, session.logs);
        await page.setInputFiles('#file', { name: 'stereo44k.wav', mimeType: 'audio/wav', buffer: stereo44k() });
        await page.waitForFunction(() => window.demoResult?.file === 'stereo44k.wav' || window.demoError, null, { timeout: 120_000 });
        await waitForState(page, session.logs);
        const result = await page.evaluate(() => window.demoResult);
        console.log(`vad 44.1k stereo: ${describeSegments(result.segments)}`);
        assertSegments(result.segments, 'stereo44k.wav');
        await page.close();
      });
    }
  });
}
