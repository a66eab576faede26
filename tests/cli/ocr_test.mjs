// The main job: OCR of the bundled sample image must read its text (native and WASI).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runnerCommand } from '../../wasi/node-flags.mjs';

const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const NATIVE = process.env.WISP_CLI ?? join(ROOT, 'build/native/wisp');
const WASI = process.env.WISP_WASI ?? join(ROOT, 'build/wasi/wisp.wasm');
const EXPECTED = ['WISP COFFEE HOUSE', '2 Espresso', '7.00', '1 Croissant', '3.50', 'Total', '10.50', 'Thank you for visiting!'];

function ocr(command) {
  const r = spawnSync(command[0], [...command.slice(1), 'ocr', 'demo/ocr/sample.png', '--json'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('native wisp ocr reads the sample receipt', () => {
  const result = ocr([NATIVE]);
  assert.deepEqual(result.lines.map((l) => l.text), EXPECTED);
  for (const line of result.lines) assert.ok(line.recognition_score > 0.9, JSON.stringify(line));
});

test('WASI wisp.wasm ocr gives the same lines', () => {
  assert.ok(existsSync(WASI), `${WASI} is not built (cmake --preset wasi && cmake --build --preset wasi)`);
  const result = ocr([...runnerCommand(), WASI]);
  assert.deepEqual(result.lines.map((l) => l.text), EXPECTED);
});

test('wisp ocr names a missing image', () => {
  const r = spawnSync(NATIVE, ['ocr', 'no-such-image.png'], { cwd: ROOT, encoding: 'utf8' });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /no-such-image\.png/);
});
