// OCR demo end to end in Chromium: the bundled sample is read with the known text, with and
// without cross-origin isolation; a dropped file goes through the same pipeline, and an
// undecodable one is reported.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MODES, ROOT, checkRuntime, screenshot, startSession, waitForState } from './harness.mjs';

// The lines demo/ocr/make_sample.py draws, in reading order (amounts are separate boxes).
const EXPECTED = ['WISP COFFEE HOUSE', '2 Espresso', '7.00', '1 Croissant', '3.50', 'Total', '10.50', 'Thank you for visiting!'];
// Where make_sample.py puts the first glyphs of each row (x, y of the text origin).
const ROW_TOPS = [30, 100, 100, 150, 150, 200, 200, 270];

for (const mode of MODES) {
  describe(`OCR demo (${mode.label})`, () => {
    let session;
    before(async () => {
      session = await startSession(mode);
    });
    after(async () => session?.close());

    test('reads the bundled sample', async () => {
      const page = await session.page('/ocr/');
      await waitForState(page, session.logs);
      assert.equal(await page.evaluate(() => self.crossOriginIsolated), mode.isolation);
      const result = await page.evaluate(() => window.demoResult);
      await screenshot(page, `ocr-${mode.label}`);
      assert.equal(result.image, 'sample.png');
      assert.deepEqual([result.width, result.height], [720, 360]);
      assert.deepEqual(result.lines.map((l) => l.text), EXPECTED);
      result.lines.forEach((l, i) => {
        const { x0, y0, x1, y1 } = l.box;
        assert.ok(x0 >= 0 && y0 >= 0 && x1 <= 720 && y1 <= 360 && x1 > x0 && y1 > y0, `box ${i} inside the image`);
        assert.ok(Math.abs(y0 - ROW_TOPS[i]) <= 12, `line ${i} '${l.text}' top at ${y0}, expected near ${ROW_TOPS[i]}`);
        assert.ok(l.detectionScore > 0.6 && l.recognitionScore > 0.8, `line ${i} scores ${l.detectionScore} ${l.recognitionScore}`);
      });
      for (const key of ['preprocessMs', 'detectMs', 'postprocessMs', 'recognizeMs', 'totalMs']) {
        assert.ok(result.timings[key] >= 0, `timing ${key}`);
      }
      console.log(`ocr (${mode.label}, ${checkRuntime(result.runtime, mode)}): ${result.lines.length} lines; det ${result.timings.detectMs.toFixed(0)} ms, ` +
        `rec ${result.timings.recognizeMs.toFixed(0)} ms, total ${result.timings.totalMs.toFixed(0)} ms, model load ${result.timings.loadMs.toFixed(0)} ms`);
      await page.close();
    });

    if (mode.isolation) {
      test('reads an image dropped on the page', async () => {
        const page = await session.page('/ocr/');
        await waitForState(page, session.logs);
        const base64 = readFileSync(join(ROOT, 'demo/ocr/sample.png')).toString('base64');
        const dataTransfer = await page.evaluateHandle((b64) => {
          const dt = new DataTransfer();
          dt.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], 'dropped.png', { type: 'image/png' }));
          return dt;
        }, base64);
        await page.dispatchEvent('#drop', 'drop', { dataTransfer });
        await page.waitForFunction(() => window.demoResult?.image === 'dropped.png' || window.demoError, null, { timeout: 120_000 });
        await waitForState(page, session.logs);
        const result = await page.evaluate(() => window.demoResult);
        assert.deepEqual(result.lines.map((l) => l.text), EXPECTED);
        await page.close();
      });

      test('reports an undecodable file instead of hanging', async () => {
        const page = await session.page('/ocr/');
        await waitForState(page, session.logs);
        await page.setInputFiles('#file', { name: 'broken.png', mimeType: 'image/png', buffer: Buffer.from('not an image') });
        await page.waitForFunction(() => document.body.dataset.state === 'error', null, { timeout: 60_000 });
        assert.match(await page.textContent('#status'), /cannot decode/);
        await page.close();
      });
    }
  });
}
